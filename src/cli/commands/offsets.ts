import { expectAnswer, Offsets } from '../answers.ts';
import { seg } from '../client.ts';
import type { CliContext } from '../context.ts';
import { printJson, printTable } from '../output.ts';

/** Connect's partition and offset maps, as `key=value` pairs for a table cell. */
const pairs = (map: Record<string, unknown> | null) =>
  map === null
    ? '(none)'
    : Object.entries(map)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');

export async function getOffsets(ctx: CliContext, name: string): Promise<void> {
  const answer = await ctx.client.get(`/connectors/${seg(name)}/offsets`);
  if (ctx.json) return printJson(ctx.output, answer);
  const { offsets } = expectAnswer(Offsets, answer, `GET /connectors/${name}/offsets`);
  printTable(
    ctx.output,
    ['partition', 'offset'],
    offsets.map((entry) => [pairs(entry.partition), pairs(entry.offset)]),
  );
}

/** Connect's DELETE /connectors/{name}/offsets: only while the connector is STOPPED (KIP-875). */
export async function resetOffsets(ctx: CliContext, name: string): Promise<void> {
  const answer = await ctx.client.call('DELETE', `/connectors/${seg(name)}/offsets`);
  if (ctx.json) return printJson(ctx.output, answer.body);
  ctx.output.out(`reset the offsets of connector ${name}\n`);
}
