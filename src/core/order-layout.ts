/**
 * How a shop's order stream is written: the name of each field the result needs, the time format
 * of `order_time` and `pay_time`, and the envelope (plain JSON, or a change message). The
 * tutorial's layout is the default; a job file (`--config`) describes any other.
 */
import type { TimeFormat } from './time-format.ts';

/** The fields the result needs, by their tutorial names. */
export const ORDER_FIELDS = ['order_id', 'order_channel', 'order_time', 'real_pay', 'pay_time', 'user_id'] as const;

/** One of {@link ORDER_FIELDS}. */
export type OrderField = (typeof ORDER_FIELDS)[number];

/** The name each field has in the stream. */
export type FieldNames = Readonly<Record<OrderField, string>>;

/** The tutorial's names. */
export const TUTORIAL_FIELDS: FieldNames = { order_id: 'order_id', order_channel: 'order_channel', order_time: 'order_time', real_pay: 'real_pay', pay_time: 'pay_time', user_id: 'user_id' };

/** The envelope of a message, as Flink's formats name them: an order, or a change of a row of the orders table. */
export type ChangeFormat = 'json' | 'canal-json' | 'debezium-json';

/** Every envelope. */
export const CHANGE_FORMATS: readonly ChangeFormat[] = ['json', 'canal-json', 'debezium-json'];

/** How one order (a row) is written. */
export interface OrderLayout {
  readonly fields: FieldNames;
  readonly timeFormat: TimeFormat;
  /** The business zone: instants are read as its wall clock. */
  readonly zone: string;
}

/** Whether a layout is the tutorial's (it is then read by the tutorial's own reader). */
export function isTutorialLayout(layout: OrderLayout): boolean {
  return layout.timeFormat === 'sql' && ORDER_FIELDS.every((field) => layout.fields[field] === field);
}
