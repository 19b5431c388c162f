/**
 * The screen's API beside the live snapshot: `/api/config` (locale, currency, zone),
 * `/api/days` (the days the table and the history hold) and `/api/day?day=yyyy-MM-dd` (a day
 * with its curve and comparisons). Answers are kept a moment, so that many screens cost the
 * database one read, and gzipped for the browsers that take it.
 */
import { gzipSync } from 'node:zlib';
import type { Knex } from 'knex';
import { dayInZone } from '../core/business-day.ts';
import { readHistoryDays } from './day-history.ts';
import { readDayView } from './day-view.ts';
import { dayOfBeginTime, readTableDays } from './table-rows.ts';
import { firstLineOf } from '../core/first-line.ts';

/** How the page shows amounts, times and its own words. */
export interface ScreenDisplay {
  /** A BCP 47 locale, e.g. `en-US`, `zh-CN`: number and date formats, and the page's language. */
  readonly locale: string;
  /** An ISO 4217 code, e.g. `CNY`; none: amounts without a currency sign. */
  readonly currency?: string | undefined;
}

/** Options of {@link screenApi}. */
export interface ScreenApiOptions {
  readonly db: Knex;
  readonly zone: string;
  /** Epoch milliseconds of "now" (the screen's clock). */
  readonly clock: () => number;
  readonly display: ScreenDisplay;
  /** How long an answer about today is kept, ms. Default: 1000 (other days: ten times that). */
  readonly keepMs?: number;
}

/** An answer for the server to send. */
export interface ApiAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** Answers the API's routes; undefined for a route that is not one of them. */
export type ScreenApi = (route: string, query: URLSearchParams, acceptEncoding: string | undefined) => Promise<ApiAnswer | undefined>;

/** The most days `/api/days` lists. */
const MAX_DAYS = 400;
const JSON_TYPE = 'application/json; charset=utf-8';

/** The API of one screen. */
export function screenApi(options: ScreenApiOptions): ScreenApi {
  const { db, zone, clock, display, keepMs = 1000 } = options;
  const kept = new Map<string, { readonly until: number; readonly plain: Buffer; readonly gzipped: Buffer | undefined }>();

  /** The answer of `key`, read again once it is older than `forMs`. */
  const cached = async (key: string, forMs: number, read: () => Promise<unknown>): Promise<{ plain: Buffer; gzipped: Buffer | undefined }> => {
    const entry = kept.get(key);
    if (entry !== undefined && entry.until > performance.now()) return entry;
    const plain = Buffer.from(`${JSON.stringify(await read())}\n`);
    const fresh = { until: performance.now() + forMs, plain, gzipped: plain.length > 1024 ? gzipSync(plain) : undefined };
    for (const [old, value] of kept) if (value.until <= performance.now()) kept.delete(old);
    kept.set(key, fresh);
    return fresh;
  };

  return async (route, query, acceptEncoding) => {
    if (route === '/api/config') return json(200, { locale: display.locale, ...(display.currency !== undefined && { currency: display.currency }), zone });
    if (route !== '/api/days' && route !== '/api/day') return undefined;
    const today = dayInZone(clock(), zone);
    try {
      if (route === '/api/days') {
        return answer(await cached('days', keepMs * 5, async () => ({ today, days: await readDays(db) })), acceptEncoding);
      }
      const day = query.get('day') ?? today;
      if (dayOfBeginTime(`${day} 00:00:00`) === undefined) return json(400, { error: `Cannot show the day "${day.slice(0, 40)}": expected a yyyy-MM-dd day` });
      const forMs = day === today ? keepMs : keepMs * 10;
      return answer(await cached(`day:${day}`, forMs, () => readDayView(db, day, clock(), zone)), acceptEncoding);
    } catch (error) {
      return json(503, { error: `Cannot read the database: ${firstLineOf(error)}` });
    }
  };
}

/** The days of the table and of the history, newest first. */
async function readDays(db: Knex): Promise<string[]> {
  const { days } = await readTableDays(db);
  const history = await readHistoryDays(db).catch(() => []); // no history table (an older writer): the table's days
  return [...new Set([...days, ...history])].sort().reverse().slice(0, MAX_DAYS);
}

function answer(body: { plain: Buffer; gzipped: Buffer | undefined }, acceptEncoding: string | undefined): ApiAnswer {
  const headers = { 'Cache-Control': 'no-store', Vary: 'Accept-Encoding' };
  if (body.gzipped !== undefined && /\bgzip\b/.test(acceptEncoding ?? '')) {
    return { status: 200, type: JSON_TYPE, body: body.gzipped, headers: { ...headers, 'Content-Encoding': 'gzip' } };
  }
  return { status: 200, type: JSON_TYPE, body: body.plain, headers };
}

function json(status: number, value: unknown): ApiAnswer {
  return { status, type: JSON_TYPE, body: Buffer.from(`${JSON.stringify(value)}\n`), headers: { 'Cache-Control': 'no-store' } };
}

