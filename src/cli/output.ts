/** Where a command writes: stdout for results, stderr for messages. Tests of main() swap them. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** `--json`: the API's answer as is, pretty-printed. */
export function printJson(output: Output, value: unknown): void {
  output.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain table: a header row in capitals, columns padded to their widest cell. */
export function printTable(output: Output, headers: readonly string[], rows: readonly (readonly string[])[]): void {
  if (rows.length === 0) {
    output.out('(none)\n');
    return;
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  output.out(`${[line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n')}\n`);
}

/** The first line of a (possibly multi-line) trace, for a table cell. */
export const firstLine = (text: string | undefined) => (text ?? '').split('\n')[0]!.slice(0, 120);
