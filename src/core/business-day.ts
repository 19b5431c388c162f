/** The business day of SEMANTICS.md section 2, in a time zone (luxon). */
import { DateTime, IANAZone } from 'luxon';

/** Which pay days count: a fixed day (`--as-of`), every day (`--days all`), or today by the clock. */
export type DaySelection =
  | { readonly kind: 'fixed'; readonly day: string }
  | { readonly kind: 'all' }
  | { readonly kind: 'live'; readonly zone: string };

/** The `yyyy-MM-dd` day of an instant in a zone. */
export function dayInZone(epochMs: number, zone: string): string {
  return DateTime.fromMillis(epochMs, { zone }).toFormat('yyyy-MM-dd');
}

/** The minute of the day (0..1439) of an instant in a zone, as a wall clock there shows it. */
export function minuteInZone(epochMs: number, zone: string): number {
  const time = DateTime.fromMillis(epochMs, { zone });
  return time.hour * 60 + time.minute;
}

/** `yyyy-MM-dd HH:mm:ss.SSS` of an instant in a zone, as `flink_current_time` shows it. */
export function timestampInZone(epochMs: number, zone: string): string {
  return DateTime.fromMillis(epochMs, { zone }).toFormat('yyyy-MM-dd HH:mm:ss.SSS');
}

/** The `yyyy-MM-dd` day `days` days after `day` (before it, when negative). */
export function shiftDay(day: string, days: number): string {
  const shifted = DateTime.fromISO(day, { zone: 'UTC' }).plus({ days });
  if (!shifted.isValid) throw new RangeError(`Cannot count days from "${day}": not a yyyy-MM-dd day`);
  return shifted.toFormat('yyyy-MM-dd');
}

/** The day of an `--as-of` value such as "2021-03-25 12:03:00"; RangeError when it is not one. */
export function asOfDay(text: string, zone: string): string {
  const parsed = DateTime.fromFormat(text.trim(), 'yyyy-MM-dd HH:mm:ss', { zone });
  if (!parsed.isValid) throw new RangeError(`Cannot read --as-of: "${text}" is not a yyyy-MM-dd HH:mm:ss time`);
  return parsed.toFormat('yyyy-MM-dd');
}

/** The zone name if luxon knows it; RangeError otherwise. */
export function checkZone(zone: string): string {
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`Cannot use --timezone: "${zone}" is not an IANA time zone`);
  return zone;
}

/** The system's zone, as Flink's `table.local-time-zone` defaults to it. */
export function systemZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
