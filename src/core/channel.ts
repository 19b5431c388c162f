/** The sales channels of SEMANTICS.md section 4. */

/** A channel as the result table names it. */
export interface Channel {
  readonly code: string;
  readonly name: string;
}

const KNOWN: ReadonlyMap<string, Channel> = new Map([
  ['webShop', { code: 'webShop', name: 'Website' }],
  ['appShop', { code: 'appShop', name: 'Shopping App' }],
  // The tutorial writes " Miniprogram" with a stray leading space; SEMANTICS.md drops it.
  ['miniAppShop', { code: 'miniAppShop', name: 'Miniprogram' }],
]);

/** Any other value, or none: the tutorial's `other`. */
export const OTHER_CHANNEL: Channel = { code: 'other', name: 'Other' };

/** The channel of an `order_channel` value (case-sensitive: `WebShop` is `other`). */
export function channelOf(orderChannel: string | null): Channel {
  return (orderChannel === null ? undefined : KNOWN.get(orderChannel)) ?? OTHER_CHANNEL;
}

/** The channel of a channel code (one of {@link channelOf}'s): its name is resolved once, here. */
export function channelByCode(code: string): Channel {
  return KNOWN.get(code) ?? OTHER_CHANNEL;
}

/** The channels of a shop: the channel of an `order_channel` value, and of a code. */
export interface ChannelMap {
  /** The channel of an `order_channel` value (case-sensitive); the rest's channel for any other. */
  readonly of: (orderChannel: string | null) => Channel;
  /** The channel of a code that {@link of} gives. */
  readonly byCode: (code: string) => Channel;
  /** The channels known by their `order_channel` value (which is their code), as given. */
  readonly known: readonly Channel[];
  /** The channel of every other value, and of none. */
  readonly rest: Channel;
}

/** The tutorial's three channels and `other`. */
export const TUTORIAL_CHANNELS: ChannelMap = { of: channelOf, byCode: channelByCode, known: [...KNOWN.values()], rest: OTHER_CHANNEL };

/** A shop's channels: each `order_channel` value is its code; any other value is `rest`. */
export function channelMap(channels: readonly Channel[], rest: Channel): ChannelMap {
  const known = new Map(channels.map((channel) => [channel.code, channel]));
  const byCode = new Map(known);
  if (!byCode.has(rest.code)) byCode.set(rest.code, rest);
  return {
    of: (orderChannel) => (orderChannel === null ? undefined : known.get(orderChannel)) ?? rest,
    byCode: (code) => byCode.get(code) ?? rest,
    known: [...channels],
    rest,
  };
}
