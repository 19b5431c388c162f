/** The identity of a group of the result: one day, one sales channel. */

/** A group of `trade_channel_collect`: a pay day and a channel, by its code (its name follows from the code). */
export interface GroupKey {
  /** `yyyy-MM-dd`. */
  readonly day: string;
  readonly channelCode: string;
}

/**
 * The one text of a group key, `yyyy-MM-dd channelCode`: the key of every map by group, and the
 * changes topic's message key (Kafka partitions by it, so it must never change).
 */
export function groupKeyText(day: string, channelCode: string): string {
  return `${day} ${channelCode}`;
}

/** The group key of a text of {@link groupKeyText}. */
export function parseGroupKey(text: string): GroupKey {
  const at = text.indexOf(' ');
  return { day: text.slice(0, at), channelCode: text.slice(at + 1) };
}

/** The text of the group of a result row, whose `begin_time` is its day at midnight. */
export function groupKeyOfRow(row: { readonly beginTime: string; readonly channelCode: string }): string {
  return groupKeyText(row.beginTime.slice(0, 10), row.channelCode);
}
