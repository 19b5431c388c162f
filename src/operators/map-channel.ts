import { map, type OperatorFunction } from 'rxjs';
import { withItems, type Batch } from '../core/batch.ts';
import { TUTORIAL_CHANNELS, type ChannelMap } from '../core/channel.ts';
import type { Contribution } from '../core/dedupe-state.ts';
import type { ChannelContribution } from '../core/group-table.ts';

export type { ChannelContribution };

/** Resolves `order_channel` to the channel code and name of the result table (the shop's channels; default: the tutorial's). */
export function mapChannel(channels: ChannelMap = TUTORIAL_CHANNELS): OperatorFunction<Batch<Contribution>, Batch<ChannelContribution>> {
  const channelOf = channels.of;
  return map((batch) =>
    withItems(
      batch,
      batch.items.map(
        (change): ChannelContribution => ({
          sign: change.sign,
          day: change.day,
          channel: change.channel,
          userId: change.userId,
          amount: change.amount,
          payTime: change.payTime,
          users: change.users,
          user: change.user,
          channelOfOrder: channelOf(change.channel),
        }),
      ),
    ),
  );
}
