import { describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { harnessCommand, type Runtime } from '../support/harness.ts';
import type { LoggedLine } from '../support/log.ts';
import { freePort } from '../support/wait.ts';

const HARNESS = join(import.meta.dir, '..', 'support', 'client-log-run.ts');

/** The lines the harness's clients logged, run under `runtime` against a port nobody listens on. */
async function loggedLines(runtime: Runtime): Promise<LoggedLine[]> {
  const proc = Bun.spawn(await harnessCommand(runtime, HARNESS), {
    env: { ...process.env, KAFKA_BROKERS: `127.0.0.1:${await freePort()}` },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const killer = setTimeout(() => proc.kill(), 60_000);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(killer);
  if (code !== 0) throw new Error(`client-log-run exited with ${code}:\n${out}\n${err}`);
  // Nothing librdkafka says may bypass the Log (its default printer writes to stderr).
  expect(err).toBe('');
  return JSON.parse(out) as LoggedLine[];
}

describe.each(['bun', 'node'] as const)("librdkafka's logs and errors go to the client's Log (%s)", (runtime) => {
  test('a producer, a consumer and an admin client with an unreachable broker log the refused connection through the Log they were given', async () => {
    const lines = await loggedLines(runtime);
    for (const kind of ['producer', 'consumer', 'admin']) {
      const refused = lines.filter((line) => line.fields.kind === kind && /Connection refused/i.test(line.message));
      // librdkafka's log event (severity 3, facility FAIL) as an error line, with its facility.
      expect(refused.some((line) => line.level === 'error' && line.fields.librdkafka === 'FAIL')).toBe(true);
    }
    // Its error events too, as warnings since librdkafka keeps retrying: "1/1 brokers are down"
    // (FFI, the event's own text) or "all broker connections are down" (the addon's err2str).
    const down = lines.filter((line) => line.level === 'warn' && /brokers are down|broker connections are down/i.test(line.message));
    expect(down.length).toBeGreaterThan(0);
    // With its code (ERR__ALL_BROKERS_DOWN, which KafkaProducer acts on): the addon's own event
    // errors carry -1, and the addon backend gives them their code back.
    expect(down.every((line) => line.fields.code === -187)).toBe(true);
  }, 90_000);
});
