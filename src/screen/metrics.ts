/** `/metrics`: the run's counters and gauges in the Prometheus text exposition format (version 0.0.4). */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ScreenStatus } from './screen-status.ts';

/** The content type of the text format. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Event-loop delay since the last scrape, in seconds. */
export interface EventLoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Everything `/metrics` tells. */
export interface MetricsInput {
  readonly status: ScreenStatus;
  readonly eventLoop?: EventLoopDelay;
  /** Browsers following `/events`. */
  readonly screenClients?: number;
}

type Labels = Readonly<Record<string, string>>;

/** One metric family: its name, help, type and samples. */
class Family {
  readonly lines: string[];
  constructor(
    readonly name: string,
    help: string,
    type: 'counter' | 'gauge' | 'histogram',
  ) {
    this.lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
  }
  sample(value: number, labels: Labels = {}, suffix = ''): this {
    const pairs = Object.entries(labels).map(([key, text]) => `${key}="${escapeLabel(text)}"`);
    this.lines.push(`${this.name}${suffix}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`);
    return this;
  }
}

/** The text of `/metrics`. Families without data (no counters in `tradeflow screen`) are left out. */
export function renderMetrics(input: MetricsInput): string {
  const { status } = input;
  const families: Family[] = [];
  const add = (name: string, help: string, type: 'counter' | 'gauge' | 'histogram'): Family => {
    const family = new Family(name, help, type);
    families.push(family);
    return family;
  };
  if (status.pipeline !== 'none') {
    add('tradeflow_pipeline_up', 'Whether the pipeline is running (1) or stopped (0).', 'gauge').sample(status.pipeline === 'running' ? 1 : 0);
  }
  add('tradeflow_database_up', 'Whether the database answers (1) or not (0).', 'gauge').sample(status.database === 'up' ? 1 : 0);

  const counters = status.counters;
  if (counters !== undefined) {
    add('tradeflow_orders_read_total', 'Order messages read from the source (each version of an order counts).', 'counter').sample(counters.read);
    add('tradeflow_orders_rejected_total', 'Order messages refused (kept in trade_order_rejects).', 'counter').sample(counters.rejected);
    add('tradeflow_orders_rejected_internal_total', 'Of the refused, the messages whose handling threw (reason "internal: ..."): a bug or a limit, worth an alert.', 'counter').sample(counters.internal);
    add('tradeflow_orders_filtered_total', 'Valid orders not counted: unpaid, or paid on a day not counted.', 'counter').sample(counters.filtered);
    add('tradeflow_rows_written_total', 'Rows upserted into trade_channel_collect.', 'counter').sample(counters.rowsWritten);
    add('tradeflow_rows_deleted_total', 'Rows deleted from trade_channel_collect (a group whose last order left).', 'counter').sample(counters.rowsDeleted);
    add('tradeflow_flushes_total', 'Flushes written to the database.', 'counter').sample(counters.flushes);
    add('tradeflow_database_retries_total', 'Flushes tried again after the database failed them (outages, lost connections).', 'counter').sample(counters.dbRetries);
    add('tradeflow_kafka_rebalances_total', 'Consumer-group rebalances this process\'s Kafka consumers took part in: partitions assigned to them, or revoked.', 'counter')
      .sample(counters.rebalanceAssigns, { kind: 'assign' })
      .sample(counters.rebalanceRevokes, { kind: 'revoke' });
    add('tradeflow_kafka_commit_failures_total', 'Offset commits the broker refused and stage transactions that could not commit (each is retried with the next flush).', 'counter').sample(counters.commitFailures);
    add('tradeflow_kafka_pauses_total', 'Times the Kafka source paused its partitions because the sink was more than a second behind.', 'counter').sample(counters.sourcePauses);
    add('tradeflow_rejects_dropped_total', 'Old rejects deleted to keep trade_order_rejects within its bound.', 'counter').sample(counters.rejectsDropped);
  }
  const histogram = status.flushDurationSeconds;
  if (histogram !== undefined) {
    const family = add('tradeflow_flush_duration_seconds', 'Time to write one flush to the database.', 'histogram');
    let cumulative = 0;
    histogram.bounds.forEach((bound, i) => {
      cumulative += histogram.counts[i] ?? 0;
      family.sample(cumulative, { le: formatValue(bound) }, '_bucket');
    });
    family.sample(histogram.count, { le: '+Inf' }, '_bucket');
    family.sample(histogram.sum, {}, '_sum');
    family.sample(histogram.count, {}, '_count');
  }
  if (status.lastFlushMs !== undefined) {
    add('tradeflow_last_flush_timestamp_seconds', 'When the last flush was committed, seconds since the epoch.', 'gauge').sample(status.lastFlushMs / 1000);
  }
  if (status.lagByPartition !== undefined && status.lagByPartition.length > 0) {
    const family = add('tradeflow_consumer_lag_messages', 'Messages of the topic not read yet, per topic and partition.', 'gauge');
    const topic = status.sourceTopic === undefined ? {} : { topic: status.sourceTopic };
    for (const lag of status.lagByPartition) family.sample(lag.messages, { ...topic, partition: String(lag.partition) });
  } else if (status.lagMessages !== undefined) {
    add('tradeflow_consumer_lag_messages', 'Messages of the topic not read yet, over every partition.', 'gauge').sample(status.lagMessages);
  }
  if (status.orderStates !== undefined) {
    add('tradeflow_state_orders', 'Orders kept in the dedupe state (the state size).', 'gauge').sample(status.orderStates);
  }
  if (input.eventLoop !== undefined) {
    const loop = input.eventLoop;
    add('tradeflow_event_loop_delay_p50_seconds', 'Median event-loop delay since the last scrape.', 'gauge').sample(loop.p50);
    add('tradeflow_event_loop_delay_p99_seconds', '99th percentile of the event-loop delay since the last scrape.', 'gauge').sample(loop.p99);
    add('tradeflow_event_loop_delay_max_seconds', 'Largest event-loop delay since the last scrape.', 'gauge').sample(loop.max);
    add('tradeflow_event_loop_delay_mean_seconds', 'Mean event-loop delay since the last scrape.', 'gauge').sample(loop.mean);
  }
  if (input.screenClients !== undefined) {
    add('tradeflow_screen_clients', 'Browsers following the live screen.', 'gauge').sample(input.screenClients);
  }
  return `${families.flatMap((family) => family.lines).join('\n')}\n`;
}

/** Measures the event-loop delay (perf_hooks); `read()` gives it since the last read and starts over. */
export function eventLoopMonitor(): { read(): EventLoopDelay; stop(): void } {
  const resolutionMs = 10;
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  // The samples are the time between two ticks of a 10 ms timer: the delay is what exceeds 10 ms.
  const seconds = (nanoseconds: number): number => (Number.isFinite(nanoseconds) ? Math.max(0, nanoseconds / 1e9 - resolutionMs / 1000) : 0);
  return {
    read: () => {
      const delay = histogram.count === 0
        ? { p50: 0, p99: 0, max: 0, mean: 0 }
        : { p50: seconds(histogram.percentile(50)), p99: seconds(histogram.percentile(99)), max: seconds(histogram.max), mean: seconds(histogram.mean) };
      histogram.reset();
      return delay;
    },
    stop: () => histogram.disable(),
  };
}

/** A sample value: integers as they are, `+Inf`, `-Inf`, `NaN`. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
