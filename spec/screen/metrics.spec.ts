import { describe, expect, it } from 'vitest';
import { renderMetrics, type MetricsInput } from '../../src/screen/metrics.ts';
import { createDurationRecorder } from '../../src/screen/screen-status.ts';

/** One sample line of the text format: name, optional labels, value, optional timestamp. */
const SAMPLE_LINE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*,?)?\})? (NaN|[+-]Inf|[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?: -?\d+)?$/;

interface Family {
  readonly help: string;
  readonly type: string;
  readonly samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** Parses the exposition text back, failing on any line out of the format or out of place. */
function parse(text: string): Map<string, Family> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, Family>();
  let current: { name: string; family: Family } | undefined;
  let help: { name: string; text: string } | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const helpLine = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    const typeLine = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (helpLine) {
      help = { name: helpLine[1]!, text: helpLine[2]! };
    } else if (typeLine) {
      const name = typeLine[1]!;
      expect(help?.name, `# HELP before # TYPE ${name}`).toBe(name);
      expect(families.has(name), `${name} appears once`).toBe(false);
      current = { name, family: { help: help!.text, type: typeLine[2]!, samples: [] } };
      families.set(name, current.family);
    } else {
      const sample = SAMPLE_LINE.exec(line);
      expect(sample, `a sample line: ${line}`).not.toBeNull();
      const [, name, labelText, value] = sample!;
      expect(current, `# TYPE before ${line}`).toBeDefined();
      const suffixes = current!.family.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
      expect(suffixes.map((suffix) => `${current!.name}${suffix}`), `${name} belongs to ${current!.name}`).toContain(name);
      const labels = Object.fromEntries([...(labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      current!.family.samples.push({ name: name!, labels, value: value === '+Inf' ? Infinity : Number(value) });
    }
  }
  return families;
}

const RUNNING: MetricsInput = {
  status: {
    pipeline: 'running',
    database: 'up',
    counters: { read: 2837, rejected: 9, internal: 2, filtered: 1399, rowsWritten: 812, rowsDeleted: 3, flushes: 203, rejectsDropped: 0, dbRetries: 7, rebalanceAssigns: 3, rebalanceRevokes: 2, commitFailures: 4, sourcePauses: 5 },
    sourceTopic: 'trade_order_detail_info',
    lagByPartition: [
      { partition: 0, messages: 12 },
      { partition: 1, messages: 30 },
    ],
    lagMessages: 42,
    orderStates: 1450,
    lastFlushMs: 1_616_660_000_500,
  },
  eventLoop: { p50: 0.0001, p99: 0.004, max: 0.012, mean: 0.0003 },
  screenClients: 2,
};

describe('the Prometheus text of /metrics', () => {
  it('has only lines of the exposition format, each family with its HELP and TYPE once, before its samples', () => {
    const durations = createDurationRecorder();
    for (const seconds of [0.004, 0.02, 0.02, 3, 12]) durations.observe(seconds);
    const families = parse(renderMetrics({ ...RUNNING, status: { ...RUNNING.status, flushDurationSeconds: durations } }));
    expect([...families.keys()]).toEqual([
      'tradeflow_pipeline_up',
      'tradeflow_database_up',
      'tradeflow_orders_read_total',
      'tradeflow_orders_rejected_total',
      'tradeflow_orders_rejected_internal_total',
      'tradeflow_orders_filtered_total',
      'tradeflow_rows_written_total',
      'tradeflow_rows_deleted_total',
      'tradeflow_flushes_total',
      'tradeflow_database_retries_total',
      'tradeflow_kafka_rebalances_total',
      'tradeflow_kafka_commit_failures_total',
      'tradeflow_kafka_pauses_total',
      'tradeflow_rejects_dropped_total',
      'tradeflow_flush_duration_seconds',
      'tradeflow_last_flush_timestamp_seconds',
      'tradeflow_consumer_lag_messages',
      'tradeflow_state_orders',
      'tradeflow_event_loop_delay_p50_seconds',
      'tradeflow_event_loop_delay_p99_seconds',
      'tradeflow_event_loop_delay_max_seconds',
      'tradeflow_event_loop_delay_mean_seconds',
      'tradeflow_screen_clients',
    ]);
    for (const [name, family] of families) {
      expect(family.help.length, `help of ${name}`).toBeGreaterThan(10);
      expect(family.samples.length, `samples of ${name}`).toBeGreaterThan(0);
      if (family.type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
    }
  });

  it('gives the counters of the run as they are', () => {
    const families = parse(renderMetrics(RUNNING));
    const value = (name: string): number | undefined => families.get(name)?.samples[0]?.value;
    const counters = RUNNING.status.counters!;
    expect(value('tradeflow_orders_read_total')).toBe(counters.read);
    expect(value('tradeflow_orders_rejected_total')).toBe(counters.rejected);
    expect(value('tradeflow_orders_rejected_internal_total')).toBe(counters.internal);
    expect(value('tradeflow_orders_filtered_total')).toBe(counters.filtered);
    expect(value('tradeflow_rows_written_total')).toBe(counters.rowsWritten);
    expect(value('tradeflow_rows_deleted_total')).toBe(counters.rowsDeleted);
    expect(value('tradeflow_flushes_total')).toBe(counters.flushes);
    expect(value('tradeflow_database_retries_total')).toBe(7);
    expect(value('tradeflow_state_orders')).toBe(1450);
    expect(value('tradeflow_last_flush_timestamp_seconds')).toBe(1_616_660_000.5);
    expect(value('tradeflow_pipeline_up')).toBe(1);
    expect(value('tradeflow_database_up')).toBe(1);
    expect(value('tradeflow_screen_clients')).toBe(2);
    expect(families.get('tradeflow_orders_read_total')?.type).toBe('counter');
  });

  it('counts the Kafka rebalances by kind (assign, revoke) and the commits that failed', () => {
    const families = parse(renderMetrics(RUNNING));
    expect(families.get('tradeflow_kafka_rebalances_total')).toMatchObject({ type: 'counter', samples: [{ labels: { kind: 'assign' }, value: 3 }, { labels: { kind: 'revoke' }, value: 2 }] });
    expect(families.get('tradeflow_kafka_commit_failures_total')).toMatchObject({ type: 'counter', samples: [{ value: 4 }] });
  });

  it('gives one consumer-lag sample per partition, labelled with the topic and the partition', () => {
    const lag = parse(renderMetrics(RUNNING)).get('tradeflow_consumer_lag_messages');
    expect(lag?.type).toBe('gauge');
    expect(lag?.samples).toEqual([
      { name: 'tradeflow_consumer_lag_messages', labels: { topic: 'trade_order_detail_info', partition: '0' }, value: 12 },
      { name: 'tradeflow_consumer_lag_messages', labels: { topic: 'trade_order_detail_info', partition: '1' }, value: 30 },
    ]);
  });

  it('adds the flush durations up into cumulative buckets that end with +Inf, then _sum and _count', () => {
    const durations = createDurationRecorder([0.01, 0.1, 1]);
    for (const seconds of [0.005, 0.01, 0.05, 0.5, 2]) durations.observe(seconds);
    const histogram = parse(renderMetrics({ status: { pipeline: 'running', database: 'up', flushDurationSeconds: durations } })).get('tradeflow_flush_duration_seconds');
    expect(histogram?.type).toBe('histogram');
    expect(histogram?.samples.map((s) => [s.name, s.labels.le, s.value])).toEqual([
      ['tradeflow_flush_duration_seconds_bucket', '0.01', 2],
      ['tradeflow_flush_duration_seconds_bucket', '0.1', 3],
      ['tradeflow_flush_duration_seconds_bucket', '1', 4],
      ['tradeflow_flush_duration_seconds_bucket', '+Inf', 5],
      ['tradeflow_flush_duration_seconds_sum', undefined, 0.005 + 0.01 + 0.05 + 0.5 + 2],
      ['tradeflow_flush_duration_seconds_count', undefined, 5],
    ]);
  });

  it('says a stopped pipeline and a database that is down as 0', () => {
    const families = parse(renderMetrics({ status: { pipeline: 'stopped', database: 'down' } }));
    expect(families.get('tradeflow_pipeline_up')?.samples[0]?.value).toBe(0);
    expect(families.get('tradeflow_database_up')?.samples[0]?.value).toBe(0);
  });

  it('leaves the pipeline out when the process only shows the table', () => {
    const families = parse(renderMetrics({ status: { pipeline: 'none', database: 'up' }, screenClients: 0 }));
    expect([...families.keys()]).toEqual(['tradeflow_database_up', 'tradeflow_screen_clients']);
  });
});
