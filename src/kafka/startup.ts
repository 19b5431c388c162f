/** Where a Kafka source starts reading: the tutorial's `connector.startup-mode` and more. */

/** latest / earliest offsets, the group's committed position, or the first offset at a time. */
export type StartupMode =
  | { readonly kind: 'latest' }
  | { readonly kind: 'earliest' }
  | { readonly kind: 'group' }
  | { readonly kind: 'timestamp'; readonly epochMs: number };

/** Reads `latest|earliest|group|timestamp:<ISO>`; RangeError naming --startup otherwise. */
export function parseStartup(text: string): StartupMode {
  if (text === 'latest' || text === 'earliest' || text === 'group') return { kind: text };
  if (text.startsWith('timestamp:')) {
    const epochMs = Date.parse(text.slice('timestamp:'.length));
    if (Number.isNaN(epochMs)) throw new RangeError(`Cannot use --startup: "${text.slice(10)}" is not an ISO time, e.g. timestamp:2021-03-25T00:00:00+08:00`);
    return { kind: 'timestamp', epochMs };
  }
  throw new RangeError(`Cannot use --startup: expected latest, earliest, group or timestamp:<ISO>, got "${text}"`);
}
