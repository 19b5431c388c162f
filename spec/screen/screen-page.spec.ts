/**
 * The page in a real browser (Chromium through playwright-core): what a person sees is what the
 * table holds, it follows the table without a reload, and it says when the pipeline stops.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { formatCount, formatMoney } from '../../src/cli/format.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from '../support/chromium.ts';
import { decodePng, differingPixels } from './png-pixels.ts';
import { SAMPLE_ROWS, screenRig, upsert, type ScreenRig, type TableRow } from './screen-fixture.ts';

/** Chromium's antialiasing of rounded corners varies by a few pixels from run to run: that is no change of the page. */
const SCREENSHOT_NOISE_PIXELS = 200;
const SCREENSHOT = new URL('../../src/screen/screenshot.png', import.meta.url).pathname;

/** What the page keeps on its window (the specs' tsconfig has no DOM types: `globalThis` is cast). */
interface ScreenWindow {
  tradeflowScreen?: { loadId: string; snapshots: number; generatedAt: number | null };
  specMarker?: string;
}

describeWithChromium('the live screen in a browser', () => {
  let profile: string;
  let browser: BrowserContext;
  let rig: ScreenRig | undefined;
  let page: Page | undefined;

  beforeAll(async () => {
    profile = mkdtempSync(join(tmpdir(), 'tradeflow-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      headless: true,
      viewport: { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  afterEach(async () => {
    await page?.close();
    await rig?.close();
    page = undefined;
    rig = undefined;
  });

  /** Opens the screen and waits for its first snapshot. */
  async function open(screen: ScreenRig): Promise<Page> {
    const opened = await browser.newPage();
    const errors: string[] = [];
    opened.on('pageerror', (error) => errors.push(error.message));
    await opened.goto(screen.screen.url);
    await opened.waitForFunction(() => ((globalThis as unknown as ScreenWindow).tradeflowScreen?.snapshots ?? 0) > 0, undefined, { timeout: 5000 });
    expect(errors).toEqual([]);
    return opened;
  }

  const text = async (testId: string): Promise<string | null> => page!.getByTestId(testId).textContent({ timeout: 2000 });

  it('shows per channel the GMV, paying users, paid orders and last payment that the table holds, formatted for people', async () => {
    rig = await screenRig();
    page = await open(rig);
    const rows = (await rig.db('trade_channel_collect').where('begin_time', '2021-03-25 00:00:00')) as TableRow[];
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      const code = row.channel_code;
      expect(await text(`gmv-${code}`)).toBe(formatMoney(row.cur_gmv));
      expect(await text(`users-${code}`)).toBe(formatCount(row.cur_order_user_count));
      expect(await text(`orders-${code}`)).toBe(formatCount(row.cur_order_count));
      expect(await text(`last-pay-${code}`)).toBe(row.last_pay_time.slice(11));
      expect(await page.getByTestId(`channel-${code}`).textContent()).toContain(row.channel_name);
    }
    const gmv = rows.reduce((sum, row) => sum + row.cur_gmv, 0);
    expect(await text('total-gmv')).toBe(formatMoney(gmv));
    expect(await text('total-orders')).toBe('9');
    expect(await text('share-webShop')).toBe(`${((986.5 / gmv) * 100).toFixed(1)}% of GMV`);
    expect(await text('day')).toBe('Thursday, March 25, 2021 · Asia/Shanghai');
    expect(await text('clock')).toBe('16:20:00');
    expect(await page.getByTestId('status-banner').isHidden()).toBe(true);
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
  }, 30_000);

  it('follows a change of the table without a reload', async () => {
    rig = await screenRig();
    page = await open(rig);
    const loadId = await page.evaluate(() => (globalThis as unknown as ScreenWindow).tradeflowScreen?.loadId);
    await page.evaluate(() => ((globalThis as unknown as ScreenWindow).specMarker = 'set before the change'));
    await upsert(rig.db, [{ ...SAMPLE_ROWS[3]!, cur_gmv: 1_234_567.89, cur_order_user_count: 1234, cur_order_count: 12_345 }]);
    rig.changes.notify();
    await expect.poll(() => text('gmv-webShop'), { timeout: 5000, interval: 50 }).toBe('1,234,567.89');
    expect(await text('users-webShop')).toBe('1,234');
    expect(await text('orders-webShop')).toBe('12,345');
    expect(await text('total-gmv')).toBe(formatMoney(50.5 + 148.8 + 400 + 1_234_567.89));
    const after = await page.evaluate(() => (globalThis as unknown as ScreenWindow).tradeflowScreen?.loadId + ' ' + (globalThis as unknown as ScreenWindow).specMarker);
    expect(after).toBe(`${loadId} set before the change`);
  }, 30_000);

  it('says plainly in a banner when the pipeline stops, the database is unreachable or the screen is gone', async () => {
    rig = await screenRig();
    page = await open(rig);
    const banner = page.getByTestId('status-banner');
    expect(await banner.isHidden()).toBe(true);
    rig.status = { ...rig.status, pipeline: 'stopped' };
    await banner.waitFor({ state: 'visible', timeout: 5000 });
    expect(await banner.textContent()).toContain('Pipeline stopped');
    expect(await text('live-text')).toBe('not updating');
    rig.status = { ...rig.status, pipeline: 'running', database: 'down' };
    await expect.poll(() => banner.textContent(), { timeout: 5000, interval: 50 }).toMatch(/^Database unreachable/);
    rig.status = { ...rig.status, database: 'up' };
    await banner.waitFor({ state: 'hidden', timeout: 5000 });
    expect(await text('live-text')).toBe('live');
    await rig.screen.close();
    await banner.waitFor({ state: 'visible', timeout: 5000 });
    expect(await banner.textContent()).toContain('Connection to the screen lost');
  }, 30_000);

  it('writes the screenshot of the README: the tutorial sample through its day', async () => {
    rig = await screenRig([]);
    const day = Date.parse('2021-03-25T00:00:00+08:00');
    const end = Date.parse('2021-03-25T16:20:00+08:00');
    expect(rowsAt(end)).toEqual(SAMPLE_ROWS);
    const steps = [...Array.from({ length: 66 }, (_, i) => day + i * 15 * 60_000), end];
    const live = (now: number, paid: number): void => {
      Object.assign(rig!.counters, { read: paid + 2, rejected: 0, filtered: 2, rowsWritten: paid, flushes: paid });
      rig!.status = { ...rig!.status, lagMessages: 0, lastFlushMs: now - 400 };
    };
    for (const [i, now] of steps.entries()) {
      rig.now = now;
      const rows = rowsAt(now);
      await upsert(rig.db, rows);
      live(now, rows.reduce((sum, row) => sum + row.cur_order_count, 0));
      if (i === 0) page = await open(rig);
      else rig.changes.notify();
      await page!.waitForFunction((at) => (globalThis as unknown as ScreenWindow).tradeflowScreen?.generatedAt === at, now, { timeout: 5000 });
    }
    expect(await text('gmv-webShop')).toBe('986.50');
    expect(await text('total-gmv')).toBe('1,585.80');
    const png = await page!.screenshot({ animations: 'disabled' });
    const pixels = decodePng(png);
    expect([pixels.width, pixels.height]).toEqual([1280, 800]);
    // Written when the page looks different (not for antialiasing noise), so that a test run leaves git clean.
    if (!existsSync(SCREENSHOT) || differingPixels(decodePng(readFileSync(SCREENSHOT)), pixels) > SCREENSHOT_NOISE_PIXELS) writeFileSync(SCREENSHOT, png);
  }, 60_000);
});

/** The payments of 2021-03-25 in the tutorial's sample stream (spec/fixtures/orders-sample.jsonl), in pay time. */
const SAMPLE_PAYMENTS = [
  { at: '00:00:00', channel: 'webShop', amount: 480, user: '0004' },
  { at: '06:07:00', channel: 'appShop', amount: 50.5, user: '0001' },
  { at: '06:07:00', channel: 'webShop', amount: 66.6, user: '0002' },
  { at: '06:07:00', channel: 'miniAppShop', amount: 88.8, user: '0003' },
  { at: '06:07:00', channel: 'webShop', amount: 99.9, user: '0004' },
  { at: '08:10:00', channel: 'webShop', amount: 240, user: '0004' },
  { at: '12:03:00', channel: 'miniAppShop', amount: 60, user: '0002' },
  { at: '15:10:00', channel: 'other', amount: 400, user: '0003' },
  { at: '16:16:16', channel: 'webShop', amount: 100, user: '0004' },
];

/** The sample's rows as the pipeline would have written them by this time of 2021-03-25 (Asia/Shanghai). */
function rowsAt(now: number): TableRow[] {
  const clock = new Date(now + 8 * 3_600_000).toISOString().slice(11, 19);
  return SAMPLE_ROWS.flatMap((row) => {
    const paid = SAMPLE_PAYMENTS.filter((p) => p.channel === row.channel_code && p.at <= clock);
    if (paid.length === 0) return [];
    const gmv = Math.round(paid.reduce((sum, p) => sum + p.amount, 0) * 100) / 100;
    const last = paid[paid.length - 1]!;
    return [{ ...row, cur_gmv: gmv, cur_order_user_count: new Set(paid.map((p) => p.user)).size, cur_order_count: paid.length, last_pay_time: `2021-03-25 ${last.at}` }];
  });
}
