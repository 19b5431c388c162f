import { describe, expect, it } from 'vitest';
import { createFeedCheck, reasonKind } from '../../src/core/feed-check.ts';

describe('the feed check', () => {
  it('refuses a feed once more than the share of its first messages is rejected, naming the most common rule', () => {
    const refusals: string[] = [];
    const check = createFeedCheck({ firstMessages: 4, maxRejectedShare: 0.5 }, (refusal) => refusals.push(refusal.line));
    check.record('order_time: not a yyyy-MM-dd HH:mm:ss timestamp (got "2021-03-25T10:00:00+08:00")');
    check.record(undefined);
    check.record('order_time: not a yyyy-MM-dd HH:mm:ss timestamp (got 1616637600000)');
    expect(check.open).toBe(true);
    check.record('order_id: must be a non-empty string or an integer (got nothing)');
    expect(check.open).toBe(false);
    expect(check.refusal).toMatchObject({ judged: 4, rejected: 3, reason: 'order_time: not a yyyy-MM-dd HH:mm:ss timestamp' });
    expect(refusals).toEqual([expect.stringContaining('3 of the first 4 messages (75.0 %, more than 50 %), most for "order_time: not a yyyy-MM-dd HH:mm:ss timestamp" (2)')]);
    check.record('x');
    check.finish();
    expect(refusals).toHaveLength(1); // said once
  });

  it('accepts a feed of exactly the share, and judges a short run at its end', () => {
    const check = createFeedCheck({ firstMessages: 10, maxRejectedShare: 0.5 });
    check.record('bad');
    check.record(undefined);
    check.finish();
    expect(check.open).toBe(false);
    expect(check.refusal).toBeUndefined();
  });

  it('never refuses with a share of 1, nor judges a run that read nothing', () => {
    const never = createFeedCheck({ maxRejectedShare: 1 });
    never.record('bad');
    never.finish();
    expect(never.refusal).toBeUndefined();
    const empty = createFeedCheck();
    empty.finish();
    expect(empty.open).toBe(true);
  });

  it('counts JSON errors at any character as one kind', () => {
    expect(reasonKind("not valid JSON: unexpected 'x' at character 3, where a value was expected")).toBe(reasonKind("not valid JSON: unexpected 'y' at character 9, where a value was expected"));
  });
});
