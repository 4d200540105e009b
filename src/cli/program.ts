import { Command, InvalidArgumentError, Option } from 'commander';
import { RestClient } from './client.ts';
import { changeState, createConnector, deleteConnector, getConnector, listConnectors, putConnector, restartConnector } from './commands/connectors.ts';
import { getOffsets, resetOffsets } from './commands/offsets.ts';
import { listDeadLetters, replayDeadLetters, tail } from './commands/records.ts';
import { send } from './commands/send.ts';
import { clusterStatus } from './commands/status.ts';
import { validate } from './commands/validate.ts';
import type { CliContext } from './context.ts';
import type { Output } from './output.ts';
// The bundle inlines it, so `inlet --version` names the release it was built from.
import packageJson from '../../package.json' with { type: 'json' };

export const DEFAULT_URL = 'http://127.0.0.1:8083';

function positiveInt(text: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(text);
}

function nonNegativeInt(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new InvalidArgumentError('must be a whole number');
  return Number(text);
}

interface GlobalOptions {
  url: string;
  json?: boolean;
  timeout: number;
}

/** `inlet`'s commands. `env` is where INLET_API_TOKEN and INLET_SEND_SECRET come from (never argv, which `ps` shows). */
export function cliProgram(output: Output, env: Record<string, string | undefined>): Command {
  const program = new Command('inlet')
    .description("Drive an Inlet worker through its REST API (Kafka Connect's, plus Inlet's records and dead-letter routes).")
    .version(packageJson.version, '-V, --version')
    .addOption(new Option('--url <url>', "the worker's REST API").env('INLET_URL').default(DEFAULT_URL))
    .option('--json', 'print the API answers as JSON, for scripts')
    .addOption(new Option('--timeout <ms>', 'how long a request may take').default(30_000).argParser(positiveInt))
    .addHelpText(
      'after',
      [
        '',
        'Environment: INLET_URL (as --url), INLET_API_TOKEN (the REST API token), INLET_SEND_SECRET (as send --secret).',
        'Exit codes: 0 ok, 1 the worker answered with an error or refused, 2 usage, 3 worker unreachable,',
        '            4 unauthorized (INLET_API_TOKEN missing or wrong), 5 validate found errors.',
      ].join('\n'),
    )
    .showHelpAfterError('(inlet --help lists the commands)')
    .exitOverride()
    .configureOutput({ writeOut: output.out, writeErr: output.err });

  const context = (command: Command): CliContext => {
    const options = command.optsWithGlobals<GlobalOptions>();
    return {
      client: new RestClient({ url: options.url, token: env.INLET_API_TOKEN || undefined, timeoutMs: options.timeout }),
      output,
      json: options.json === true,
    };
  };
  /** Subcommands exit as the program does, and write where it writes. */
  const sub = (parent: Command, name: string, description: string) =>
    parent.command(name).description(description).exitOverride().configureOutput({ writeOut: output.out, writeErr: output.err });

  const connectors = sub(program, 'connectors', 'list, read, create, change and delete connectors');
  sub(connectors, 'ls', 'the connectors with their type, class, state and task count').action((_, cmd: Command) => listConnectors(context(cmd)));
  sub(connectors, 'get', "a connector's config and tasks")
    .argument('<name>')
    .action((name: string, _, cmd: Command) => getConnector(context(cmd), name));
  sub(connectors, 'create', 'create a connector from a file: {"name": …, "config": {…}} or the flat config with its name')
    .requiredOption('-f, --file <file>', 'the connector file')
    .action((options: { file: string }, cmd: Command) => createConnector(context(cmd), options.file));
  sub(connectors, 'put', "create or replace a connector's config from a file")
    .argument('<name>')
    .requiredOption('-f, --file <file>', 'the connector file')
    .action((name: string, options: { file: string }, cmd: Command) => putConnector(context(cmd), name, options.file));
  for (const verb of ['pause', 'resume', 'stop'] as const) {
    sub(connectors, verb, `${verb} a connector and its tasks`)
      .argument('<name>')
      .action((name: string, _, cmd: Command) => changeState(context(cmd), verb, name));
  }
  sub(connectors, 'restart', 'restart a connector (and its tasks with --include-tasks)')
    .argument('<name>')
    .option('--include-tasks', 'restart its tasks too')
    .option('--only-failed', 'restart only what FAILED')
    .action((name: string, options: { includeTasks?: boolean; onlyFailed?: boolean }, cmd: Command) =>
      restartConnector(context(cmd), name, { includeTasks: options.includeTasks === true, onlyFailed: options.onlyFailed === true }),
    );
  sub(connectors, 'delete', 'delete a connector')
    .argument('<name>')
    .action((name: string, _, cmd: Command) => deleteConnector(context(cmd), name));

  sub(program, 'status', 'every connector with its tasks, their state and the worker running each').action((_, cmd: Command) => clusterStatus(context(cmd)));

  const offsets = sub(program, 'offsets', "a connector's offsets (Kafka Connect's offsets routes)");
  sub(offsets, 'get', "a connector's stored offsets")
    .argument('<name>')
    .action((name: string, _, cmd: Command) => getOffsets(context(cmd), name));
  sub(offsets, 'reset', "reset a connector's offsets (stop it first)")
    .argument('<name>')
    .action((name: string, _, cmd: Command) => resetOffsets(context(cmd), name));

  sub(program, 'tail', "print the records of a connector's topic as they arrive")
    .argument('<connector>')
    .option('--from-beginning', 'start at the beginning of the topic, not its end')
    .option('--grep <pattern>', 'only records whose key, value or a header matches this regular expression')
    .option('-n, --limit <count>', 'stop after this many records', positiveInt)
    .action((name: string, options: { fromBeginning?: boolean; grep?: string; limit?: number }, cmd: Command) =>
      tail(context(cmd), name, { fromBeginning: options.fromBeginning === true, grep: options.grep, limit: options.limit }),
    );

  const dlq = sub(program, 'dlq', "a sink connector's dead letters");
  sub(dlq, 'ls', 'the newest dead letters with their __connect.errors.* context')
    .argument('<connector>')
    .option('-n, --limit <count>', 'how many', positiveInt, 100)
    .action((name: string, options: { limit: number }, cmd: Command) => listDeadLetters(context(cmd), name, options.limit));
  sub(dlq, 'replay', 'apply the dead letters again, once their cause is fixed')
    .argument('<connector>')
    .option('--offset <offset>', 'only the letters up to this offset (each partition), e.g. the next one alone', nonNegativeInt)
    .action((name: string, options: { offset?: number }, cmd: Command) => replayDeadLetters(context(cmd), name, options.offset));

  sub(program, 'send', "post an event to a source connector, signed for the connector's type")
    .argument('<connector>')
    .requiredOption('--file <file>', 'the event to send, sent byte for byte')
    .option('--secret <secret>', 'the signing secret or bearer token (default: INLET_SEND_SECRET)')
    .option('--id <id>', 'event id: webhook-id, X-GitHub-Delivery or Idempotency-Key (default: a new one)')
    .option('--event <name>', "GitHub's X-GitHub-Event", 'push')
    .option('-H, --header <header>', 'an extra request header, "name: value" (repeatable; a traceparent, say)', (value: string, all: string[]) => [...all, value], [])
    .action((name: string, options: { file: string; secret?: string; id?: string; event: string; header: string[] }, cmd: Command) =>
      send(context(cmd), name, { ...options, headers: options.header, secret: options.secret ?? (env.INLET_SEND_SECRET || undefined) }),
    );

  sub(program, 'validate', "check a connector file against its plugin (Connect's config/validate route)")
    .requiredOption('-f, --file <file>', 'the connector file')
    .action((options: { file: string }, cmd: Command) => validate(context(cmd), options.file));

  return program;
}
