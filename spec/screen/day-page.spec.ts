/**
 * The screen in Chromium over a recorded week that the real `tradeflow run --days all` replayed
 * into SQLite: the day's curve comes from the history (from its first minute, the same after a
 * reload), the comparisons equal what the table and the history say, the day picker shows a
 * past day's rows, no screen size scrolls sideways. Writes the README's three screenshots.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { formatCount, formatMoney } from '../../src/core/format.ts';
import { createCounters } from '../../src/core/batch.ts';
import { attosToText } from '../../src/core/money.ts';
import { exactAttos } from '../support/replay.ts';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import type { ScreenDisplay } from '../../src/screen/screen-api.ts';
import { startScreen, type Screen } from '../../src/screen/screen-server.ts';
import type { ScreenStatus } from '../../src/screen/screen-status.ts';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from '../support/chromium.ts';
import { runCli, scratchDir, sqliteRows } from '../support/cli.ts';
import { decodePng, differingPixels } from './png-pixels.ts';
import { ZONE } from './screen-fixture.ts';

const DAY = '2021-03-25';
const BEFORE = '2021-03-24';
const TWO_BEFORE = '2021-03-23';
const WEEK_BEFORE = '2021-03-18';
/** The recording of the last day stops here, as if the shop were live at 16:20. */
const CUT = `${DAY} 16:20:00`;
const AT_CUT = Date.parse(`${DAY}T16:20:30+08:00`);
/** Chromium's antialiasing varies by a few pixels from run to run: that is no change of the page. */
const SCREENSHOT_NOISE_PIXELS = 400;
const screenshot = (name: string): string => new URL(`../../src/screen/screen-${name}.png`, import.meta.url).pathname;

/** What the page keeps on its window (the specs' tsconfig has no DOM types: `globalThis` is cast). */
interface ScreenWindow {
  tradeflowScreen?: {
    loadId: string;
    snapshots: number;
    views: number;
    curve: { day: string; mode: string; series: { key: string; label: string; values: (number | null)[] }[] } | null;
  };
}

/** The exact sum of `trade_channel_history` rows, as the page gets it: a number from micro-units. */
function historySum(file: string, day: string, where: string): { gmv: number; orders: number } {
  const rows = sqliteRows(file, `select gmv, order_count from trade_channel_history where begin_time = '${day} 00:00:00' and ${where}`);
  const attos = rows.reduce((sum, row) => sum + exactAttos(String(row.gmv)), 0n);
  return { gmv: Number(attosToText(attos)), orders: rows.reduce((sum, row) => sum + Number(row.order_count), 0) };
}

function tableRows(file: string, day: string): { channel_code: string; cur_gmv: number; cur_order_user_count: number; cur_order_count: number; last_pay_time: string }[] {
  return sqliteRows(file, `select * from trade_channel_collect where begin_time = '${day} 00:00:00' order by channel_code`) as never;
}

/** A change as people read it, formatted independently of the page: `▲ 12.3%`. */
function change(current: number, base: number): string {
  const ratio = current / base - 1;
  const shown = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.abs(ratio));
  return shown === '0.0%' ? `= ${shown}` : `${ratio > 0 ? '▲' : '▼'} ${shown}`;
}

describeWithChromium('the screen of a recorded week', () => {
  let full: string; // the whole week
  let cut: string; // the week, its last day recorded until 16:20
  let counters = createCounters();
  let browser: Browser;
  const opened: { screen: Screen; close: () => Promise<void> }[] = [];
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const dir = scratchDir();
    const week = join(dir, 'week.jsonl');
    expect((await runCli(['generate', '--orders', '24000', '--seed', '16', '--day', DAY, '--days', '8', '--out', week])).code).toBe(0);
    const lines = readFileSync(week, 'utf8').split('\n');
    writeFileSync(join(dir, 'cut.jsonl'), lines.filter((line) => (/"order_time":"([^"]+)"/.exec(line)?.[1] ?? '') <= CUT).join('\n'));
    [full, cut] = [join(dir, 'full.sqlite'), join(dir, 'cut.sqlite')];
    const replays = await Promise.all(
      [[week, full], [join(dir, 'cut.jsonl'), cut]].map(([file, db]) => runCli(['run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--days', 'all', '--timezone', ZONE])),
    );
    for (const replay of replays) expect(replay.code, replay.stderr).toBe(0);
    const read = /^read ([\d,]+) \| rejected ([\d,]+) \| filtered ([\d,]+)/m.exec(replays[1]!.stdout);
    counters = { ...createCounters(), read: Number(read?.[1]?.replace(/,/g, '')), rejected: Number(read?.[2]?.replace(/,/g, '')), filtered: Number(read?.[3]?.replace(/,/g, '')) };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    for (const screen of opened.splice(0)) await screen.close();
  });

  /** Serves a SQLite file with the screen's clock at `now`, as a replay that has just read it all. */
  async function serve(file: string, now: number, display?: ScreenDisplay): Promise<string> {
    const db = openDatabase(parseDatabase(`sqlite:${file}`));
    const status = (): ScreenStatus => ({ pipeline: 'running', database: 'up', counters, sourcePosition: `line ${formatCount(counters.read)}`, lastFlushMs: now - 400 });
    const screen = await startScreen({ db, port: 0, zone: ZONE, clock: () => now, status, ...(display && { display }) });
    opened.push({ screen, close: async () => (await screen.close(), await db.destroy()) });
    return screen.url;
  }

  /** Opens the page and waits until it has drawn the day's view of `day`. */
  async function open(url: string, day: string, options: { width?: number; height?: number; colorScheme?: 'dark' | 'light' } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 }, colorScheme: options.colorScheme ?? 'dark', locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    await waitForView(page, day);
    expect(errors).toEqual([]);
    return page;
  }

  const waitForView = (page: Page, day: string): Promise<unknown> =>
    page.waitForFunction((d) => (globalThis as unknown as ScreenWindow).tradeflowScreen?.curve?.day === d, day, { timeout: 10_000 });
  const text = (page: Page, testId: string): Promise<string | null> => page.getByTestId(testId).first().textContent({ timeout: 2000 });
  const curve = (page: Page) => page.evaluate(() => (globalThis as unknown as ScreenWindow).tradeflowScreen?.curve ?? null);
  const loadIdOf = (page: Page) => page.evaluate(() => (globalThis as unknown as ScreenWindow).tradeflowScreen?.loadId);

  it('draws the day\'s curve from the history from its first minute, each channel ending at its row, and the same curve after a reload', async () => {
    const url = await serve(full, Date.parse(`${DAY}T23:59:59+08:00`));
    const page = await open(url, DAY);
    const drawn = (await curve(page))!;
    expect(drawn.mode).toBe('channels');
    const rows = tableRows(full, DAY);
    expect(rows.length).toBe(4);
    for (const row of rows) {
      const values = drawn.series.find((s) => s.key === `day:${row.channel_code}`)?.values ?? [];
      expect(values).toHaveLength(1441); // x: the end of each minute, from 00:00 to 24:00
      expect(values[0]).toBe(0);
      expect(values[1]).toBe(historySum(full, DAY, `pay_minute < 1 and channel_code = '${row.channel_code}'`).gmv);
      expect(values[60]).toBe(historySum(full, DAY, `pay_minute < 60 and channel_code = '${row.channel_code}'`).gmv);
      expect(values[60]).toBeGreaterThan(0); // orders from the first hour on, not a spike at the end
      expect(values[1440]).toBe(row.cur_gmv);
    }
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    const loadId = await loadIdOf(page);
    await page.reload();
    await waitForView(page, DAY);
    expect(await loadIdOf(page)).not.toBe(loadId);
    expect(await curve(page)).toEqual(drawn);
    // The day before, replayed in the same run, has its whole curve too.
    await page.getByTestId('curve-mode').getByRole('button', { name: 'Total' }).click();
    const total = (await curve(page))!;
    expect(total.series.map((s) => s.key)).toEqual(['week', 'before', 'day']);
    expect(total.series.find((s) => s.key === 'before')?.values[1440]).toBe(historySum(full, BEFORE, '1 = 1').gmv);
  }, 60_000);

  it('compares today with yesterday and the same day last week at the same time of day, as the table and the history say', async () => {
    const url = await serve(cut, AT_CUT);
    const page = await open(url, DAY);
    const rows = tableRows(cut, DAY);
    const gmv = rows.reduce((sum, row) => sum + row.cur_gmv, 0);
    const orders = rows.reduce((sum, row) => sum + row.cur_order_count, 0);
    expect(await text(page, 'total-gmv')).toBe(formatMoney(gmv));
    // 16:20:30: the minutes before 16:20 of the days compared.
    const yesterday = historySum(cut, BEFORE, 'pay_minute < 980');
    const lastWeek = historySum(cut, WEEK_BEFORE, 'pay_minute < 980');
    expect(yesterday.gmv).toBeGreaterThan(0);
    expect(lastWeek.gmv).toBeGreaterThan(0);
    await expect.poll(() => text(page, 'change-yesterday-gmv'), { timeout: 5000 }).toBe(`${change(gmv, yesterday.gmv)} vs yesterday`);
    expect(await text(page, 'change-lastweek-gmv')).toBe(`${change(gmv, lastWeek.gmv)} vs last week`);
    expect(await text(page, 'change-yesterday-orders')).toBe(`${change(orders, yesterday.orders)} vs yesterday`);
    for (const row of rows) {
      const before = historySum(cut, BEFORE, `pay_minute < 980 and channel_code = '${row.channel_code}'`);
      expect(await text(page, `change-yesterday-${row.channel_code}`)).toBe(`${change(row.cur_gmv, before.gmv)} vs yesterday`);
    }
    // The history of a whole day adds up to its rows in the table.
    const wholeBefore = historySum(cut, BEFORE, '1 = 1');
    expect(wholeBefore.gmv).toBe(tableRows(cut, BEFORE).reduce((sum, row) => sum + row.cur_gmv, 0));
    expect(wholeBefore.orders).toBe(tableRows(cut, BEFORE).reduce((sum, row) => sum + row.cur_order_count, 0));
  }, 60_000);

  it('shows a past day picked in the day picker with the figures of its rows, compared as a whole with the day before, and keeps it over a reload', async () => {
    const url = await serve(cut, AT_CUT);
    const page = await open(url, DAY);
    await page.getByTestId('day-picker').selectOption(BEFORE);
    await waitForView(page, BEFORE);
    const rows = tableRows(cut, BEFORE);
    for (const row of rows) {
      await expect.poll(() => text(page, `gmv-${row.channel_code}`), { timeout: 5000 }).toBe(formatMoney(row.cur_gmv));
      expect(await text(page, `users-${row.channel_code}`)).toBe(formatCount(row.cur_order_user_count));
      expect(await text(page, `orders-${row.channel_code}`)).toBe(formatCount(row.cur_order_count));
      expect(await text(page, `last-pay-${row.channel_code}`)).toBe(row.last_pay_time.slice(11));
    }
    const gmv = rows.reduce((sum, row) => sum + row.cur_gmv, 0);
    const dayBefore = tableRows(cut, TWO_BEFORE).reduce((sum, row) => sum + row.cur_gmv, 0);
    expect(await text(page, 'total-gmv')).toBe(formatMoney(gmv));
    expect(await text(page, 'title')).toBe('Sales of a past day');
    expect(await text(page, 'day')).toBe('Wednesday, March 24, 2021 · Asia/Shanghai');
    expect(await text(page, 'change-yesterday-gmv')).toBe(`${change(gmv, dayBefore)} vs the day before`);
    expect(new URL(page.url()).search).toBe(`?day=${BEFORE}`);
    await page.reload();
    await waitForView(page, BEFORE);
    expect(await text(page, 'total-gmv')).toBe(formatMoney(gmv));
    await page.getByTestId('day-previous').click();
    await waitForView(page, TWO_BEFORE);
    expect(await text(page, 'total-gmv')).toBe(formatMoney(dayBefore));
    await page.getByTestId('day-next').click();
    await page.getByTestId('day-next').click();
    await waitForView(page, DAY);
    expect(await text(page, 'title')).toBe('Sales today');
    expect(new URL(page.url()).search).toBe('');
  }, 60_000);

  it('never scrolls sideways, from a 375-px phone to a 4K wall, in English and in Chinese', async () => {
    const english = await serve(cut, AT_CUT);
    const chinese = await serve(cut, AT_CUT, { locale: 'zh-CN', currency: 'CNY' });
    for (const [url, width, height] of [[english, 375, 812], [chinese, 375, 812], [english, 1280, 800], [english, 3840, 2160]] as const) {
      const page = await open(url, DAY, { width, height });
      const [scrollWidth, innerWidth, widest, cut] = await page.evaluate(() => {
        interface Box { getBoundingClientRect(): { right: number }; scrollWidth: number; clientWidth: number; textContent: string | null }
        const { document, innerWidth } = globalThis as unknown as { document: { documentElement: { scrollWidth: number }; querySelectorAll(s: string): Box[] }; innerWidth: number };
        const parts = [...document.querySelectorAll('body > *, .figure, .channel, .panel')].map((e) => e.getBoundingClientRect().right);
        // A figure cut short (an ellipsis) is as bad as a scroll bar.
        const figures = [...document.querySelectorAll('.figure .value, .channel .gmv, .channel h3, .pipeline dd')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent);
        return [document.documentElement.scrollWidth, innerWidth, Math.max(...parts), figures] as const;
      });
      expect([width, scrollWidth]).toEqual([width, innerWidth]);
      expect(cut).toEqual([]);
      expect(widest).toBeLessThanOrEqual(innerWidth);
    }
  }, 60_000);

  it('writes the README\'s screenshots: 1280 x 800 dark and light, 375 x 812', async () => {
    const url = await serve(cut, AT_CUT);
    for (const [name, width, height, colorScheme] of [['dark', 1280, 800, 'dark'], ['light', 1280, 800, 'light'], ['phone', 375, 812, 'dark']] as const) {
      const page = await open(url, DAY, { width, height, colorScheme });
      await page.waitForTimeout(300); // the bars' transition
      const png = await page.screenshot({ animations: 'disabled' });
      const pixels = decodePng(png);
      expect([pixels.width, pixels.height]).toEqual([width, height]);
      // Written when the page looks different (not for antialiasing noise), so that a test run leaves git clean.
      const file = screenshot(name);
      if (!existsSync(file) || differingPixels(decodePng(readFileSync(file)), pixels) > SCREENSHOT_NOISE_PIXELS) writeFileSync(file, png);
    }
  }, 60_000);
});
