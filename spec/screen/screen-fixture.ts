/** A temporary SQLite database with `trade_channel_collect`, and a screen on it, for the screen specs. */
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createCounters, type PipelineCounters } from '../../src/core/batch.ts';
import { openDatabase, parseDatabase } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migration-source.ts';
import type { ScreenDisplay } from '../../src/screen/screen-api.ts';
import type { ScreenGuard } from '../../src/screen/screen-guard.ts';
import { startScreen, type Screen } from '../../src/screen/screen-server.ts';
import { createChangeNotifier, type ChangeNotifier, type ScreenStatus } from '../../src/screen/screen-status.ts';
import { scratchDir } from '../support/cli.ts';
import { SAMPLE_DAY } from '../support/sample.ts';

/** The zone the specs count "today" in. */
export const ZONE = 'Asia/Shanghai';

/** 2021-03-25 16:20:00 in {@link ZONE}: the tutorial's day is "today". */
export const SAMPLE_NOW = Date.parse('2021-03-25T16:20:00+08:00');

/** A row of `trade_channel_collect`. */
export interface TableRow {
  begin_time: string;
  channel_code: string;
  channel_name: string;
  cur_gmv: number;
  cur_order_user_count: number;
  cur_order_count: number;
  last_pay_time: string;
  flink_current_time: string;
}

/** The rows of the tutorial's sample day (SEMANTICS.md), as the table holds them. */
export const SAMPLE_ROWS: readonly TableRow[] = SAMPLE_DAY.map((row) => ({
  begin_time: row.begin_time,
  channel_code: row.channel_code,
  channel_name: row.channel_name,
  cur_gmv: row.cur_gmv,
  cur_order_user_count: row.users,
  cur_order_count: row.orders,
  last_pay_time: row.last_pay_time,
  flink_current_time: '2021-03-25 16:16:17.000',
}));

/** A fresh SQLite file (or this one) with the tables (migrated) and these rows. */
export async function tableWith(rows: readonly TableRow[], file = join(scratchDir(), 'screen.sqlite')): Promise<Knex> {
  const db = openDatabase(parseDatabase(`sqlite:${file}`));
  await migrateToLatest(db);
  await upsert(db, rows);
  return db;
}

/** Inserts the rows, or replaces the rows of the same day and channel. */
export async function upsert(db: Knex, rows: readonly TableRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db('trade_channel_collect').insert([...rows]).onConflict(['begin_time', 'channel_code']).merge();
}

/** What a spec changes while the screen runs. */
export interface ScreenRig {
  readonly db: Knex;
  readonly screen: Screen;
  readonly changes: ChangeNotifier;
  readonly counters: PipelineCounters;
  /** The status the screen sees; assign its fields. */
  status: { -readonly [K in keyof ScreenStatus]: ScreenStatus[K] };
  /** The screen's clock, epoch milliseconds. */
  now: number;
  /** Stops the screen and serves a new one on the same port and database, as a restarted server does. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Where a rig's table is and how its page shows amounts. */
export interface RigOptions {
  /** A database to serve instead of a fresh table with the rows. */
  readonly db?: Knex;
  readonly display?: ScreenDisplay;
  /** Allowed hosts, token, cap on pages, embedding. */
  readonly guard?: ScreenGuard;
}

/** A screen on a fresh table holding `rows`, with a clock and a status the spec sets. */
export async function screenRig(rows: readonly TableRow[] = SAMPLE_ROWS, pollIntervalMs = 200, options: RigOptions = {}): Promise<ScreenRig> {
  const db = options.db ?? (await tableWith(rows));
  const changes = createChangeNotifier();
  const counters = createCounters();
  const rig: Omit<ScreenRig, 'screen'> & { screen?: Screen } = {
    db,
    changes,
    counters,
    status: { pipeline: 'running', database: 'up', counters },
    now: SAMPLE_NOW,
    restart: async () => {
      const port = Number(new URL(rig.screen!.url).port);
      await rig.screen?.close();
      rig.screen = await start(port);
    },
    close: async () => {
      await rig.screen?.close();
      await db.destroy();
    },
  };
  const start = (port: number): Promise<Screen> =>
    startScreen({ db, port, zone: ZONE, clock: () => rig.now, status: () => rig.status, changes, pollIntervalMs, ...(options.display && { display: options.display }), ...(options.guard && { guard: options.guard }) });
  rig.screen = await start(0);
  return rig as ScreenRig;
}
