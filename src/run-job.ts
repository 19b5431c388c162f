/**
 * One run of `tradeflow run`: open the database, restore the checkpoint a Kafka source left,
 * run the pipeline until the source ends or a signal stops it, then checkpoint and commit.
 */
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { PipelineCounters } from './core/batch.ts';
import { dayInZone, timestampInZone, type DaySelection } from './core/business-day.ts';
import { restoreDedupe, snapshotDedupe } from './core/dedupe-snapshot.ts';
import { createDedupeState, keepOnlyDay, trackedOrders, type DedupeState } from './core/dedupe-state.ts';
import { openDatabase, type DatabaseLocation } from './db/connect.ts';
import { migrateToLatest } from './db/migration-source.ts';
import { kafka } from './kafka/client.ts';
import { codecWarning } from './kafka/codecs.ts';
import type { StartupMode } from './kafka/startup.ts';
import { runPipeline } from './run-pipeline.ts';
import { loadCheckpoint, loadProgress } from './sinks/checkpoint-writes.ts';
import type { FlushProgress } from './sinks/result-sink.ts';
import { openRunScreen, type RunScreen } from './screen/run-screen.ts';
import type { ScreenDisplay } from './screen/screen-api.ts';
import type { ScreenGuard } from './screen/screen-guard.ts';
import { databaseSink } from './sinks/database-sink.ts';
import { describeDbError } from './sinks/db-errors.ts';
import { failpoint } from './sinks/failpoint.ts';
import { runStages, type StagePlan } from './stages/run-stages.ts';
import { fileSource } from './sources/file-source.ts';
import { kafkaSource } from './sources/kafka-source.ts';
import type { OrderSource } from './sources/order-source.ts';
import { simulatorSource } from './sources/simulator-source.ts';
import { formatCount, formatDuration } from './cli/format.ts';
import { showTable, summary } from './cli/job-report.ts';

/** Where the orders of a run come from. */
export type SourcePlan =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'simulator'; readonly zone: string; readonly ordersPerSecond: number; readonly seed: number }
  | {
      readonly kind: 'kafka';
      readonly brokers: string;
      readonly topic: string;
      readonly group: string;
      readonly startup: StartupMode;
      readonly exitAtEnd: boolean;
      /** This process's static group membership id. Default: from the host name and the topic. */
      readonly instanceId?: string;
    };

/** Everything a run needs to know. */
export interface JobPlan {
  readonly source: SourcePlan;
  readonly database: DatabaseLocation;
  readonly days: DaySelection;
  readonly zone: string;
  readonly flushIntervalMs: number;
  readonly flushRows: number;
  /** How often a Kafka run checkpoints its state, ms (and at every clean stop). */
  readonly checkpointIntervalMs: number;
  /** How many rejected messages the rejects table keeps (the newest). */
  readonly keepRejects: number;
  /** How many days before the newest one `trade_channel_history` keeps. Default: 90. */
  readonly keepHistoryDays?: number;
  /** Scale-out: the stages this instance runs, through the changes topic. None: all in one process. */
  readonly stage?: StagePlan;
  /** The live screen: where, and whether that port was asked for. None: no screen. */
  readonly http?: { readonly port: number; readonly host: string; readonly portGiven: boolean; readonly display?: ScreenDisplay; readonly guard?: ScreenGuard };
}

/** Where a run reports. */
export interface JobIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

/** Runs the plan to its end (or Ctrl-C / SIGTERM), printing the table and a one-line summary. */
export async function runJob(plan: JobPlan, counters: PipelineCounters, io: JobIO): Promise<void> {
  if (plan.stage !== undefined) return runStages(plan, plan.stage, counters, io);
  const db = openDatabase(plan.database);
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130); // a second signal: at once
    io.stderr('Stopping: writing the last rows (Ctrl-C again to quit at once)...');
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const live = plan.days.kind === 'live';
  const daysWritten = new Set<string>();
  const health: { database: 'up' | 'down' } = { database: 'up' };
  const started = performance.now();
  let display: NodeJS.Timeout | undefined;
  let source: OrderSource | undefined;
  let screen: RunScreen | undefined;
  try {
    await migrateToLatest(db);
    const { dedupeState, resumeFrom, checkpointKey, writtenUpTo } = await restore(db, plan, io);
    source = openSource(plan, resumeFrom, io);
    const reading = source;
    if (plan.http !== undefined) {
      screen = await openRunScreen({
        db,
        zone: plan.zone,
        ...plan.http,
        counters,
        source: reading,
        trackedOrders: () => trackedOrders(dedupeState),
        databaseWritable: () => health.database === 'up',
        log: io.stderr,
      });
    }
    const today = (): string[] => [dayInZone(Date.now(), plan.zone)];
    if (live) display = setInterval(() => void showTable(db, today(), counters, reading.describeProgress?.() ?? '', io.stdout).catch(() => {}), 5000);
    io.stderr(`tradeflow: ${source.name} -> ${plan.database.display} (${describeDays(plan.days)}, zone ${plan.zone})${live ? '; Ctrl-C stops' : ''}`);
    const codecs = plan.source.kind === 'kafka' ? codecWarning(kafka().features) : undefined;
    if (codecs !== undefined) io.stderr(codecs);
    const restoredAt = new Map<number, number>(resumeFrom === undefined ? [] : [...resumeFrom].map(([p, next]) => [p, next - 1]));
    let checkpointSaved: FlushProgress | undefined;
    const sink = databaseSink(db, {
        counters,
        formatTime: (ms) => timestampInZone(ms, plan.zone),
        inside: failpoint(process.env.TRADEFLOW_FAULT),
        keepRejects: plan.keepRejects,
        ...(plan.keepHistoryDays !== undefined && { keepHistoryDays: plan.keepHistoryDays }),
        retry: {
          signal: stop.signal,
          onRetry: (error, attempt, delayMs) => {
            counters.dbRetries++;
            health.database = 'down';
            if (attempt === 1 || attempt % 10 === 0) io.stderr(`tradeflow: the database is unreachable (${describeDbError(error)}); reading paused, retrying in ${formatDuration(delayMs)}`);
          },
          onRecovered: (attempts, downMs) => {
            health.database = 'up';
            io.stderr(`tradeflow: the database is back after ${formatDuration(downMs)} (${attempts} attempts); catching up`);
          },
        },
      });
    await runPipeline({
      source,
      sink: {
        write: async (flush, progress) => {
          const began = performance.now();
          await sink.write(flush, progress);
          screen?.flushed((performance.now() - began) / 1000);
        },
        finish: async () => {
          await sink.finish?.();
        },
        close: () => sink.close(),
      },
      days: plan.days,
      zone: plan.zone,
      counters,
      flushIntervalMs: plan.flushIntervalMs,
      flushRows: plan.flushRows,
      dedupeState,
      signal: stop.signal,
      ...(checkpointKey !== undefined && {
        checkpoint: { key: checkpointKey, intervalMs: plan.checkpointIntervalMs, take: () => snapshotDedupe(dedupeState), restoredAt, ...(writtenUpTo && { writtenUpTo }) },
      }),
      onFlush: (flush, progress) => {
        for (const row of [...flush.upserts, ...flush.deletes]) daysWritten.add(row.beginTime.slice(0, 10));
        if (progress?.checkpoint !== undefined) checkpointSaved = progress;
      },
    });
    if (checkpointSaved !== undefined) {
      const at = checkpointSaved.covered.map((o) => `${o.partition}:${o.offset}`).join(' ');
      io.stderr(`tradeflow: checkpoint of ${formatCount(trackedOrders(dedupeState))} orders saved at offsets ${at}`);
    }
    await showTable(db, live ? today() : [...daysWritten].sort(), counters, source.describeProgress?.() ?? '', io.stdout);
  } finally {
    screen?.stopped();
    await screen?.close();
    clearInterval(display);
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await source?.close?.();
    await db.destroy();
  }
  io.stdout(summary(counters, performance.now() - started));
}

/** The state and offsets a Kafka run resumes from (`--startup group`), and its checkpoint's key. */
async function restore(
  db: Knex,
  plan: JobPlan,
  io: JobIO,
): Promise<{ dedupeState: DedupeState; resumeFrom?: ReadonlyMap<number, number>; checkpointKey?: string; writtenUpTo?: ReadonlyMap<number, number> }> {
  if (plan.source.kind !== 'kafka') return { dedupeState: createDedupeState() };
  const checkpointKey = `kafka:${plan.source.topic}:${plan.source.group}`;
  if (plan.source.startup.kind !== 'group') return { dedupeState: createDedupeState(), checkpointKey };
  const checkpoint = await loadCheckpoint(db, checkpointKey);
  if (checkpoint === undefined) {
    io.stderr(`tradeflow: no checkpoint of ${checkpointKey} yet: reading the topic from its start to build the state`);
    return { dedupeState: createDedupeState(), resumeFrom: new Map(), checkpointKey };
  }
  const dedupeState = restoreDedupe(checkpoint.state);
  if (plan.days.kind === 'live') keepOnlyDay(dedupeState, dayInZone(Date.now(), plan.zone)); // down at midnight: that day is final
  const writtenUpTo = await loadProgress(db, checkpointKey);
  io.stderr(`tradeflow: resuming ${checkpointKey} with ${formatCount(trackedOrders(dedupeState))} orders of state`);
  return { dedupeState, resumeFrom: new Map(checkpoint.offsets.map((o) => [o.partition, o.offset + 1])), checkpointKey, writtenUpTo };
}

function openSource(plan: JobPlan, resumeFrom: ReadonlyMap<number, number> | undefined, io: JobIO): OrderSource {
  const source = plan.source;
  if (source.kind === 'file') return fileSource(source.path);
  if (source.kind === 'simulator') return simulatorSource({ zone: source.zone, ordersPerSecond: source.ordersPerSecond, seed: source.seed });
  // Group mode goes on from the checkpoint's offsets. A partition the checkpoint does not cover
  // (or all of them, without a checkpoint) is read from its start: its committed offset may be
  // ahead of the state, and resuming there would lose orders.
  const startup: StartupMode = source.startup.kind === 'group' ? { kind: 'earliest' } : source.startup;
  return kafkaSource({ ...source, startup, instanceId: source.instanceId ?? `tradeflow-${hostname()}-${source.topic}`, ...(resumeFrom && resumeFrom.size > 0 && { resumeFrom }), log: io.stderr });
}

function describeDays(days: DaySelection): string {
  if (days.kind === 'fixed') return `day ${days.day}`;
  if (days.kind === 'all') return 'every day';
  return 'today, live';
}
