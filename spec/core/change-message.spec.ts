import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeChanges, encodeReject } from '../../src/core/change-message.ts';
import type { Contribution } from '../../src/core/dedupe-state.ts';
import { compactAttos } from '../../src/core/money.ts';
import { channelOf } from '../../src/core/channel.ts';
import type { Reject } from '../../src/core/batch.ts';

const contribution: fc.Arbitrary<Contribution> = fc
  .record({
    sign: fc.constantFrom(1 as const, -1 as const),
    day: fc.constantFrom('2021-03-24', '2021-03-25'),
    channel: fc.option(fc.constantFrom('webShop', 'appShop', 'miniAppShop', 'WebShop', '', 'x"y\\z'), { nil: null }),
    userId: fc.option(fc.string(), { nil: null }),
    // Amounts of contributions are never negative (a retraction has sign -1); any precision and size.
    amount: fc.bigInt({ min: 0n, max: 10n ** 33n }).map(compactAttos),
    time: fc.constantFrom('00:00:00', '23:59:59'),
  })
  .map(({ time, ...change }) => ({ ...change, payTime: `${change.day} ${time}` }));

describe('the messages of the changes topic', () => {
  it('carry every contribution back exactly and in order within its group, amounts beyond 2^53 included', () => {
    fc.assert(
      fc.property(fc.array(contribution, { maxLength: 50 }), (changes) => {
        const byKey = new Map<string, Contribution[]>();
        for (const { key, value } of encodeChanges(changes)) {
          const decoded = decodeMessage(value);
          if (decoded.kind !== 'changes') throw new TypeError('expected changes');
          byKey.set(key, [...(byKey.get(key) ?? []), ...decoded.changes]);
        }
        const keyOf = (c: Contribution): string => `${c.day} ${channelOf(c.channel).code}`;
        for (const [key, got] of byKey) expect(got).toEqual(changes.filter((c) => keyOf(c) === key));
        expect([...byKey.values()].flat()).toHaveLength(changes.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('are keyed by day and channel code, so that every change of a group meets in one partition', () => {
    const change: Contribution = { sign: 1, day: '2021-03-25', channel: 'WebShop', userId: 'u', amount: 1, payTime: '2021-03-25 10:00:00' };
    expect(encodeChanges([change]).map((m) => m.key)).toEqual(['2021-03-25 other']); // case-sensitive: WebShop is other
    expect(encodeChanges([change, { ...change, channel: 'webShop', sign: -1 }]).map((m) => m.key)).toEqual(['2021-03-25 other', '2021-03-25 webShop']);
  });

  it('hold at most 2,000 changes each, within the broker\'s message size', () => {
    const change: Contribution = { sign: 1, day: '2021-03-25', channel: 'webShop', userId: 'u', amount: 10n ** 33n - 1n, payTime: '2021-03-25 10:00:00' };
    const messages = encodeChanges(Array.from({ length: 4500 }, () => change));
    expect(messages.map((m) => (JSON.parse(m.value) as unknown[]).length)).toEqual([2000, 2000, 500]);
    expect(Math.max(...messages.map((m) => Buffer.byteLength(m.value)))).toBeLessThan(1 << 20);
  });

  it('carry rejects whole, to be written by the aggregate stage', () => {
    const reject: Reject = { source: 'kafka:orders', partition: 2, offset: 41, reason: 'order_id: missing', raw: '{"x":1}', rawBytes: 7, rejectedAt: 1_616_630_400_000 };
    expect(decodeMessage(encodeReject(reject).value)).toEqual({ kind: 'reject', reject });
  });

  it('refuse a message they did not write with a TypeError that quotes it', () => {
    expect(() => decodeMessage('[[1,"2021-03-25",null,null,"12.5","x"]]')).toThrow(TypeError);
    expect(() => decodeMessage('{"order_id":"1"}')).toThrow(/Cannot read change: .*\{"order_id":"1"\}/);
  });
});
