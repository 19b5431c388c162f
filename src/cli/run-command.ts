import { existsSync, statSync } from 'node:fs';
import type { Knex } from 'knex';
import { createCounters, type PipelineCounters } from '../core/batch.ts';
import { asOfDay, checkZone, dayInZone, systemZone, timestampInZone, type DaySelection } from '../core/business-day.ts';
import { openDatabase, parseDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migration-source.ts';
import { runPipeline } from '../run-pipeline.ts';
import { databaseSink } from '../sinks/database-sink.ts';
import { fileSource } from '../sources/file-source.ts';
import type { OrderSource } from '../sources/order-source.ts';
import { simulatorSource } from '../sources/simulator-source.ts';
import { formatCount, formatDuration, formatMoney } from './format.ts';
import { helpText, readOptions, UsageError, wholeNumber, type OptionSpec } from './options.ts';
import type { CommandIO } from './main.ts';

const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: 'source', type: 'string', value: 'SOURCE', description: 'simulator (a built-in live shop) or file:PATH (a recorded .jsonl stream)', default: 'simulator' },
  { name: 'db', type: 'string', value: 'URL', description: 'sqlite:PATH or mysql://user:pass@host:port/database', default: 'sqlite:./data/tradeflow.sqlite' },
  { name: 'as-of', type: 'string', value: '"yyyy-MM-dd HH:mm:ss"', description: 'count the day of this time, like the tutorial\'s constant (replays)' },
  { name: 'days', type: 'string', value: 'all', description: 'backfill: each order counts toward the day of its own pay_time' },
  { name: 'timezone', type: 'string', value: 'ZONE', description: 'IANA zone of the business day (default: the system zone)' },
  { name: 'flush-interval', type: 'string', value: 'MS', description: 'write the table at least this often', default: '1000' },
  { name: 'flush-rows', type: 'string', value: 'N', description: 'write as soon as this many changes wait', default: '1000' },
  { name: 'rate', type: 'string', value: 'N', description: 'simulator: new orders per second', default: '50' },
  { name: 'seed', type: 'string', value: 'N', description: 'simulator: seed of the simulated shop', default: '1' },
];

/** `tradeflow run`: a source through the pipeline into the table, until its end or Ctrl-C. */
export async function runCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const options = readOptions('run', args, RUN_OPTIONS, io.env);
  if (options.has('help')) {
    io.stdout(helpText('tradeflow run [options]', 'Computes the day\'s GMV, paying users and paid orders per channel into trade_channel_collect.\nWith no options: a simulated live shop into ./data/tradeflow.sqlite until Ctrl-C.', RUN_OPTIONS));
    return 0;
  }
  const zone = checked(() => checkZone(String(options.get('timezone') ?? systemZone())));
  const days = daySelection(options, zone);
  const flushIntervalMs = wholeNumber('flush-interval', options.get('flush-interval')) ?? 1000;
  const flushRows = wholeNumber('flush-rows', options.get('flush-rows')) ?? 1000;
  const location = checked(() => parseDatabase(String(options.get('db'))));
  const source = orderSource(String(options.get('source')), options, zone);

  const counters = createCounters();
  const db = openDatabase(location);
  const started = performance.now();
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130); // a second Ctrl-C: at once
    io.stderr('Stopping: writing the last rows (Ctrl-C again to quit at once)...');
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const live = days.kind === 'live';
  const today = (): string[] => [dayInZone(Date.now(), zone)];
  const display = live ? setInterval(() => void showTable(db, today(), counters, source, io), 5000) : undefined;
  const daysWritten = new Set<string>();
  try {
    await migrateToLatest(db);
    io.stderr(`tradeflow: ${source.name} -> ${location.display} (${describeDays(days)}, zone ${zone})${live ? '; Ctrl-C stops' : ''}`);
    await runPipeline({
      source,
      sink: databaseSink(db, { counters, formatTime: (ms) => timestampInZone(ms, zone) }),
      days,
      zone,
      counters,
      flushIntervalMs,
      flushRows,
      signal: stop.signal,
      onFlush: (flush) => {
        for (const row of [...flush.upserts, ...flush.deletes]) daysWritten.add(row.beginTime.slice(0, 10));
      },
    });
    await showTable(db, live ? today() : [...daysWritten].sort(), counters, source, io);
  } finally {
    clearInterval(display);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await db.destroy();
  }
  io.stdout(summary(counters, performance.now() - started));
  return 0;
}

function daySelection(options: Map<string, string | boolean>, zone: string): DaySelection {
  const asOf = options.get('as-of');
  const days = options.get('days');
  if (asOf !== undefined && days !== undefined) throw new UsageError('--as-of and --days all exclude each other: pick one');
  if (days !== undefined && days !== 'all') throw new UsageError(`--days: the only value is "all", got "${String(days)}"`);
  if (days === 'all') return { kind: 'all' };
  if (asOf !== undefined) return { kind: 'fixed', day: checked(() => asOfDay(String(asOf), zone)) };
  return { kind: 'live', zone };
}

function orderSource(value: string, options: Map<string, string | boolean>, zone: string): OrderSource {
  if (value === 'simulator') {
    return simulatorSource({ zone, ordersPerSecond: wholeNumber('rate', options.get('rate')) ?? 50, seed: wholeNumber('seed', options.get('seed'), 0) ?? 1 });
  }
  if (value.startsWith('file:')) {
    const path = value.slice('file:'.length);
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--source: no such file "${path}"`);
    return fileSource(path);
  }
  throw new UsageError(`--source: expected simulator or file:PATH, got "${value}"`);
}

function describeDays(days: DaySelection): string {
  if (days.kind === 'fixed') return `day ${days.day}`;
  if (days.kind === 'all') return 'every day';
  return 'today, live';
}

/** The one-line summary of a run. */
function summary(counters: PipelineCounters, elapsedMs: number): string {
  const rate = counters.read / Math.max(elapsedMs / 1000, 1e-3);
  return [
    `read ${formatCount(counters.read)}`,
    `rejected ${formatCount(counters.rejected)}`,
    `filtered ${formatCount(counters.filtered)}`,
    `rows written ${formatCount(counters.rowsWritten)}`,
    `${formatCount(rate)} orders/s`,
    `in ${formatDuration(elapsedMs)}`,
  ].join(' | ');
}

/** Prints the rows of the days, as the table holds them now. */
async function showTable(db: Knex, days: readonly string[], counters: PipelineCounters, source: OrderSource, io: CommandIO): Promise<void> {
  const rows = (await db('trade_channel_collect')
    .whereIn('begin_time', days.map((day) => `${day} 00:00:00`))
    .orderBy(['begin_time', 'channel_code'])) as {
    begin_time: string;
    channel_name: string;
    cur_gmv: number;
    cur_order_user_count: number;
    cur_order_count: number;
    last_pay_time: string;
  }[];
  const lines = [`${source.describeProgress?.() ?? ''} | read ${formatCount(counters.read)} | rejected ${formatCount(counters.rejected)} | filtered ${formatCount(counters.filtered)}`];
  lines.push(`  ${'day'.padEnd(12)}${'channel'.padEnd(14)}${'GMV'.padStart(16)}${'users'.padStart(9)}${'orders'.padStart(9)}  last payment`);
  for (const row of rows) {
    lines.push(`  ${row.begin_time.slice(0, 10).padEnd(12)}${row.channel_name.padEnd(14)}${formatMoney(row.cur_gmv).padStart(16)}${formatCount(row.cur_order_user_count).padStart(9)}${formatCount(row.cur_order_count).padStart(9)}  ${row.last_pay_time}`);
  }
  io.stdout(lines.join('\n'));
}

function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
