/** A sample of the worker's history (src/runtime/metrics.ts RateSamples), as /ui/f/rates serves it. */
export interface RateSample {
  t: number;
  /** Records accepted so far, per connector (a counter). */
  ingested: Record<string, number>;
  /** Sink lag in records, per connector. */
  lag: Record<string, number>;
}

/**
 * The overview's charts, run in the browser beside consoleMain (client.ts) and served the same
 * way (its own source text, so it may use nothing from outside its body). The worker keeps the
 * last ten minutes of samples (ingest counters and sink lag per connector); the overview loads
 * them on opening, so its charts start with the minutes before, and again every few seconds.
 */
export function consoleCharts(): void {
  const TOKEN_KEY = 'inlet.apiToken';
  const REFRESH_MS = 5_000;
  const HISTORY_MS = 10 * 60_000;

  type Sample = { t: number; ingested: Record<string, number>; lag: Record<string, number> };

  const SVG = 'http://www.w3.org/2000/svg';
  function chart(title: string, unit: string, points: [number, number][], now: number, span: number): HTMLElement {
    const figure = document.createElement('figure');
    const width = 320;
    const height = 80;
    const max = Math.max(1, ...points.map(([, y]) => y));
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    svg.setAttribute('role', 'img');
    // What was drawn, for a reader of the page's markup (and its tests): how many points, from when.
    svg.setAttribute('data-points', String(points.length));
    svg.setAttribute('data-from', String(points[0]?.[0] ?? ''));
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

  function drawCharts(container: HTMLElement, history: Sample[]): void {
    const now = Date.now();
    // From the first sample (a minute at least) up to the whole history: a young worker's chart is not a sliver.
    const span = Math.min(HISTORY_MS, Math.max(60_000, now - (history[0]?.t ?? now)));
    const connectors = new Set(history.flatMap((s) => [...Object.keys(s.ingested), ...Object.keys(s.lag)]));
    container.replaceChildren();
    if (connectors.size === 0) {
      container.textContent = 'No ingest or sink lag measured yet (the worker samples them every 5 s).';
      return;
    }
    for (const connector of [...connectors].sort()) {
      const rates: [number, number][] = [];
      for (let i = 1; i < history.length; i++) {
        const before = history[i - 1]!;
        const after = history[i]!;
        const delta = (after.ingested[connector] ?? 0) - (before.ingested[connector] ?? 0);
        // A connector recreated under the same name counts from 0 again: no rate across it.
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

  /** Loads the worker's samples (behind the token, like every data part) and draws them. */
  async function refresh(container: HTMLElement): Promise<void> {
    const token = sessionStorage.getItem(TOKEN_KEY);
    try {
      const response = await fetch('/ui/f/rates', { headers: token ? { authorization: `Bearer ${token}` } : {} });
      // Not signed in yet: consoleMain asks for the token; the next tick tries again.
      if (!response.ok) return;
      drawCharts(container, ((await response.json()) as { samples: Sample[] }).samples);
    } catch {
      // The next tick tries again.
    }
  }

  const container = document.querySelector<HTMLElement>('#rates');
  if (!container) return;
  void refresh(container);
  setInterval(() => void refresh(container), REFRESH_MS);
}
