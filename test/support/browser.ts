import type { AxeResults, RunOptions } from 'axe-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { cleanups } from './wait.ts';

const ROOT = join(import.meta.dir, '..', '..');
/** Screenshots of the browser tests (git-ignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');

/** Debian's `chromium` (INLET_CHROMIUM names another build); .ci/run installs it. */
export const CHROMIUM = process.env.INLET_CHROMIUM || Bun.which('chromium') || Bun.which('chromium-browser');

/**
 * Why the browser tests cannot run here, or undefined when they can. In CI (CI=true) a missing
 * browser is a failure, not a skip: the console would go untested without anyone noticing.
 */
export function browserMissing(): string | undefined {
  if (CHROMIUM) return undefined;
  const reason = 'no chromium on PATH (apt-get install -y chromium, or set INLET_CHROMIUM)';
  if (process.env.CI === 'true') throw new Error(`the console's browser tests need a browser in CI: ${reason}`);
  return reason;
}

/** A headless Chromium, closed after the suite. */
export async function launchBrowser(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('no chromium: check browserMissing() first');
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  cleanups.push(() => browser.close());
  mkdirSync(ARTIFACTS, { recursive: true });
  return browser;
}

export const screenshotPath = (name: string) => join(ARTIFACTS, `${name}.png`);

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core (Deque's accessibility engine) finds against WCAG 2 A and AA on the page as it is
 * now, one line a rule and element. Run through the debugging protocol, so the page's CSP does not
 * stop it.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const options: RunOptions = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } };
  const results = await page.evaluate(
    (runOptions) => (window as unknown as { axe: { run(context: Document, options: RunOptions): Promise<AxeResults> } }).axe.run(document, runOptions),
    options,
  );
  return results.violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id} (${violation.impact}): ${node.target.join(' ')}: ${node.failureSummary ?? violation.help}`));
}
