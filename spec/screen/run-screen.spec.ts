/**
 * The screen of a real run: `tradeflow run` as `npm start` runs it (the built-in simulator into
 * SQLite), opened in Chromium. Writes data/screen-live.png, the picture the README shows.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { formatCount } from '../../src/core/format.ts';
import { finished, scratchDir, sqliteRows, startCli } from '../support/cli.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from '../support/chromium.ts';

describeWithChromium('the live screen of a running pipeline', () => {
  it('shows the simulator\'s orders as the table has them, updating without a reload, then that the pipeline stopped', async () => {
    const port = await freePort();
    const db = join(scratchDir(), 'live.sqlite');
    const run = startCli(['run', '--db', `sqlite:${db}`, '--rate', '300', '--http-port', String(port), '--timezone', 'UTC']);
    const done = finished(run);
    const profile = mkdtempSync(join(tmpdir(), 'tradeflow-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1280, height: 800 }, locale: 'en-US', timezoneId: 'UTC' });
    try {
      const page = await browser.newPage();
      await waitFor(async () => (await page.goto(`http://127.0.0.1:${port}/`).catch(() => null))?.ok() === true);
      await page.evaluate(() => ((globalThis as { specMarker?: string }).specMarker = 'loaded once'));
      const ordersShown = async (): Promise<number> => Number(((await page.getByTestId('total-orders').textContent()) ?? '0').replace(/,/g, ''));
      await waitFor(async () => (await ordersShown()) > 0);
      const first = await ordersShown();
      await waitFor(async () => (await ordersShown()) > first); // more orders flowed in, no reload
      expect(await page.evaluate(() => (globalThis as { specMarker?: string }).specMarker)).toBe('loaded once');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      mkdirSync('data', { recursive: true });
      await page.screenshot({ path: 'data/screen-live.png' });

      run.kill('SIGINT'); // the last flush, then the end
      expect((await done).code).toBe(0);
      const rows = sqliteRows(db, 'select sum(cur_order_count) as orders from trade_channel_collect');
      const total = Number(rows[0]?.orders);
      // The page saw a value the table really had on its way (never more than the final one).
      expect(first).toBeLessThanOrEqual(total);
      expect(await page.getByTestId('status-banner').textContent({ timeout: 5000 })).toMatch(/stopped|lost/i);
      expect(formatCount(total)).toMatch(/^\d/);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
      run.kill('SIGKILL');
    }
  }, 90_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('Cannot wait longer: the page never showed it');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
