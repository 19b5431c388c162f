import { currentContributions, type Contribution, type DedupeState } from '../../src/core/dedupe-state.ts';

/**
 * The contribution of every order that counts in `state`, with the user's number but not the
 * numbering it refers to, so that two states compare by what they count, fast (the numbering
 * itself is a Map shared by every contribution of a day).
 */
export function counted(state: DedupeState): Omit<Contribution, 'users'>[] {
  return currentContributions(state).map(({ users: _numbering, ...contribution }) => contribution);
}
