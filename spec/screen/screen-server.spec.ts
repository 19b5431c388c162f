import { afterEach, describe, expect, it } from 'vitest';
import { startScreen } from '../../src/screen/screen-server.ts';
import type { ScreenSnapshot } from '../../src/screen/snapshot.ts';
import { SAMPLE_NOW, SAMPLE_ROWS, screenRig, tableWith, upsert, ZONE, type ScreenRig } from './screen-fixture.ts';

let rig: ScreenRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function json(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Follows `/events`: the snapshots received so far, and a way to wait for the next ones. */
function follow(url: string): { snapshots: ScreenSnapshot[]; next(count: number, timeoutMs?: number): Promise<void>; stop(): void } {
  const stop = new AbortController();
  const snapshots: ScreenSnapshot[] = [];
  let wake = (): void => {};
  void (async () => {
    const response = await fetch(new URL('events', url), { signal: stop.signal });
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const event = text.slice(0, end);
        text = text.slice(end + 2);
        const data = event.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
        if (data !== '') snapshots.push(JSON.parse(data) as ScreenSnapshot);
        wake();
      }
    }
  })().catch(() => {});
  return {
    snapshots,
    next: (count, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${snapshots.length} snapshots after ${timeoutMs} ms, wanted ${count}`)), timeoutMs);
        wake = () => {
          if (snapshots.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        };
        wake();
      }),
    stop: () => stop.abort(),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the screen server', () => {
  it('answers /api/snapshot with the rows of today as the table holds them, their totals and the status', async () => {
    rig = await screenRig();
    rig.counters.read = 11;
    rig.counters.filtered = 2;
    rig.status = { ...rig.status, sourcePosition: 'line 11', lastFlushMs: SAMPLE_NOW - 500 };
    const { status, body } = await json(new URL('api/snapshot', rig.screen.url).href);
    expect(status).toBe(200);
    const snapshot = body as ScreenSnapshot;
    expect(snapshot).toMatchObject({ generatedAt: SAMPLE_NOW, zone: ZONE, today: '2021-03-25', day: '2021-03-25' });
    expect(snapshot.rows.map((r) => [r.channelCode, r.channelName, r.gmv, r.payingUsers, r.paidOrders, r.lastPayTime])).toEqual(
      SAMPLE_ROWS.map((r) => [r.channel_code, r.channel_name, r.cur_gmv, r.cur_order_user_count, r.cur_order_count, r.last_pay_time]),
    );
    expect(snapshot.rows.find((r) => r.channelCode === 'webShop')?.share).toBeCloseTo(986.5 / 1585.8, 12);
    expect(snapshot.totals).toEqual({ gmv: 1585.8, payingUsers: 6, paidOrders: 9, lastPayTime: '2021-03-25 16:16:16' });
    expect(snapshot.status).toEqual({
      pipeline: 'running',
      database: 'up',
      counters: { read: 11, rejected: 0, internal: 0, filtered: 2, rowsWritten: 0, rowsDeleted: 0, flushes: 0, rejectsDropped: 0, dbRetries: 0, rebalanceAssigns: 0, rebalanceRevokes: 0, commitFailures: 0, sourcePauses: 0 },
      sourcePosition: 'line 11',
      lastFlushMs: SAMPLE_NOW - 500,
    });
  });

  it('shows the latest day of the table when it has no row of today, and no day when it is empty', async () => {
    rig = await screenRig([...SAMPLE_ROWS, { ...SAMPLE_ROWS[0]!, begin_time: '2021-03-24 00:00:00', cur_gmv: 180 }]);
    rig.now = Date.parse('2021-03-27T09:00:00+08:00');
    const later = (await json(new URL('api/snapshot', rig.screen.url).href)).body as ScreenSnapshot;
    expect(later).toMatchObject({ today: '2021-03-27', day: '2021-03-25' });
    expect(later.rows).toHaveLength(4);
    await rig.close();

    rig = await screenRig([]);
    const empty = (await json(new URL('api/snapshot', rig.screen.url).href)).body as ScreenSnapshot;
    expect(empty).toMatchObject({ today: '2021-03-25', day: null, rows: [], totals: { gmv: 0, payingUsers: 0, paidOrders: 0, lastPayTime: null } });
  });

  it('is ready on /healthz only while the pipeline runs and the database is up, and says what is down', async () => {
    rig = await screenRig();
    const health = (): Promise<{ status: number; body: unknown }> => json(new URL('healthz', rig!.screen.url).href);
    expect(await health()).toEqual({ status: 200, body: { ready: true, pipeline: 'running', database: 'up' } });
    rig.status = { ...rig.status, pipeline: 'stopped' };
    expect(await health()).toEqual({ status: 503, body: { ready: false, pipeline: 'stopped', database: 'up', down: ['pipeline'] } });
    rig.status = { ...rig.status, pipeline: 'running', database: 'down' };
    expect(await health()).toEqual({ status: 503, body: { ready: false, pipeline: 'running', database: 'down', down: ['database'] } });
    rig.status = { pipeline: 'none', database: 'up' };
    expect(await health()).toEqual({ status: 200, body: { ready: true, pipeline: 'none', database: 'up' } });
  });

  it('serves /metrics in the Prometheus text format with the counters of the status', async () => {
    rig = await screenRig();
    Object.assign(rig.counters, { read: 2837, rejected: 9, filtered: 1399, rowsWritten: 812, flushes: 203 });
    const response = await fetch(new URL('metrics', rig.screen.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain('# TYPE tradeflow_orders_read_total counter\ntradeflow_orders_read_total 2837\n');
    expect(text).toContain('\ntradeflow_orders_rejected_total 9\n');
    expect(text).toContain('\ntradeflow_orders_filtered_total 1399\n');
    expect(text).toMatch(/\ntradeflow_event_loop_delay_p99_seconds \d/);
  });

  it('sends a snapshot on /events at once, and the new rows within a second of a change being notified', async () => {
    rig = await screenRig();
    const events = follow(rig.screen.url);
    try {
      await events.next(1);
      expect(events.snapshots[0]?.rows.find((r) => r.channelCode === 'webShop')?.gmv).toBe(986.5);
      const notified = performance.now();
      await upsert(rig.db, [{ ...SAMPLE_ROWS[3]!, cur_gmv: 1086.5, cur_order_count: 6 }]);
      rig.changes.notify();
      await events.next(2, 1000);
      expect(performance.now() - notified).toBeLessThan(1000);
      expect(events.snapshots[1]?.rows.find((r) => r.channelCode === 'webShop')).toMatchObject({ gmv: 1086.5, paidOrders: 6 });
      expect(events.snapshots[1]?.totals.gmv).toBeCloseTo(1685.8, 9);
    } finally {
      events.stop();
    }
  });

  it('without change notices, reads the table every interval and sends only what changed', async () => {
    const db = await tableWith(SAMPLE_ROWS);
    const screen = await startScreen({ db, port: 0, zone: ZONE, clock: () => SAMPLE_NOW, status: () => ({ pipeline: 'none', database: 'up' }), pollIntervalMs: 100 });
    const events = follow(screen.url);
    try {
      await events.next(1);
      await sleep(600); // six reads of an unchanged table
      expect(events.snapshots).toHaveLength(1);
      await upsert(db, [{ ...SAMPLE_ROWS[2]!, cur_gmv: 500 }]);
      await events.next(2, 1000);
      expect(events.snapshots[1]?.rows.find((r) => r.channelCode === 'other')?.gmv).toBe(500);
      expect(events.snapshots[1]?.status).toEqual({ pipeline: 'none', database: 'up' });
    } finally {
      events.stop();
      await screen.close();
      await db.destroy();
    }
  });

  it('sends a new status within a second, as when the pipeline stops', async () => {
    rig = await screenRig();
    const events = follow(rig.screen.url);
    try {
      await events.next(1);
      rig.status = { ...rig.status, pipeline: 'stopped' };
      await events.next(2, 1000);
      expect(events.snapshots[1]?.status.pipeline).toBe('stopped');
    } finally {
      events.stop();
    }
  });

  it('serves the page, its script and uPlot from node_modules, and nothing else', async () => {
    rig = await screenRig();
    const page = await fetch(rig.screen.url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('data-testid="status-banner"');
    for (const path of ['page.js', 'page.css', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']) {
      const response = await fetch(new URL(path, rig.screen.url));
      expect(response.status, path).toBe(200);
      expect((await response.text()).length, path).toBeGreaterThan(500);
    }
    expect((await fetch(new URL('../package.json', rig.screen.url))).status).toBe(404);
    expect((await fetch(new URL('vendor/../../package.json', rig.screen.url))).status).toBe(404);
    expect((await fetch(new URL('api/snapshot', rig.screen.url), { method: 'POST' })).status).toBe(405);
  });

  it('says in one line that the port is taken', async () => {
    rig = await screenRig();
    const port = Number(new URL(rig.screen.url).port);
    await expect(startScreen({ db: rig.db, port, zone: ZONE, status: () => ({ pipeline: 'none', database: 'up' }) })).rejects.toThrow(
      `Cannot serve the screen on 127.0.0.1:${port}: the port is in use`,
    );
  });
});
