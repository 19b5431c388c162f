/** The wall-clock timestamps of orders: `yyyy-MM-dd HH:mm:ss`, compared as the SQL compares them. */

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Seconds since 0001-01-01 of a valid `yyyy-MM-dd HH:mm:ss` (a real calendar date, hours < 24),
 * as a plain number that orders like the text; undefined when the text is not such a timestamp.
 */
export function parseTimestamp(text: string): number | undefined {
  if (text.length !== 19) return undefined;
  const m = TIMESTAMP.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]), month = Number(m[2]), day = Number(m[3]);
  const hour = Number(m[4]), minute = Number(m[5]), second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (DAYS_IN_MONTH[month - 1] ?? 0) + (leap ? 1 : 0)) return undefined;
  // Monotonic in the text, which is all dedupe needs: a month is "31 days" here.
  return ((((year * 12 + month) * 31 + day) * 24 + hour) * 60 + minute) * 60 + second;
}

/** The second of the day (0..86399) of a valid timestamp text. */
export function secondOfDay(timestamp: string): number {
  return (
    ((timestamp.charCodeAt(11) - 48) * 10 + timestamp.charCodeAt(12) - 48) * 3600 +
    ((timestamp.charCodeAt(14) - 48) * 10 + timestamp.charCodeAt(15) - 48) * 60 +
    (timestamp.charCodeAt(17) - 48) * 10 +
    timestamp.charCodeAt(18) -
    48
  );
}

/** The `yyyy-MM-dd` day of a valid timestamp text. */
export function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** The timestamp text of a second of a day. */
export function timestampAt(day: string, second: number): string {
  const hh = Math.floor(second / 3600), mm = Math.floor(second / 60) % 60, ss = second % 60;
  return `${day} ${two(hh)}:${two(mm)}:${two(ss)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
