import { describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '../..');

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const depcruise = (cwd: string) => run(join(ROOT, 'node_modules/.bin/depcruise'), ['src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'err'], cwd);
const neutralTypecheck = (cwd: string) => run(join(ROOT, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.neutral.json'], cwd);

/** A copy of the repository's src and configs in a scratch folder, with `files` written over it. */
function treeWith(files: Record<string, string>): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), 'inlet-layering-'));
  cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
  for (const name of ['tsconfig.json', 'tsconfig.neutral.json']) cpSync(join(ROOT, name), join(dir, name));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('layering the build checks', () => {
  test('src/ keeps every dependency rule', () => {
    const { status, output } = depcruise(ROOT);
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  test('each rule refuses the import it names', () => {
    using tree = treeWith({
      'src/sink/leaks.ts': [
        "import pg from 'pg';", // a driver outside src/db
        "import { KafkaJS } from '@confluentinc/kafka-javascript';", // a Kafka client outside src/kafka
        "import { BatchConsumer } from '../kafka/consumer.ts';", // past kafka's index.ts, and against the data path
        "import { createApp } from '../http/index.ts';", // against the data path
        "import { Worker } from '../runtime/index.ts';", // the runtime is on top
        "import { createHash } from 'node:crypto';", // a runtime's built-in in neutral code
        "import { openSinkStore } from '../db/drivers/index.ts';", // drivers are the runtime's choice
        "import { sql } from 'drizzle-orm';", // Drizzle outside src/db
        "import pino from 'pino';", // the logger's implementation outside the runtime
        'export const leaks = [pg, KafkaJS, BatchConsumer, createApp, Worker, createHash, openSinkStore, sql, pino];',
      ].join('\n'),
      'src/config/leaks.ts': "export { toChanges } from '../sink/index.ts';\n",
      'src/records/leaks.ts': "export { toChanges } from '../sink/index.ts';\n",
      'src/metrics/leaks.ts': "export { toChanges } from '../sink/index.ts';\n",
      'src/http/metrics-leak.ts': "export { Registry } from 'prom-client';\n", // a metrics library outside the runtime
      'src/transforms/leaks.ts': "export { toChanges } from '../sink/index.ts';\n",
      'src/log/leaks.ts': "export { redactUrlPasswords } from '../config/index.ts';\n",
      'src/trace/leaks.ts': "export { toChanges } from '../sink/index.ts';\n",
      'src/http/otel-leak.ts': "export { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';\n", // the tracing SDK outside the runtime
      'src/cli/leaks.ts': "export { Worker } from '../runtime/index.ts';\n", // the CLI is an HTTP client
      'src/http/cli-leak.ts': "export { EXIT } from '../cli/exit-codes.ts';\n", // nothing imports the CLI
    });
    const { status, output } = depcruise(tree.dir);
    expect(status).not.toBe(0);
    for (const rule of [
      'db-driver-only-in-db: src/sink/leaks.ts',
      'kafka-client-only-in-kafka: src/sink/leaks.ts',
      'no-deep-imports: src/sink/leaks.ts → src/kafka/consumer.ts',
      'data-path-one-way:sink: src/sink/leaks.ts → src/http/index.ts',
      'data-path-one-way:sink: src/sink/leaks.ts → src/kafka/consumer.ts',
      'runtime-on-top: src/sink/leaks.ts → src/runtime/index.ts',
      'runtime-neutral: src/sink/leaks.ts',
      'runtime-specific-from-the-top: src/sink/leaks.ts → src/db/drivers/index.ts',
      'drizzle-only-in-db: src/sink/leaks.ts',
      'config-is-a-leaf: src/config/leaks.ts → src/sink/index.ts',
      'leaves-stay-leaves: src/records/leaks.ts → src/sink/index.ts',
      'transforms-beside-the-sink: src/transforms/leaks.ts → src/sink/index.ts',
      'leaves-stay-leaves: src/metrics/leaks.ts → src/sink/index.ts',
      'prom-client-only-in-runtime: src/http/metrics-leak.ts',
      'pino-from-the-top: src/sink/leaks.ts',
      'leaves-stay-leaves: src/log/leaks.ts → src/config/index.ts',
      'leaves-stay-leaves: src/trace/leaks.ts → src/sink/index.ts',
      'otel-sdk-from-the-top: src/http/otel-leak.ts',
      'cli-is-an-http-client: src/cli/leaks.ts → src/runtime/index.ts',
      'nothing-imports-the-cli: src/http/cli-leak.ts → src/cli/exit-codes.ts',
    ]) {
      expect(output).toContain(rule);
    }
  });

  test('the runtime-neutral folders typecheck without Node or Bun types', () => {
    const { status, output } = neutralTypecheck(ROOT);
    expect(output).toBe('');
    expect(status).toBe(0);
  });

  test('no import drags Node or Bun types into the neutral program (typings that make Buffer global)', () => {
    const { status, output } = run(join(ROOT, 'node_modules/.bin/tsc'), ['--noEmit', '-p', 'tsconfig.neutral.json', '--listFilesOnly'], ROOT);
    expect(status).toBe(0);
    const files = output.split('\n').filter(Boolean);
    expect(files.some((file) => file.includes('/src/sink/'))).toBe(true);
    expect(files.filter((file) => /node_modules\/(@types\/node|bun-types|@types\/bun)\//.test(file))).toEqual([]);
  });

  test('a Buffer or process in a runtime-neutral folder fails the neutral typecheck', () => {
    using tree = treeWith({
      'src/source/leak.ts': 'export const bytes = Buffer.from(process.env.X ?? "");\n',
    });
    const { status, output } = neutralTypecheck(tree.dir);
    expect(status).not.toBe(0);
    expect(output).toContain("src/source/leak.ts");
    expect(output).toContain("Cannot find name 'Buffer'");
    expect(output).toContain("Cannot find name 'process'");
  });
});
