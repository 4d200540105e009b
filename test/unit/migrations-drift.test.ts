import { describe, expect, test } from 'bun:test';
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import postgresConfig from '../../drizzle.postgres.config.ts';
import sqliteConfig from '../../drizzle.sqlite.config.ts';
import { tempDir } from '../support/wait.ts';

const ROOT = join(import.meta.dir, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

// Migrations are generated from src/db/schema (drizzle-kit generate); a schema changed without a
// migration generated for it would never reach a database.
describe('migrations hold the whole schema', () => {
  for (const config of [postgresConfig, sqliteConfig]) {
    test(`drizzle-kit generate finds nothing to add for ${config.dialect}`, () => {
      if (typeof config.schema !== 'string' || !config.out) throw new Error('the drizzle config names no schema file or out folder');
      // On a copy: a generated migration must not land in the checkout (drizzle-kit takes the
      // folder relative to the working directory).
      const out = join(tempDir('migrations-drift'), 'migrations');
      cpSync(join(ROOT, config.out), out, { recursive: true });
      const before = filesUnder(out);
      const run = Bun.spawnSync(['npx', 'drizzle-kit', 'generate', `--dialect=${config.dialect}`, `--schema=${config.schema}`, `--out=${relative(ROOT, out)}`], { cwd: ROOT, stdout: 'pipe', stderr: 'pipe' });
      const output = `${run.stdout.toString()}\n${run.stderr.toString()}`;
      // drizzle-kit exits 0 after some errors too: only its own words for "nothing to do" pass.
      if (run.exitCode !== 0 || !output.includes('No schema changes')) throw new Error(`drizzle-kit generate found changes or failed (exit ${run.exitCode}):\n${output}`);
      expect(filesUnder(out)).toEqual(before);
    }, 60_000);
  }
});
