/**
 * The page in a real browser (Chromium through playwright-core): what a person sees is what the
 * table holds, it follows the table without a reload, it says when the pipeline stops, a row it
 * cannot read does not blank it, it speaks the locale it is given, and it rides out a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { formatCount, formatMoney } from '../../src/core/format.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from '../support/chromium.ts';
import { SAMPLE_ROWS, screenRig, upsert, type ScreenRig, type TableRow } from './screen-fixture.ts';

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
    // These rows came without their minutes (not from a pipeline): the page says there is no curve.
    await expect.poll(() => text('chart-empty'), { timeout: 5000, interval: 50 }).toBe('The history holds no minutes of this day: no curve.');
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

  it('leaves out a row it cannot read (a begin_time that is no day, a GMV that is no number), counts it on the page, and shows the rest', async () => {
    const bad: TableRow[] = [
      { ...SAMPLE_ROWS[0]!, begin_time: 'yesterday, more or less' },
      { ...SAMPLE_ROWS[0]!, channel_code: 'qqShop', channel_name: 'QQ', cur_gmv: 'a lot' as unknown as number },
    ];
    rig = await screenRig([...SAMPLE_ROWS, ...bad]);
    page = await open(rig);
    expect(await text('gmv-webShop')).toBe('986.50');
    expect(await text('total-gmv')).toBe('1,585.80');
    expect(await text('day')).toBe('Thursday, March 25, 2021 · Asia/Shanghai');
    expect(await page.getByTestId('channel-qqShop').count()).toBe(0);
    expect(await text('skipped-note')).toBe('2 rows of the table cannot be read and are left out: begin_time "yesterday, more or less" is not a day');
    expect(await page.getByTestId('render-note').isHidden()).toBe(true);
    // Two days on, today has no rows: the latest day is the latest real day, not the bad row's.
    rig.now = Date.parse('2021-03-27T09:00:00+08:00');
    rig.changes.notify();
    await expect.poll(() => text('day-note'), { timeout: 5000, interval: 50 }).toBe('No sales in the table for today (2021-03-27) yet: showing 2021-03-25, the latest day it has.');
    expect(await text('day')).toBe('Thursday, March 25, 2021 · Asia/Shanghai');
    expect(await text('total-gmv')).toBe('1,585.80');
    expect(await text('clock')).toBe('09:00:00');
  }, 30_000);

  it('formats amounts as zh-CN formats CNY, with the page in Chinese, when the screen is given that locale and currency', async () => {
    rig = await screenRig(SAMPLE_ROWS, 200, { display: { locale: 'zh-CN', currency: 'CNY' } });
    page = await open(rig);
    const yuan = new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' });
    expect(await text('total-gmv')).toBe('¥1,585.80');
    expect(await text('total-gmv')).toBe(yuan.format(1585.8));
    expect(await text('gmv-webShop')).toBe('¥986.50');
    expect(await text('total-aov')).toBe(yuan.format(1585.8 / 9));
    expect(await text('total-orders')).toBe('9');
    expect(await text('title')).toBe('今日销售');
    expect(await text('day')).toBe('2021年3月25日星期四 · Asia/Shanghai');
    expect(await text('share-webShop')).toBe(`占成交额 ${new Intl.NumberFormat('zh-CN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(986.5 / 1585.8)}`);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang)).toBe('zh-CN');
  }, 30_000);

  it('reconnects by itself when the screen server restarts, and says so', async () => {
    rig = await screenRig();
    page = await open(rig);
    const loadId = await page.evaluate(() => (globalThis as unknown as ScreenWindow).tradeflowScreen?.loadId);
    const banner = page.getByTestId('status-banner');
    const screen = rig;
    const restarted = (async () => {
      await screen.screen.close();
      await banner.waitFor({ state: 'visible', timeout: 5000 });
      expect(await banner.textContent()).toContain('Connection to the screen lost: reconnecting');
      await upsert(screen.db, [{ ...SAMPLE_ROWS[3]!, cur_gmv: 1086.5 }]); // written while the screen was away
      await screen.restart();
    })();
    await restarted;
    await banner.waitFor({ state: 'hidden', timeout: 10_000 });
    await expect.poll(() => text('gmv-webShop'), { timeout: 5000, interval: 100 }).toBe('1,086.50');
    expect(await text('reconnected-note')).toBe('Reconnected to the screen at 16:20:00.');
    expect(await text('live-text')).toBe('live');
    expect(await page.evaluate(() => (globalThis as unknown as ScreenWindow).tradeflowScreen?.loadId)).toBe(loadId); // no reload
  }, 30_000);
  it('works as a wall screen opened with the token in its URL: the figures shown, then followed', async () => {
    const token = 'wall-screen-token-0123456789';
    rig = await screenRig(undefined, 200, { guard: { token } });
    const refused = await fetch(new URL('api/snapshot', rig.screen.url));
    expect(refused.status).toBe(401);
    const opened = await browser.newPage();
    page = opened;
    const failed: string[] = [];
    opened.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await opened.goto(`${rig.screen.url}?token=${token}`);
    await opened.waitForFunction(() => ((globalThis as unknown as ScreenWindow).tradeflowScreen?.snapshots ?? 0) > 0, undefined, { timeout: 5000 });
    expect(await text('gmv-webShop')).toBe('986.50');
    await upsert(rig.db, [{ ...SAMPLE_ROWS[3]!, cur_gmv: 2_000 }]);
    rig.changes.notify();
    await expect.poll(() => text('gmv-webShop'), { timeout: 5000, interval: 50 }).toBe('2,000.00');
    expect(failed).toEqual([]);
  }, 30_000);
});
