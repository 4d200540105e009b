/** Monotonic counters with labels, rendered in Prometheus' text format. */
export class Counters {
  private readonly values = new Map<string, { help: string; series: Map<string, number> }>();

  define(name: string, help: string): void {
    if (!this.values.has(name)) this.values.set(name, { help, series: new Map() });
  }

  add(name: string, labels: Record<string, string>, amount = 1): void {
    const metric = this.values.get(name);
    if (!metric) throw new Error(`metric ${name} is not defined`);
    const key = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
      .join(',');
    metric.series.set(key, (metric.series.get(key) ?? 0) + amount);
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, { help, series }] of this.values) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of series) lines.push(`${name}{${labels}} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
