/**
 * What a stage's state depends on besides its log: a snapshot is restored only by a run whose
 * fingerprint is the same, since the same log read under other settings gives another state.
 */
import type { DaySelection } from './business-day.ts';
import type { ChannelMap } from './channel.ts';

/**
 * The fingerprint of a state built for these days and, when its keys carry channel codes (the
 * aggregate stage's groups), this channel map: the same inputs give the same text, whatever the
 * order of their keys or of the known channels. The dedupe state keeps raw `order_channel`
 * values, so it is fingerprinted without a map.
 */
export function stateFingerprint(days: DaySelection, channels?: ChannelMap): string {
  const map = channels === undefined ? undefined : { known: [...channels.known].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)), rest: channels.rest };
  return JSON.stringify(sortedKeys({ days, ...(map && { channels: map }) }));
}

/** The value with every object's keys in order, so that its JSON does not depend on how it was built. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
