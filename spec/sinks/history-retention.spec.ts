import { describe, expect, it } from 'vitest';
import type { GroupHistory } from '../../src/core/minute-history.ts';
import { historyRetention } from '../../src/sinks/history-retention.ts';

const written = (...days: string[]): GroupHistory[] => days.map((day) => ({ beginTime: `${day} 00:00:00`, channelCode: 'webShop', whole: false, minutes: [] }));

describe('the retention of the history', () => {
  it('prunes when a flush first writes a newer day, keeping that many days before it, and not at the flushes between', () => {
    const retention = historyRetention(90);
    expect(retention.firstKeptAfter(written('2021-03-25'))).toBe('2020-12-25');
    expect(retention.firstKeptAfter(written('2021-03-25'))).toBeUndefined();
    expect(retention.firstKeptAfter(written('2021-03-24', '2021-03-25'))).toBeUndefined();
    expect(retention.firstKeptAfter([])).toBeUndefined();
    expect(retention.firstKeptAfter(written('2021-03-24', '2021-03-26'))).toBe('2020-12-26');
    expect(historyRetention(7).firstKeptAfter(written('2024-03-01'))).toBe('2024-02-23'); // a leap year's February
  });

  it('refuses a retention of less than one day', () => {
    expect(() => historyRetention(0)).toThrow('Cannot keep the history: 0 is not a whole number of days of at least 1');
  });
});
