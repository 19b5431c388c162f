/** One write to the sink, as the pipeline emits it and the sinks write it. */
import type { Reject, SourceOffset } from './batch.ts';
import type { GroupFigures } from './channel-aggregate.ts';
import type { GroupHistory } from './minute-history.ts';

/** A row to upsert: a group with figures. */
export interface UpsertRow {
  readonly beginTime: string;
  readonly channelCode: string;
  readonly figures: GroupFigures;
}

/** One write to the sink: the latest row per key, the emptied groups, the changed minutes, the rejects, the offsets covered. */
export interface Flush {
  readonly upserts: readonly UpsertRow[];
  readonly deletes: readonly { readonly beginTime: string; readonly channelCode: string }[];
  /** Per group, the minutes of the day's curve that changed (the latest figures per minute). */
  readonly history: readonly GroupHistory[];
  readonly rejects: readonly Reject[];
  /** Per partition, the last offset whose effects this flush completes. */
  readonly progress: readonly SourceOffset[];
}
