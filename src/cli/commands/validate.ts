import { expectAnswer, ValidateResult } from '../answers.ts';
import { seg } from '../client.ts';
import type { CliContext } from '../context.ts';
import { CliExit, EXIT, usageError } from '../exit-codes.ts';
import { readConnectorFile } from '../files.ts';
import { printJson } from '../output.ts';

/** Connect's PUT /connector-plugins/{class}/config/validate; errors print one a line, `field: message`. */
export async function validate(ctx: CliContext, file: string): Promise<void> {
  const { config } = await readConnectorFile(file);
  const connectorClass = config['connector.class'];
  if (typeof connectorClass !== 'string' || connectorClass === '') throw usageError(`${file} has no "connector.class"`);
  const path = `/connector-plugins/${seg(connectorClass)}/config/validate`;
  const answer = (await ctx.client.call('PUT', path, config)).body;
  const result = expectAnswer(ValidateResult, answer, `PUT ${path}`);
  if (ctx.json) printJson(ctx.output, answer);
  else if (result.error_count === 0) ctx.output.out(`${file}: valid ${connectorClass} config\n`);
  else {
    for (const { value } of result.configs) for (const error of value.errors) ctx.output.out(`${value.name}: ${error}\n`);
  }
  if (result.error_count > 0) throw new CliExit(EXIT.invalidConfig, `${file}: ${result.error_count} error${result.error_count === 1 ? '' : 's'}`);
}
