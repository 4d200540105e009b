import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYOUT } from '../../src/kafka/ffi/layout.ts';

const ROOT = join(import.meta.dir, '..', '..');
const PACKAGE = dirname(fileURLToPath(import.meta.resolve('@confluentinc/kafka-javascript/package.json')));
const INCLUDE = join(PACKAGE, 'build', 'deps', 'include');

/** `{a: {b: 1}}` -> `{"a.b": 1}`: the names layout.c prints. */
function flatten(value: object, prefix = ''): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (typeof inner === 'number') flat[prefix + key] = inner;
    else Object.assign(flat, flatten(inner as object, `${prefix}${key}.`));
  }
  return flat;
}

/** Compiles layout.c against the package's rdkafka.h and returns what it prints. */
async function measured(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'rdkafka-layout-'));
  try {
    const binary = join(dir, 'layout');
    const cc = Bun.spawnSync(['cc', '-Wall', '-Werror', '-I', INCLUDE, join(ROOT, 'src/kafka/ffi/layout.c'), '-o', binary]);
    if (cc.exitCode !== 0) throw new Error(`cc failed: ${cc.stderr.toString()}`);
    const run = Bun.spawnSync([binary]);
    if (run.exitCode !== 0) throw new Error(`layout program failed: ${run.stderr.toString()}`);
    return JSON.parse(run.stdout.toString()) as Record<string, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('librdkafka struct layouts', () => {
  test("every offset, size and enum value in layout.ts matches the package's rdkafka.h", async () => {
    const fromHeader = await measured();
    expect(Object.keys(fromHeader).length).toBeGreaterThan(50);
    expect(flatten(LAYOUT)).toEqual(fromHeader);
  });
});
