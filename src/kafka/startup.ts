/** Where a Kafka source starts reading: the tutorial's `connector.startup-mode` and more. */
import { DateTime } from 'luxon';

/** latest / earliest offsets, the group's committed position, or the first offset at a time. */
export type StartupMode =
  | { readonly kind: 'latest' }
  | { readonly kind: 'earliest' }
  | { readonly kind: 'group' }
  | { readonly kind: 'timestamp'; readonly epochMs: number };

/** Where a source begins a partition it has no offset for: one end of it (a timestamp is resolved to offsets before). */
export type EdgeStartup = Extract<StartupMode, { readonly kind: 'latest' | 'earliest' }>;

const EXAMPLE = 'timestamp:2021-03-25T00:00:00+08:00';

// The offset is required: without one the same command would mean another instant on each host.
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** Reads `latest|earliest|group|timestamp:<ISO with Z or ±HH:MM>`; RangeError naming --startup otherwise. */
export function parseStartup(text: string): StartupMode {
  if (text === 'latest' || text === 'earliest' || text === 'group') return { kind: text };
  if (text.startsWith('timestamp:')) return { kind: 'timestamp', epochMs: isoInstant(text.slice('timestamp:'.length)) };
  throw new RangeError(`Cannot use --startup: expected latest, earliest, group or timestamp:<ISO>, got "${text}"`);
}

/** The epoch ms of `YYYY-MM-DDTHH:MM[:SS[.fff]]` + `Z` or `±HH:MM`, checked against the calendar. */
function isoInstant(iso: string): number {
  const match = ISO_WITH_OFFSET.exec(iso);
  if (match === null) throw new RangeError(`Cannot use --startup: "${iso}" is not an ISO time with an offset, e.g. ${EXAMPLE}`);
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const missing = nonexistent(year!, month!, day!, hour!, minute!, second, offsetHours, offsetMinutes);
  if (missing !== undefined) throw new RangeError(`Cannot use --startup: "${iso}" does not exist (${missing}), e.g. ${EXAMPLE}`);
  return DateTime.fromISO(iso, { setZone: true }).toMillis();
}

/** Why these fields name no time (luxon alone lets hour 24 and offset +25:00 through), or undefined. */
function nonexistent(year: number, month: number, day: number, hour: number, minute: number, second: number, offsetHours: number, offsetMinutes: number): string | undefined {
  if (month < 1 || month > 12) return `there is no month ${month}`;
  const days = DateTime.utc(year, month).daysInMonth!;
  if (day < 1 || day > days) return `${year}-${String(month).padStart(2, '0')} has ${days} days`;
  if (hour > 23 || minute > 59 || second > 59) return 'hours go from 00 to 23, minutes and seconds from 00 to 59';
  if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60) return 'offsets go from -14:00 to +14:00';
  return undefined;
}
