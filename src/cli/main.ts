#!/usr/bin/env node
// `inlet`, the command line of Inlet's REST API. An HTTP client only: it imports nothing of the
// worker. Node runs the bundle (dist/cli.js, `npm run build`), Bun runs this file as it is.
import { CommanderError } from 'commander';
import { CliExit, EXIT } from './exit-codes.ts';
import { processOutput, type Output } from './output.ts';
import { cliProgram } from './program.ts';

/** Runs one command line; resolves to the exit code (see exit-codes.ts). */
export async function runCli(argv: readonly string[], output: Output, env: Record<string, string | undefined>): Promise<number> {
  try {
    await cliProgram(output, env).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    // Commander has printed its own message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (error instanceof CliExit) {
      output.err(`inlet: ${error.message}\n`);
      return error.code;
    }
    output.err(`inlet: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.refused;
  }
}

// exitCode, not exit(): what is still being written to a pipe gets out first.
process.exitCode = await runCli(process.argv.slice(2), processOutput, process.env);
