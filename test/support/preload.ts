import { afterAll } from 'bun:test';
import { join } from 'node:path';
import { cleanups } from './wait.ts';

// Integration tests run the worker as a Node process from the same bundle users run. `npm test`
// builds it once before its two concurrent runs (INLET_TEST_PREBUILT=1), so neither rewrites a
// bundle the other's workers are loading.
const prebuilt = process.env.INLET_TEST_PREBUILT === '1';
const skipped = { success: true, logs: [] };
const build = prebuilt ? skipped : await Bun.build({
  entrypoints: [join(import.meta.dir, '..', '..', 'src', 'main.ts')],
  outdir: join(import.meta.dir, '..', '..', 'dist'),
  target: 'node',
  packages: 'external',
  external: ['bun:sqlite'],
});
if (!build.success) throw new AggregateError(build.logs, 'building dist/main.js failed');
// And the CLI (`inlet`), as `npm run build` bundles it: one file, its dependencies inside.
const cli = prebuilt ? skipped : await Bun.build({ entrypoints: [join(import.meta.dir, '..', '..', 'src', 'cli', 'main.ts')], outdir: join(import.meta.dir, '..', '..', 'dist'), naming: 'cli.js', target: 'node' });
if (!cli.success) throw new AggregateError(cli.logs, 'building dist/cli.js failed');

// Stopping brokers and database clusters takes seconds: bun's 5 s default is too short.
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 180_000);
