/** How long `trade_channel_history` keeps a day: `--keep-history` days before the newest day written. */
import { shiftDay } from '../core/business-day.ts';
import type { GroupHistory } from '../core/minute-history.ts';

/** Default of `--keep-history`: a quarter of days to compare with. */
export const DEFAULT_KEEP_HISTORY_DAYS = 90;

/** Says when the history is due for pruning, and from which day on it is kept. */
export interface HistoryRetention {
  /**
   * The first day to keep when these written minutes bring a day later than any before (the
   * first flush of a run, then about once a day); undefined otherwise. Never in a hot loop.
   */
  firstKeptAfter(written: readonly GroupHistory[]): string | undefined;
}

/**
 * The retention of the history: the days more than `keepDays` before the newest day written go.
 * It counts from the data's days, not the clock, so that a replay of an old recording keeps its
 * history.
 */
export function historyRetention(keepDays: number = DEFAULT_KEEP_HISTORY_DAYS): HistoryRetention {
  if (!Number.isSafeInteger(keepDays) || keepDays < 1) throw new RangeError(`Cannot keep the history: ${keepDays} is not a whole number of days of at least 1`);
  let newest = '';
  return {
    firstKeptAfter(written) {
      let latest = newest;
      for (const group of written) if (group.beginTime > latest) latest = group.beginTime;
      if (latest === newest) return undefined;
      newest = latest;
      return shiftDay(latest.slice(0, 10), -keepDays);
    },
  };
}
