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

test("the FFI backend's KafkaError.origin is the addon's, for local and broker codes alike", async () => {
  const { KafkaError } = await import('../../src/kafka/ffi/index.ts');
  // -185 (_TIMED_OUT) and -195 (_TRANSPORT) are local, 3 (UNKNOWN_TOPIC_OR_PART) a broker's: the
  // addon's rule (code >= ERR__END is "local") calls them the other way round; both runtimes must agree.
  const codes = [-185, -195, -100, -1, 0, 3, 87];
  const proc = Bun.spawnSync(['node', '-e', `const E = require('@confluentinc/kafka-javascript/lib/error.js'); process.stdout.write(JSON.stringify(${JSON.stringify(codes)}.map((code) => new E({ message: 'm', code }).origin)))`]);
  if (proc.exitCode !== 0) throw new Error(`node failed: ${proc.stderr.toString()}`);
  const addon = JSON.parse(proc.stdout.toString()) as string[];
  expect(addon).toContain('kafka');
  expect(codes.map((code) => new KafkaError(code, 'm').origin)).toEqual(addon);
});
