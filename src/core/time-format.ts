/**
 * The time formats an order stream may write `order_time` and `pay_time` in, and their reading
 * into the business zone's wall clock (`yyyy-MM-dd HH:mm:ss`), which is what the day and the
 * result table use. The tutorial's format is read by `parseTimestamp`; this module reads instants.
 */
import { IANAZone } from 'luxon';

/** `sql`: the tutorial's `yyyy-MM-dd HH:mm:ss`, a wall clock of the business zone; the others are instants. */
export type TimeFormat = 'sql' | 'iso-8601' | 'epoch-seconds' | 'epoch-millis';

/** Every time format, as the job file names them. */
export const TIME_FORMATS: readonly TimeFormat[] = ['sql', 'iso-8601', 'epoch-seconds', 'epoch-millis'];

/** What each format is, for a reject reason ("not ..."). */
export const TIME_FORMAT_NAMES: Readonly<Record<TimeFormat, string>> = {
  sql: 'a yyyy-MM-dd HH:mm:ss timestamp',
  'iso-8601': 'an ISO 8601 time with an offset',
  'epoch-seconds': 'a whole number of epoch seconds',
  'epoch-millis': 'a whole number of epoch milliseconds',
};

// yyyy-MM-ddTHH:mm:ss[.fraction](Z|+HH:mm|+HHmm|+HH); a space for the T, as RFC 3339 allows.
const ISO = /^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d\d)(?::?(\d\d))?)$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Epoch ms of an ISO 8601 time with an offset (a real calendar date); undefined otherwise. */
export function parseIsoInstant(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] ?? 0) + (leap ? 1 : 0) || hour > 23 || minute > 59 || second > 59) return undefined;
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
}

/** Instants a wall clock can show (years 1 to 9999), epoch ms. */
const FIRST_MS = Date.UTC(1, 0, 1) + 86_400_000;
const LAST_MS = Date.UTC(9999, 11, 31) - 86_400_000;

/** Epoch ms of an epoch number's text (integer syntax, as a JSON number or a string), in seconds or ms; undefined otherwise. */
export function parseEpoch(text: string, unit: 'seconds' | 'millis'): number | undefined {
  if (!/^-?\d{1,16}$/.test(text)) return undefined;
  const ms = Number(text) * (unit === 'seconds' ? 1000 : 1);
  return ms >= FIRST_MS && ms <= LAST_MS ? ms : undefined;
}

/** Turns instants into wall-clock text of one zone: `yyyy-MM-dd HH:mm:ss`. */
export interface WallClock {
  (epochMs: number): string;
}

// Zones change their offset on quarter hours of UTC (every rule of the tz database since 1970).
const QUARTER_MS = 15 * 60_000;

/** The wall clock of `zone` (an IANA name); offsets are looked up once per quarter hour and kept. */
export function wallClockOf(zone: string): WallClock {
  const iana = IANAZone.create(zone);
  const offsets = new Map<number, number>();
  return (epochMs) => {
    const quarter = Math.floor(epochMs / QUARTER_MS);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      if (offsets.size > 100_000) offsets.clear(); // a bound, for streams of scattered times
      offset = iana.offset(quarter * QUARTER_MS);
      offsets.set(quarter, offset);
    }
    return utcText(epochMs + offset * 60_000);
  };
}

/** `yyyy-MM-dd HH:mm:ss` of epoch ms read as UTC. */
function utcText(ms: number): string {
  const date = new Date(ms);
  return `${String(date.getUTCFullYear()).padStart(4, '0')}-${two(date.getUTCMonth() + 1)}-${two(date.getUTCDate())} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
