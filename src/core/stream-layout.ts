/** A shop's order stream as a job file describes it: envelope, field names, time format, channels. */
import { messageReader, type MessageReader } from './change-envelope.ts';
import { channelMap, OTHER_CHANNEL, TUTORIAL_CHANNELS, type Channel, type ChannelMap } from './channel.ts';
import { TUTORIAL_FIELDS, type ChangeFormat, type FieldNames } from './order-layout.ts';
import { orderReader } from './order.ts';
import type { TimeFormat } from './time-format.ts';

/** Everything about a stream that is not the tutorial's; every part has the tutorial's default. */
export interface StreamLayout {
  /** Default: `json`. */
  readonly format?: ChangeFormat;
  /** Default: the tutorial's names. */
  readonly fields?: FieldNames;
  /** Default: `sql`. */
  readonly timeFormat?: TimeFormat;
  /** Default: the tutorial's three, and `other`. */
  readonly channels?: { readonly known: readonly Channel[]; readonly other?: Channel };
}

/** The reader of a stream's messages; `zone` is the business zone instants are read in. */
export function streamReader(layout: StreamLayout, zone: string): MessageReader {
  const rows = orderReader({ fields: layout.fields ?? TUTORIAL_FIELDS, timeFormat: layout.timeFormat ?? 'sql', zone });
  return messageReader(layout.format ?? 'json', rows);
}

/** The channels of a stream. */
export function streamChannels(layout: StreamLayout): ChannelMap {
  return layout.channels === undefined ? TUTORIAL_CHANNELS : channelMap(layout.channels.known, layout.channels.other ?? OTHER_CHANNEL);
}
