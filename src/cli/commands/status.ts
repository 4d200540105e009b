import { ExpandedConnectors, expectAnswer } from '../answers.ts';
import type { CliContext } from '../context.ts';
import { firstLine, printJson, printTable } from '../output.ts';

/** Every connector with its tasks, their state and the worker running each: one row a task. */
export async function clusterStatus(ctx: CliContext): Promise<void> {
  const answer = await ctx.client.get('/connectors?expand=status');
  if (ctx.json) return printJson(ctx.output, answer);
  const connectors = expectAnswer(ExpandedConnectors, answer, 'GET /connectors?expand=status');
  const rows: string[][] = [];
  for (const [name, { status }] of Object.entries(connectors).sort(([a], [b]) => a.localeCompare(b))) {
    if (!status) continue;
    const connector = [name, status.type, status.connector.state];
    if (status.tasks.length === 0) rows.push([...connector, '-', '-', status.connector.worker_id, firstLine(status.connector.trace)]);
    for (const task of status.tasks) rows.push([...connector, String(task.id), task.state, task.worker_id, firstLine(task.trace ?? status.connector.trace)]);
  }
  printTable(ctx.output, ['connector', 'type', 'state', 'task', 'task state', 'worker', 'trace'], rows);
}
