/**
 * The paying users of one group: how many of its orders each user has, by the user's number in
 * an interned numbering. A group counts in the numbering of the contributions it gets (the
 * dedupe state's users of the day, in one process), so that counting a user is an array access,
 * not a second look-up of its text; contributions of another numbering (or none: read from the
 * changes topic) are counted by their text, in a numbering of the group's own.
 */
import { intern, interned, type Interned } from './interned.ts';

/** Orders per user, and how many users have any. */
export interface GroupUsers {
  /** The numbering the counts are in; undefined until the first user. */
  numbering: Interned | undefined;
  /** Whether the numbering is the group's own (interned here) or borrowed from its contributions. */
  own: boolean;
  counts: Int32Array;
  /** Users with at least one order. */
  distinct: number;
}

/** No users. */
export function createGroupUsers(): GroupUsers {
  return { numbering: undefined, own: false, counts: new Int32Array(0), distinct: 0 };
}

/**
 * Counts an order of `userId` in (sign 1) or out (-1); `users` and `user` are the numbering and
 * number it comes with, when it has them.
 */
export function countUser(group: GroupUsers, userId: string, sign: 1 | -1, users: Interned | undefined, user: number | undefined): void {
  let number: number;
  if (users !== undefined && user !== undefined && user >= 0 && (group.numbering === users || group.numbering === undefined)) {
    group.numbering = users;
    number = user;
  } else {
    if (!group.own) makeOwn(group);
    number = intern(group.numbering!, userId);
  }
  if (number >= group.counts.length) grow(group, number + 1);
  const count = group.counts[number]! + sign;
  group.counts[number] = count;
  if (count === 0) group.distinct -= 1;
  else if (count === sign) group.distinct += 1; // it was 0
}

/** Every user with orders and how many, by text. */
export function userCounts(group: GroupUsers): [string, number][] {
  const out: [string, number][] = [];
  const values = group.numbering?.values ?? [];
  for (let number = 0; number < group.counts.length; number++) {
    const count = group.counts[number]!;
    if (count !== 0) out.push([values[number]!, count]);
  }
  return out;
}

/** Sets the users' counts, by text (a restored snapshot), into a numbering of the group's own. */
export function setUserCounts(group: GroupUsers, counts: Iterable<readonly [string, number]>): void {
  makeOwn(group);
  addUserCounts(group, counts);
}

/** Moves the counts into a numbering of the group's own (rare: contributions of two numberings). */
function makeOwn(group: GroupUsers): void {
  const counted = userCounts(group);
  group.numbering = interned();
  group.own = true;
  group.counts = new Int32Array(0);
  group.distinct = 0;
  addUserCounts(group, counted);
}

/** Sets the counts of users new to the group's own numbering. */
function addUserCounts(group: GroupUsers, counts: Iterable<readonly [string, number]>): void {
  for (const [userId, count] of counts) {
    const number = intern(group.numbering!, userId);
    if (number >= group.counts.length) grow(group, number + 1);
    if (group.counts[number] === 0 && count !== 0) group.distinct += 1;
    group.counts[number] = count;
  }
}

function grow(group: GroupUsers, size: number): void {
  const counts = new Int32Array(Math.max(size, group.counts.length * 2, 16));
  counts.set(group.counts);
  group.counts = counts;
}
