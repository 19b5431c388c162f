import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countUser, createGroupUsers, setUserCounts, userCounts } from '../../src/core/group-users.ts';
import { intern, interned } from '../../src/core/interned.ts';

/** A user counted in or out, with the numbering it comes with: the dedupe state's (a, or b after a day was dropped and read again) or none (the changes topic). */
const step = fc.record({ user: fc.integer({ min: 0, max: 30 }), sign: fc.constantFrom(1, -1), numbering: fc.constantFrom('a', 'b', 'none') });

describe("a group's paying users", () => {
  it('count the same users by number as by text, whatever numbering each change comes with (property)', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const numberings = { a: interned(), b: interned() };
        const group = createGroupUsers();
        const expected = new Map<string, number>();
        for (const { user, sign, numbering } of steps) {
          const userId = `u${user}`;
          const count = expected.get(userId) ?? 0;
          if (sign === -1 && count === 0) continue; // only what was counted in is counted out
          if (count + sign === 0) expected.delete(userId);
          else expected.set(userId, count + sign);
          const users = numbering === 'none' ? undefined : numberings[numbering];
          countUser(group, userId, sign as 1 | -1, users, users && intern(users, userId));
        }
        expect(group.distinct).toBe(expected.size);
        expect(new Map(userCounts(group))).toEqual(expected);
      }),
    );
  });

  it('restore from their counts by text to the same users, counted on by the next changes', () => {
    const group = createGroupUsers();
    setUserCounts(group, [['u1', 2], ['u2', 1]]);
    const day = interned();
    countUser(group, 'u2', -1, day, intern(day, 'u2'));
    countUser(group, 'u3', 1, day, intern(day, 'u3'));
    expect(group.distinct).toBe(2);
    expect(userCounts(group)).toEqual([['u1', 2], ['u3', 1]]);
  });
});
