/** Browser specs: Debian's Chromium, or a failure (CI) or a skip that says why. */
import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';
import { servicesRequired } from './services.ts';

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
  if (existsSync(CHROMIUM)) {
    describe(title, specs);
  } else if (servicesRequired()) {
    describe(title, () => {
      it(`needs Chromium at ${CHROMIUM}`, () => {
        throw new Error(`No Chromium at ${CHROMIUM} (required by CI or TRADEFLOW_REQUIRE_SERVICES): apt-get install -y chromium`);
      });
    });
  } else {
    console.warn(`Skipped "${title}": no Chromium at ${CHROMIUM}. To run these specs: apt-get install -y chromium (as root), then npm test.`);
    describe.skip(title, specs);
  }
}
