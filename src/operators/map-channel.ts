import { map, type OperatorFunction } from 'rxjs';
import { withItems, type Batch } from '../core/batch.ts';
import { channelOf } from '../core/channel.ts';
import type { Contribution } from '../core/dedupe-state.ts';
import type { ChannelContribution } from '../core/group-table.ts';

export type { ChannelContribution };

/** Resolves `order_channel` to the channel code and name of the result table. */
export function mapChannel(): OperatorFunction<Batch<Contribution>, Batch<ChannelContribution>> {
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
          channelOfOrder: channelOf(change.channel),
        }),
      ),
    ),
  );
}
