import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp, secondOfDay, timestampAt } from '../../src/core/order-time.ts';

describe('order timestamps', () => {
  it('accept only real yyyy-MM-dd HH:mm:ss times', () => {
    expect(parseTimestamp('2024-02-29 23:59:59')).toBeTypeOf('number');
    for (const bad of ['2023-02-29 10:00:00', '2021-03-25T10:00:00', '2021-03-25 10:00', '2021-13-01 00:00:00', '2021-03-25 10:60:00', '2021-03-2a 10:00:00', ' 2021-03-25 10:00:0']) {
      expect(parseTimestamp(bad)).toBeUndefined();
    }
  });

  it('order like their text, as the SQL compares them', () => {
    const stamp = fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19).replace('T', ' '));
    fc.assert(
      fc.property(stamp, stamp, (a, b) => {
        expect(Math.sign(parseTimestamp(a)! - parseTimestamp(b)!)).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(timestampAt(a.slice(0, 10), secondOfDay(a))).toBe(a);
      }),
    );
  });
});
