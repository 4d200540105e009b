/**
 * The overview's charts, run in the browser beside consoleMain (client.ts) and served the same
 * way (its own source text, so it may use nothing from outside its body). Every console page
 * samples /metrics every few seconds, as a Prometheus server would, and keeps ten minutes of
 * samples in sessionStorage, so moving between pages keeps the history; the overview draws the
 * ingest rate (accepted records a second) and the sink lag of each connector from them.
 */
export function consoleCharts(): void {
  const SAMPLES_KEY = 'inlet.samples';
  const HISTORY_MS = 10 * 60_000;
  const SAMPLE_EVERY_MS = 5_000;

  type Sample = { t: number; ingested: Record<string, number>; lag: Record<string, number> };

  function parseMetrics(text: string): Sample {
    const sample: Sample = { t: Date.now(), ingested: {}, lag: {} };
    for (const line of text.split('\n')) {
      const match = /^(inlet_ingest_records_total|inlet_sink_lag_records)\{([^}]*)\} (\S+)$/.exec(line);
      if (!match) continue;
      const labels = Object.fromEntries([...match[2]!.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
      const connector = labels.connector;
      if (!connector || connector === '(unknown)') continue;
      if (match[1] === 'inlet_ingest_records_total') {
        if (labels.result === 'accepted') sample.ingested[connector] = (sample.ingested[connector] ?? 0) + Number(match[3]);
      } else sample.lag[connector] = (sample.lag[connector] ?? 0) + Number(match[3]);
    }
    return sample;
  }

  function samples(): Sample[] {
    try {
      return JSON.parse(sessionStorage.getItem(SAMPLES_KEY) ?? '[]') as Sample[];
    } catch {
      return [];
    }
  }

  const SVG = 'http://www.w3.org/2000/svg';
  function chart(title: string, unit: string, points: [number, number][], now: number, span: number): HTMLElement {
    const figure = document.createElement('figure');
    const width = 320;
    const height = 80;
    const max = Math.max(1, ...points.map(([, y]) => y));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('role', 'img');
    const last = points.at(-1)?.[1];
    const minutes = `${Math.round(span / 60_000)} min`;
    svg.setAttribute('aria-label', `${title}: ${last === undefined ? 'no data yet' : `${last.toFixed(1)} ${unit} now`}, at most ${max.toFixed(1)} over the last ${minutes}`);
    const line = document.createElementNS(SVG, 'polyline');
    const x = (t: number) => (width * (t - (now - span))) / span;
    const y = (value: number) => height - 4 - ((height - 8) * value) / max;
    line.setAttribute('points', points.map(([t, value]) => `${x(t).toFixed(1)},${y(value).toFixed(1)}`).join(' '));
    line.setAttribute('class', 'series');
    svg.append(line);
    const caption = document.createElement('figcaption');
    caption.textContent = `${title}: ${last === undefined ? '–' : last.toFixed(1)} ${unit} now, max ${max.toFixed(1)} over ${minutes}`;
    figure.append(svg, caption);
    return figure;
  }

  function drawCharts(container: HTMLElement): void {
    const history = samples();
    const now = Date.now();
    // From the first sample (a minute at least) up to the whole history: a new tab's chart is not a sliver.
    const span = Math.min(HISTORY_MS, Math.max(60_000, now - (history[0]?.t ?? now)));
    const connectors = new Set(history.flatMap((s) => [...Object.keys(s.ingested), ...Object.keys(s.lag)]));
    container.replaceChildren();
    if (connectors.size === 0) {
      container.textContent = 'No ingest or sink lag measured yet (sampled every 5 s while a console page is open).';
      return;
    }
    for (const connector of [...connectors].sort()) {
      const rates: [number, number][] = [];
      for (let i = 1; i < history.length; i++) {
        const before = history[i - 1]!;
        const after = history[i]!;
        const delta = (after.ingested[connector] ?? 0) - (before.ingested[connector] ?? 0);
        // A restarted worker's counters start again from 0: no rate across it.
        if (connector in after.ingested && delta >= 0) rates.push([after.t, delta / ((after.t - before.t) / 1000)]);
      }
      const lag = history.filter((s) => connector in s.lag).map((s): [number, number] => [s.t, s.lag[connector]!]);
      const section = document.createElement('section');
      section.className = 'rates';
      const heading = document.createElement('h3');
      heading.textContent = connector;
      section.append(heading);
      if (rates.length > 0) section.append(chart(`ingest rate of ${connector}`, 'records/s', rates, now, span));
      if (lag.length > 0) section.append(chart(`sink lag of ${connector}`, 'records', lag, now, span));
      container.append(section);
    }
  }

  async function sample(): Promise<void> {
    try {
      const response = await fetch('/metrics');
      if (!response.ok) return;
      const history = [...samples(), parseMetrics(await response.text())].filter((s) => s.t > Date.now() - HISTORY_MS);
      sessionStorage.setItem(SAMPLES_KEY, JSON.stringify(history));
    } catch {
      // The next tick tries again.
    }
    const container = document.querySelector<HTMLElement>('#rates');
    if (container) drawCharts(container);
  }

  void sample();
  setInterval(() => void sample(), SAMPLE_EVERY_MS);
}
