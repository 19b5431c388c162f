/**
 * A recorded stream in the tutorial's layout, written in another shop's layout: renamed fields,
 * other time formats, or change messages of the orders table (Canal, Debezium). The generator
 * and the specs use it to cover every layout with the same orders; {@link jobFileOf} gives the
 * job file (`--config`) that reads it back.
 */
import { DateTime } from 'luxon';
import { isLosslessNumber, parse, stringify } from 'lossless-json';

/** The layouts the generator writes. */
export const LAYOUTS = ['tutorial', 'camel-case', 'iso-8601', 'epoch-seconds', 'epoch-millis', 'canal-json', 'debezium-json'] as const;

/** One of {@link LAYOUTS}. */
export type LayoutName = (typeof LAYOUTS)[number];

const CAMEL: Readonly<Record<string, string>> = {
  order_id: 'orderId', order_channel: 'orderChannel', order_time: 'orderTime', pay_amount: 'payAmount', real_pay: 'realPay', pay_time: 'payTime', user_id: 'userId', user_name: 'userName', area_id: 'areaId',
};

/** The job file that reads a layout back (none for the tutorial's). */
export function jobFileOf(layout: LayoutName): Record<string, unknown> | undefined {
  switch (layout) {
    case 'tutorial':
      return undefined;
    case 'camel-case':
      return { fields: { order_id: 'orderId', order_channel: 'orderChannel', order_time: 'orderTime', real_pay: 'realPay', pay_time: 'payTime', user_id: 'userId' } };
    case 'iso-8601':
    case 'epoch-seconds':
    case 'epoch-millis':
      return { timeFormat: layout };
    default:
      return { format: layout };
  }
}

type Row = Record<string, unknown>;

/** The row of a tutorial line (an object), or undefined for a line that is not one (it is kept as it is). */
function rowOf(line: string): Row | undefined {
  try {
    const value = parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Row) : undefined;
  } catch {
    return undefined;
  }
}

/** A wall clock of `zone` as the time format writes it; a value that is not a wall clock becomes one no format reads. */
function rewriteTime(value: unknown, format: 'iso-8601' | 'epoch-seconds' | 'epoch-millis', zone: string, variant: number): unknown {
  if (value === null || value === undefined) return value;
  const time = typeof value === 'string' ? DateTime.fromFormat(value, 'yyyy-MM-dd HH:mm:ss', { zone }) : undefined;
  // Luxon takes 24:00:00 as the next day: only a time that reads back the same is one.
  if (time === undefined || !time.isValid || time.toFormat('yyyy-MM-dd HH:mm:ss') !== value) return 'not a time';
  if (format === 'epoch-millis') return time.toMillis();
  if (format === 'epoch-seconds') return time.toSeconds();
  // The same instant with the zone's own offset, or in UTC: the reader must convert both.
  return (variant % 2 === 0 ? time : time.toUTC()).toISO({ suppressMilliseconds: true });
}

/** The row in the field names and time format of a layout (the change layouts keep the tutorial's row). */
function rewriteRow(row: Row, layout: LayoutName, zone: string, variant: number): Row {
  if (layout === 'camel-case') return Object.fromEntries(Object.entries(row).map(([key, value]) => [CAMEL[key] ?? key, value]));
  if (layout === 'iso-8601' || layout === 'epoch-seconds' || layout === 'epoch-millis') {
    const out: Row = { ...row };
    for (const key of ['order_time', 'pay_time']) if (key in out) out[key] = rewriteTime(out[key], layout, zone, variant);
    return out;
  }
  return row;
}

/** What a change message does to its rows. */
export type ChangeOp = 'insert' | 'update' | 'delete';

/**
 * One message of `layout` for tutorial lines (`rows`: several only for Canal), in the business
 * zone `zone`. A line that is not a JSON object is returned as it is (it stays a reject).
 */
export function writeInLayout(layout: LayoutName, lines: readonly string[], zone: string, op: ChangeOp = 'insert', variant = 0): string {
  const rows = lines.map(rowOf);
  if (rows.some((row) => row === undefined) || rows.length === 0) return lines.join('');
  if (layout === 'tutorial') return lines[0]!;
  if (layout === 'canal-json') {
    const type = op === 'delete' ? 'DELETE' : op === 'update' ? 'UPDATE' : 'INSERT';
    return stringify({ data: rows, database: 'shop', table: 'orders', pkNames: ['order_id'], isDdl: false, type, es: 1616637600000 + variant, ts: 1616637600001 + variant })!;
  }
  if (layout === 'debezium-json') {
    const row = rows[0]!;
    const payload = { before: op === 'insert' ? null : row, after: op === 'delete' ? null : row, source: { connector: 'mysql', db: 'shop', table: 'orders' }, op: op === 'delete' ? 'd' : op === 'update' ? 'u' : 'c', ts_ms: 1616637600000 + variant };
    // Every other message with the schema wrapper of Debezium's JSON converter (schemas.enable=true).
    return stringify(variant % 2 === 0 ? payload : { schema: { type: 'struct', name: 'shop.orders.Envelope' }, payload })!;
  }
  return stringify(rewriteRow(rows[0]!, layout, zone, variant))!;
}

/** A whole stream in a layout, line by line: Canal and Debezium say insert for an order's first version, update after. */
export function* streamInLayout(layout: LayoutName, lines: Iterable<string>, zone: string): Generator<string> {
  const seen = new Set<string>();
  let variant = 0;
  for (const line of lines) {
    const row = layout === 'canal-json' || layout === 'debezium-json' ? rowOf(line) : undefined;
    const id = row?.order_id;
    const key = isLosslessNumber(id) ? id.toString() : typeof id === 'string' ? id : undefined;
    const op: ChangeOp = key !== undefined && seen.has(key) ? 'update' : 'insert';
    if (key !== undefined) seen.add(key);
    yield writeInLayout(layout, [line], zone, op, variant++);
  }
}
