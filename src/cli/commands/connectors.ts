import { ConnectorInfo, ExpandedConnectors, expectAnswer } from '../answers.ts';
import { seg } from '../client.ts';
import type { CliContext } from '../context.ts';
import { usageError } from '../exit-codes.ts';
import { readConnectorFile } from '../files.ts';
import { printJson, printTable } from '../output.ts';

export async function listConnectors(ctx: CliContext): Promise<void> {
  const answer = await ctx.client.get('/connectors?expand=info&expand=status');
  if (ctx.json) return printJson(ctx.output, answer);
  const connectors = expectAnswer(ExpandedConnectors, answer, 'GET /connectors');
  printTable(
    ctx.output,
    ['name', 'type', 'class', 'state', 'tasks'],
    Object.entries(connectors)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, { info, status }]) => [
        name,
        status?.type ?? info?.type ?? '',
        info?.config['connector.class'] ?? '',
        status?.connector.state ?? '',
        String(status?.tasks.length ?? info?.tasks.length ?? 0),
      ]),
  );
}

export async function getConnector(ctx: CliContext, name: string): Promise<void> {
  const answer = await ctx.client.get(`/connectors/${seg(name)}`);
  if (ctx.json) return printJson(ctx.output, answer);
  const info = expectAnswer(ConnectorInfo, answer, `GET /connectors/${name}`);
  ctx.output.out(`${info.name} (${info.type}, ${info.tasks.length} task${info.tasks.length === 1 ? '' : 's'})\n`);
  printTable(
    ctx.output,
    ['key', 'value'],
    Object.entries(info.config).sort(([a], [b]) => a.localeCompare(b)),
  );
}

export async function createConnector(ctx: CliContext, file: string): Promise<void> {
  const { name, config } = await readConnectorFile(file);
  if (!name) throw usageError(`${file} names no connector: give it "name"`);
  const { name: _, ...rest } = config;
  const answer = await ctx.client.call('POST', '/connectors', { name, config: rest });
  if (ctx.json) return printJson(ctx.output, answer.body);
  ctx.output.out(`created connector ${name}\n`);
}

export async function putConnector(ctx: CliContext, name: string, file: string): Promise<void> {
  const { name: named, config } = await readConnectorFile(file);
  if (named !== undefined && named !== name) throw usageError(`${file} names connector ${named}, not ${name}`);
  const { name: _, ...rest } = config;
  const answer = await ctx.client.call('PUT', `/connectors/${seg(name)}/config`, rest);
  if (ctx.json) return printJson(ctx.output, answer.body);
  ctx.output.out(`${answer.status === 201 ? 'created' : 'updated'} connector ${name}\n`);
}

/** pause, resume, stop: Connect's PUT /connectors/{name}/<verb>, answered 202. */
export async function changeState(ctx: CliContext, verb: 'pause' | 'resume' | 'stop', name: string): Promise<void> {
  await ctx.client.call('PUT', `/connectors/${seg(name)}/${verb}`);
  const done = { pause: 'paused', resume: 'resumed', stop: 'stopped' }[verb];
  if (ctx.json) return printJson(ctx.output, { name, requested: verb });
  ctx.output.out(`${done} connector ${name}\n`);
}

export async function restartConnector(ctx: CliContext, name: string, options: { includeTasks: boolean; onlyFailed: boolean }): Promise<void> {
  const query = new URLSearchParams({ includeTasks: String(options.includeTasks), onlyFailed: String(options.onlyFailed) });
  const answer = await ctx.client.call('POST', `/connectors/${seg(name)}/restart?${query}`);
  if (ctx.json) return printJson(ctx.output, answer.body ?? { name, requested: 'restart' });
  ctx.output.out(`restarting connector ${name}${options.includeTasks ? ' and its tasks' : ''}\n`);
}

export async function deleteConnector(ctx: CliContext, name: string): Promise<void> {
  await ctx.client.call('DELETE', `/connectors/${seg(name)}`);
  if (ctx.json) return printJson(ctx.output, { name, deleted: true });
  ctx.output.out(`deleted connector ${name}\n`);
}
