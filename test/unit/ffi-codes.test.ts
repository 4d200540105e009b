import { expect, test } from 'bun:test';
import { loadFfiBackend } from '../../src/kafka/ffi/index.ts';

test("the FFI backend's CODES.ERRORS has every name of the addon's, with the same number", async () => {
  const { CODES } = await loadFfiBackend();
  // Bun cannot load the addon: ask node for its table.
  const proc = Bun.spawnSync(['node', '-e', "process.stdout.write(JSON.stringify(require('@confluentinc/kafka-javascript').CODES.ERRORS))"]);
  if (proc.exitCode !== 0) throw new Error(`node failed: ${proc.stderr.toString()}`);
  const addon = JSON.parse(proc.stdout.toString()) as Record<string, number>;
  expect(Object.keys(addon).length).toBeGreaterThan(100);
  expect(CODES.ERRORS).toMatchObject(addon);
});
