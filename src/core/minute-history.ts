/**
 * The day's curve, kept by the pipeline: per group and minute of the day of `pay_time`, the
 * exact GMV and the paid orders of the orders that count now. A group passes on only the
 * minutes a batch changed; the first time, all of them, so that the stored minutes of an
 * earlier run (or an earlier owner) are replaced rather than mixed in.
 */

/** Minutes in a day: `pay_minute` runs from 0 (00:00) to 1439 (23:59). */
export const MINUTES_PER_DAY = 1440;

/** One minute of a group: the orders that count now and were paid in that minute. */
export interface MinuteFigures {
  /** 0..1439, the minute of the day of `pay_time`. */
  readonly minute: number;
  /** The exact sum, e.g. "986.500000"; "0.000000" for a minute whose orders all left. */
  readonly gmvText: string;
  readonly orderCount: number;
}

/** The minutes of a group changed since its previous row. */
export interface MinuteChanges {
  /**
   * True on a group's first row: these are all its minutes with orders, and a stored minute not
   * among them holds none.
   */
  readonly whole: boolean;
  readonly minutes: readonly MinuteFigures[];
}

/** The minute changes of one group, as a flush writes them. */
export interface GroupHistory extends MinuteChanges {
  readonly beginTime: string;
  readonly channelCode: string;
}

/** Gathers minute changes per group, in order: the later figures of a minute win. */
export interface HistoryCollector {
  /** Adds the changes of a group's next row. */
  add(beginTime: string, channelCode: string, changes: MinuteChanges): void;
  /** The merged changes, one entry per group, minutes ascending. */
  result(): GroupHistory[];
}

/** An empty {@link HistoryCollector}. */
export function collectHistory(): HistoryCollector {
  const groups = new Map<string, { beginTime: string; channelCode: string; whole: boolean; minutes: Map<number, MinuteFigures> }>();
  return {
    add(beginTime, channelCode, changes) {
      const key = `${beginTime}\u0000${channelCode}`;
      let group = groups.get(key);
      // A whole set of minutes makes everything before it moot: it lists every minute with orders.
      if (group === undefined || changes.whole) {
        group = { beginTime, channelCode, whole: changes.whole || (group?.whole ?? false), minutes: new Map() };
        groups.set(key, group);
      }
      for (const figures of changes.minutes) group.minutes.set(figures.minute, figures);
    },
    result() {
      return [...groups.values()].map(({ beginTime, channelCode, whole, minutes }) => ({
        beginTime,
        channelCode,
        whole,
        minutes: [...minutes.values()].sort((a, b) => a.minute - b.minute),
      }));
    },
  };
}
