import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dir, '..', '..');
export const CLI_BUNDLE = join(ROOT, 'dist', 'cli.js');

/** How a test runs `inlet`: the bundle under Node (as `npm i` users get it), or the source under Bun. */
export type CliRuntime = 'node' | 'bun';

export function cliCommand(runtime: CliRuntime): string[] {
  if (runtime === 'bun') return [process.execPath, join(ROOT, 'src', 'cli', 'main.ts')];
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: run npm run build first`);
  return ['node', CLI_BUNDLE];
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `inlet args…` to its end with `env` over a clean environment (no INLET_* leaking in from the
 * shell). One still running after `timeoutMs` is killed, and the test fails naming it.
 */
export async function runInlet(runtime: CliRuntime, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliRun> {
  const proc = Bun.spawn([...cliCommand(runtime), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    proc.kill();
  }, timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (late) throw new Error(`inlet ${args.join(' ')} did not finish within ${timeoutMs} ms; it printed:\n${stdout}${stderr}`);
  return { code, stdout, stderr };
}

/** A started `inlet` that keeps running (tail): its output so far, and its end. */
export function startInlet(runtime: CliRuntime, args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([...cliCommand(runtime), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdout: 'pipe', stderr: 'pipe', stdin: 'ignore' });
  let stdout = '';
  let stderr = '';
  const decoder = new TextDecoder();
  const read = async (stream: ReadableStream<Uint8Array>, into: (text: string) => void) => {
    for await (const chunk of stream) into(decoder.decode(chunk, { stream: true }));
  };
  const drained = Promise.all([read(proc.stdout, (t) => (stdout += t)), read(proc.stderr, (t) => (stderr += t))]);
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited: async (): Promise<CliRun> => {
      const code = await proc.exited;
      await drained;
      return { code, stdout, stderr };
    },
    done: () => proc.exitCode !== null || proc.signalCode !== null,
    kill: () => proc.kill(),
  };
}
