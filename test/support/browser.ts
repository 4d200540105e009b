import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
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
