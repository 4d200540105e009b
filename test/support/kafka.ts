import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanups, freePort } from './wait.ts';

const ROOT = join(import.meta.dir, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'kafka.sh');

export interface KafkaBroker {
  bootstrap: string;
  port: number;
  env: Record<string, string>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

interface ToolRun {
  out: string;
  err: string;
  code: number;
}

async function runTool(args: string[], env: Record<string, string>): Promise<ToolRun> {
  const proc = Bun.spawn(['bash', SCRIPT, ...args], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { out, err, code };
}

const failure = (args: string[], { out, err, code }: ToolRun, why: string) =>
  new Error(`scripts/kafka.sh ${args.join(' ')} ${why} (exit ${code}):\n${out}\n${err}`);

async function run(args: string[], env: Record<string, string>): Promise<string> {
  const result = await runTool(args, env);
  if (result.code !== 0) throw failure(args, result, 'failed');
  return result.out;
}

/**
 * Runs Kafka's console consumer, which exits non-zero when --timeout-ms ends the read (that is how
 * these reads end): it counts as a read only if the consumer says how many records it processed.
 * The topic must exist, or an empty read would pass for "nothing there".
 */
async function consume(broker: KafkaBroker, topic: string, args: string[]): Promise<string> {
  await endOffsets(broker, topic);
  const argv = ['run', 'org.apache.kafka.tools.consumer.ConsoleConsumer', '--bootstrap-server', broker.bootstrap, '--topic', topic, ...args];
  const result = await runTool(argv, broker.env);
  if (!/Processed a total of \d+ messages/.test(result.err)) throw failure(argv, result, 'did not finish its read');
  return result.out;
}

/** A real single-node Kafka in a temporary data folder, started by the project script. */
export async function startKafka(): Promise<KafkaBroker> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'inlet-kafka-'));
  const env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(await freePort()), KAFKA_DATA_DIR: dataDir };
  const broker: KafkaBroker = {
    bootstrap: `127.0.0.1:${port}`,
    port,
    env,
    start: async () => void (await run(['start'], env)),
    stop: async () => void (await run(['stop'], env)),
  };
  await broker.start();
  cleanups.push(async () => {
    await broker.stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });
  return broker;
}

let shared: Promise<KafkaBroker> | undefined;

/** The suite's broker (KAFKA_TEST_BROKERS points at an existing one instead). */
export function sharedKafka(): Promise<KafkaBroker> {
  const existing = process.env.KAFKA_TEST_BROKERS;
  if (existing) {
    const noop = async () => {};
    return Promise.resolve({ bootstrap: existing, port: Number(existing.split(':').pop()), env: {}, stop: noop, start: noop });
  }
  shared ??= startKafka();
  return shared;
}

/** Runs one of Kafka's command-line tools (its main class) against `broker`; a non-zero exit fails. */
export async function kafkaCommand(broker: KafkaBroker, mainClass: string, args: string[]): Promise<string> {
  return run(['run', mainClass, '--bootstrap-server', broker.bootstrap, ...args], broker.env);
}

/**
 * End offsets of every partition of `topic`, read with Kafka's own GetOffsetShell. A topic with no
 * partitions to report (it does not exist) fails the test rather than read as empty.
 */
export async function endOffsets(broker: KafkaBroker, topic: string): Promise<Map<number, number>> {
  const out = await run(
    ['run', 'org.apache.kafka.tools.GetOffsetShell', '--bootstrap-server', broker.bootstrap, '--topic', topic],
    broker.env,
  );
  const offsets = new Map<number, number>();
  for (const line of out.trim().split('\n')) {
    const match = /^(.+):(\d+):(\d+)$/.exec(line.trim());
    if (match?.[1] === topic) offsets.set(Number(match[2]), Number(match[3]));
  }
  if (offsets.size === 0) throw new Error(`no end offsets for topic ${topic} (does it exist?):\n${out}`);
  return offsets;
}

/**
 * Kafka's committed offsets of a consumer group, read with Kafka's own ConsumerGroupCommand. A
 * group Kafka does not know has committed nothing (an empty map); output the helper cannot read
 * fails the test.
 */
export async function committedOffsets(broker: KafkaBroker, group: string): Promise<Map<number, number>> {
  const args = ['run', 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', broker.bootstrap, '--describe', '--group', group];
  const result = await runTool(args, broker.env);
  const text = `${result.out}\n${result.err}`;
  // Kafka 4 says so with exit code 0, like every other error of this command: only the table counts.
  if (text.includes(`GroupIdNotFoundException: Group ${group} not found`)) return new Map();
  const table = /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET/m.test(result.out);
  // An empty group (its members gone: left, or their sessions expired after a SIGKILL) prints its
  // table only when it holds committed offsets; without any, this line is the whole answer.
  if (result.code === 0 && !table && text.includes(`Consumer group '${group}' has no active members.`)) return new Map();
  if (result.code !== 0 || !table) throw failure(args, result, 'gave no offsets table');
  const offsets = new Map<number, number>();
  for (const line of result.out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...; "-" where nothing is committed.
    if (cols.length >= 5 && cols[0] === group && /^\d+$/.test(cols[2]!) && /^\d+$/.test(cols[3]!)) {
      offsets.set(Number(cols[2]), Number(cols[3]));
    }
  }
  return offsets;
}

/**
 * Every value a read_committed consumer sees in `topic`, read with Kafka's own console consumer:
 * records of aborted or still-open transactions are not among them.
 */
export async function committedValues(broker: KafkaBroker, topic: string, { idleMs = 5000 } = {}): Promise<string[]> {
  const out = await consume(broker, topic, ['--from-beginning', '--isolation-level', 'read_committed', '--timeout-ms', String(idleMs)]);
  return out.split('\n').filter((line) => line.trim().startsWith('{'));
}

/**
 * Reads `topic` from the beginning once as a member of `group` with Kafka's console consumer,
 * which then leaves the group: having committed its positions, or (commit: false) nothing.
 */
export async function consumeAsGroup(broker: KafkaBroker, topic: string, group: string, { commit }: { commit: boolean }): Promise<void> {
  await consume(broker, topic, ['--from-beginning', '--group', group, '--consumer-property', `enable.auto.commit=${commit}`, '--timeout-ms', '5000']);
}

export interface TopicRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads up to `count` records of `topic` with Kafka's console consumer, headers and key included
 * (fewer when none comes for `idleMs`: callers that need `count` check the length).
 */
export async function readRecords(broker: KafkaBroker, topic: string, count: number, { idleMs = 30_000 } = {}): Promise<TopicRecord[]> {
  const out = await consume(broker, topic, [
    '--from-beginning', '--max-messages', String(count), '--timeout-ms', String(idleMs),
    '--formatter-property', 'print.headers=true', '--formatter-property', 'print.key=true',
    // Header values (a stack trace) may hold newlines and tabs: separate with control characters.
    '--formatter-property', 'headers.separator=\u001f', '--formatter-property', 'key.separator=\u001d',
    '--formatter-property', 'line.separator=\u001e',
  ]);
  return out
    .split('\u001e')
    .filter((line) => line.includes('\u001d'))
    .map((line) => {
      const [headerText = '', key = '', ...value] = line.replace(/^\n+/, '').split('\u001d');
      const headers: Record<string, string> = {};
      for (const pair of headerText.split('\u001f')) {
        const at = pair.indexOf(':');
        if (at > 0) headers[pair.slice(0, at)] = pair.slice(at + 1);
      }
      return { key, value: value.join('\u001d'), headers };
    });
}
