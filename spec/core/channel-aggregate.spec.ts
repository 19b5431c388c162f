import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyChange, createChannelGroup, toResultRow } from '../../src/core/channel-aggregate.ts';

const DAY = '2021-03-25';
const change = fc.record({
  userId: fc.constantFrom('u1', 'u2', null),
  amount: fc.integer({ min: 0, max: 10_000_000 }),
  second: fc.integer({ min: 0, max: 86_399 }),
});

function stamp(second: number): string {
  const t = new Date(Date.UTC(2021, 2, 25) + second * 1000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

describe('a channel group', () => {
  it('equals a recomputation over the changes still counted, whatever was retracted (property)', () => {
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 50 }), fc.array(fc.boolean(), { minLength: 50, maxLength: 50 }), (changes, retract) => {
        const group = createChannelGroup(DAY, 'webShop', 'Website');
        for (const c of changes) applyChange(group, { sign: 1, userId: c.userId, amount: c.amount, payTime: stamp(c.second) });
        const kept = changes.filter((c, i) => {
          if (!retract[i]) return true;
          applyChange(group, { sign: -1, userId: c.userId, amount: c.amount, payTime: stamp(c.second) });
          return false;
        });
        const row = toResultRow(group, 'now');
        if (kept.length === 0) {
          expect(row.figures).toBeNull();
          return;
        }
        expect(row.figures).toMatchObject({
          orderCount: kept.length,
          userCount: new Set(kept.flatMap((c) => (c.userId === null ? [] : [c.userId]))).size,
          gmv: kept.reduce((sum, c) => sum + c.amount, 0) / 1e6,
          lastPayTime: stamp(Math.max(...kept.map((c) => c.second))),
        });
      }),
    );
  });

  it('brings last_pay_time back down when the latest payment is retracted', () => {
    const group = createChannelGroup(DAY, 'webShop', 'Website');
    applyChange(group, { sign: 1, userId: 'u1', amount: 1, payTime: `${DAY} 08:00:00` });
    applyChange(group, { sign: 1, userId: 'u2', amount: 1, payTime: `${DAY} 16:16:16` });
    applyChange(group, { sign: -1, userId: 'u2', amount: 1, payTime: `${DAY} 16:16:16` });
    expect(toResultRow(group, 'now').figures).toMatchObject({ lastPayTime: `${DAY} 08:00:00`, userCount: 1, orderCount: 1 });
  });
});
