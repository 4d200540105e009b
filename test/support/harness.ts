import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cleanups } from './wait.ts';

const ROOT = join(import.meta.dir, '..', '..');

export type Runtime = 'node' | 'bun';

/**
 * The command that runs a TypeScript harness under `runtime`: Bun runs the source (the FFI
 * backend), Node a bundle of it (the addon).
 */
export async function harnessCommand(runtime: Runtime, harness: string): Promise<string[]> {
  if (runtime === 'bun') return [process.execPath, harness];
  // Beside the sources, so the bundle finds node_modules; the folder is removed after the suite.
  const outdir = join(ROOT, 'dist', 'test', crypto.randomUUID());
  cleanups.push(() => rmSync(outdir, { recursive: true, force: true }));
  const build = await Bun.build({ entrypoints: [harness], outdir, target: 'node', packages: 'external' });
  if (!build.success) throw new AggregateError(build.logs, `building ${harness} failed`);
  return ['node', build.outputs[0]!.path];
}
