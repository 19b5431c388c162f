/** What a run tells the live screen about itself, and the small helpers it builds that from. */
import type { PipelineCounters } from '../core/batch.ts';

/** How many messages a consumer is behind the end of one partition. */
export interface PartitionLag {
  readonly partition: number;
  readonly messages: number;
}

/**
 * Durations in a Prometheus-style histogram: `counts[i]` observations fell at or below
 * `bounds[i]` and above `bounds[i - 1]`; the last count (`counts[bounds.length]`) is above every
 * bound (`+Inf`). Not cumulative: {@link renderMetrics} adds them up.
 */
export interface DurationHistogram {
  /** Upper bounds in seconds, ascending, without `+Inf`. */
  readonly bounds: readonly number[];
  /** One more than `bounds`. */
  readonly counts: readonly number[];
  /** Sum of every observation, in seconds. */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
}

/** The state of the process behind the screen, asked for whenever the screen needs it. */
export interface ScreenStatus {
  /** `running` while orders flow, `stopped` once the run ended or failed, `none` when this process only watches the table. */
  readonly pipeline: 'running' | 'stopped' | 'none';
  readonly database: 'up' | 'down';
  /** The run's counters (they only ever go up). */
  readonly counters?: PipelineCounters | undefined;
  /** Kafka: the topic the lag is of (a label of its samples). */
  readonly sourceTopic?: string | undefined;
  /** Kafka: whether the group gave this process partitions (undefined: a source without partitions). */
  readonly sourceAssigned?: boolean | undefined;
  /** Kafka: messages not read yet, over every assigned partition. */
  readonly lagMessages?: number | undefined;
  /** Kafka: the same per partition (`/metrics` gives one sample each). */
  readonly lagByPartition?: readonly PartitionLag[] | undefined;
  /** How far the source has been read, for the eye: "line 1,200", "1,450 orders simulated". */
  readonly sourcePosition?: string | undefined;
  /** Set once the run's first messages were mostly rejects: the line that said so (not ready). */
  readonly feedRefused?: string | undefined;
  /** Orders kept in the dedupe state (the state's size). */
  readonly orderStates?: number | undefined;
  /** When the last flush was committed, epoch milliseconds. */
  readonly lastFlushMs?: number | undefined;
  /** How long writing a flush took. */
  readonly flushDurationSeconds?: DurationHistogram | undefined;
}

/** Something that says "the table changed" (the run, after each flush). */
export interface ScreenChanges {
  /** Calls the listener after each change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** A {@link ScreenChanges} that the owner triggers with `notify()`. */
export interface ChangeNotifier extends ScreenChanges {
  notify(): void;
}

/** A change notifier: `notify()` calls every listener subscribed at that time. */
export function createChangeNotifier(): ChangeNotifier {
  const listeners = new Set<() => void>();
  return {
    subscribe: (listener) => {
      const entry = (): void => listener();
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    notify: () => {
      for (const listener of [...listeners]) listener();
    },
  };
}

/** Bounds in seconds for flush durations: 1 ms to 10 s. */
export const FLUSH_DURATION_BOUNDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A histogram being filled: `observe` adds one duration; the object itself is the current {@link DurationHistogram}. */
export interface DurationRecorder extends DurationHistogram {
  observe(seconds: number): void;
}

/** An empty histogram of durations with these bounds (seconds, ascending). */
export function createDurationRecorder(bounds: readonly number[] = FLUSH_DURATION_BOUNDS): DurationRecorder {
  for (let i = 1; i < bounds.length; i += 1) {
    if (!((bounds[i] ?? 0) > (bounds[i - 1] ?? 0))) throw new RangeError('Cannot make a histogram: its bounds must ascend');
  }
  const counts = new Array<number>(bounds.length + 1).fill(0);
  const recorder = {
    bounds: [...bounds],
    counts,
    sum: 0,
    count: 0,
    observe(seconds: number): void {
      let bucket = bounds.findIndex((bound) => seconds <= bound);
      if (bucket < 0) bucket = bounds.length;
      counts[bucket] = (counts[bucket] ?? 0) + 1;
      recorder.sum += seconds;
      recorder.count += 1;
    },
  };
  return recorder;
}
