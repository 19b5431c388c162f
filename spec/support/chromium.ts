/** Browser specs: Debian's Chromium, or a failure (CI) or a skip that says why. */
import { existsSync } from 'node:fs';
import { describeRequiring } from './services.ts';

/** Debian's Chromium (a browser download cannot work here). */
export const CHROMIUM = '/usr/bin/chromium';
/** Headless, and without the background networking this closed machine refuses. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `describe` when Chromium is installed; else a failure (CI, TRADEFLOW_REQUIRE_SERVICES) or a skip with a note. */
export function describeWithChromium(title: string, specs: () => void): void {
  const what = `Chromium at ${CHROMIUM}`;
  describeRequiring({ present: existsSync(CHROMIUM), what, absence: `no ${what}`, remedy: 'apt-get install -y chromium (as root)' }, title, specs);
}
