/**
 * One run of `tradeflow run`: open the database, restore the checkpoint a Kafka source left,
 * run the pipeline until the source ends or the stop signal aborts, then checkpoint and commit.
 */
import { hostname } from 'node:os';
import type { Knex } from 'knex';
import type { KafkaCounters } from '../core/batch.ts';
import { withFields, type Logger } from '../core/log.ts';
import { dayInZone, timestampInZone, type DaySelection } from '../core/business-day.ts';
import { restoreIncremental } from '../core/dedupe-delta.ts';
import { snapshotDedupe } from '../core/dedupe-snapshot.ts';
import { createDedupeState, keepOnlyDay, trackChanges, trackedOrders, type DedupeState } from '../core/dedupe-state.ts';
import { incrementalCheckpoints, type IncrementalCheckpoints, type StoredChain } from './incremental-checkpoints.ts';
import { loggedFeedCheck } from '../core/feed-check.ts';
import { streamChannels, streamReader } from '../core/stream-layout.ts';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migration-source.ts';
import { kafka } from '../kafka/client.ts';
import { codecWarning } from '../kafka/codecs.ts';
import { startOffsets } from '../kafka/start-offsets.ts';
import { missingTopic } from '../kafka/topics.ts';
import type { EdgeStartup, StartupMode } from '../kafka/startup.ts';
import { runPipeline } from './run-pipeline.ts';
import { dropCheckpoint, loadIncremental, loadProgress, saveCheckpoint } from '../sinks/checkpoint-writes.ts';
import type { FlushProgress } from '../sinks/result-sink.ts';
import { openRunScreen, type RunScreen } from '../screen/run-screen.ts';
import { loggedDatabaseSink, type DatabaseHealth } from './logged-database-sink.ts';
import { runStages } from './stages/run-stages.ts';
import { clockScheduler, type JobContext, type JobOutcome, type JobPlan } from './job-plan.ts';
import { fileSource } from '../sources/file-source.ts';
import { kafkaSource } from '../sources/kafka-source.ts';
import type { OrderSource } from '../sources/order-source.ts';
import { simulatorSource } from '../sources/simulator-source.ts';
import { formatCount } from '../core/format.ts';
import { MAX_MESSAGE_BYTES } from '../core/reject.ts';
import { readPool } from '../workers/read-pool.ts';
import type { NextOffset } from '../core/positions.ts';
import type { SourceOffset } from '../core/batch.ts';

/** Runs the plan to its end (or until the context's signal aborts), then shows the table of the days it wrote. */
export async function runJob(plan: JobPlan, context: JobContext): Promise<JobOutcome> {
  if (plan.stage !== undefined) {
    await runStages(plan, plan.stage, context);
    return {};
  }
  const { counters, signal, clock, report } = context;
  const log = withFields(context.log, { db: plan.database.display, ...(plan.source.kind === 'kafka' && { topic: plan.source.topic, group: plan.source.group }) });
  const db = openDatabase(plan.database);
  const live = plan.days.kind === 'live';
  const daysWritten = new Set<string>();
  const health: DatabaseHealth = { database: 'up' };
  // Told once, when the first messages turn out mostly rejects: a file replay fails, a live run is not ready.
  const feedCheck = loggedFeedCheck(plan.feed, log);
  let display: NodeJS.Timeout | undefined;
  let source: OrderSource | undefined;
  let screen: RunScreen | undefined;
  let checkpoints: IncrementalCheckpoints | undefined;
  // Beside this thread, which keeps the state: threads that parse and validate the messages.
  const workers = plan.workers ?? 1;
  const readingThreads = workers > 1 ? readPool({ threads: workers - 1, zone: plan.zone, maxRecordBytes: MAX_MESSAGE_BYTES, ...(plan.layout !== undefined && { layout: plan.layout }) }) : undefined;
  try {
    await migrateToLatest(db);
    const { dedupeState, resumeFrom, checkpointKey, writtenUpTo, chain } = await restore(db, plan, context);
    if (checkpointKey !== undefined && chain !== undefined) checkpoints = incrementalCheckpoints(db, checkpointKey, dedupeState, chain, log, () => timestampInZone(clock(), plan.zone));
    source = openSource(plan, resumeFrom, log, counters);
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
        feedRefused: () => feedCheck.refusal?.line,
        log,
      });
    }
    const today = (): string[] => [dayInZone(clock(), plan.zone)];
    const table = report.table;
    if (live && table !== undefined && report.liveTable === true) display = setInterval(() => void table(db, today(), reading.describeProgress?.() ?? '').catch(() => {}), 5000);
    log.info(`${source.name} -> ${plan.database.display} (${describeDays(plan.days)}, zone ${plan.zone}, ${workers} ${workers === 1 ? 'worker' : 'workers'})${live ? '; Ctrl-C stops' : ''}`, { source: source.name, days: describeDays(plan.days), zone: plan.zone, workers });
    const codecs = plan.source.kind === 'kafka' ? codecWarning(kafka().features) : undefined;
    if (codecs !== undefined) log.warn(codecs);
    const restoredAt = new Map<number, NextOffset>(resumeFrom ?? []);
    let checkpointSaved: FlushProgress | undefined;
    const sink = loggedDatabaseSink(db, {
      counters,
      formatTime: (ms) => timestampInZone(ms, plan.zone),
      ...(context.fault !== undefined && { inside: context.fault }),
      keepRejects: plan.keepRejects,
      ...(plan.keepHistoryDays !== undefined && { keepHistoryDays: plan.keepHistoryDays }),
      signal,
      log,
      clock,
      health,
      onFlushed: (seconds) => screen?.flushed(seconds),
    });
    await runPipeline({
      source,
      sink,
      days: plan.days,
      zone: plan.zone,
      counters,
      flushIntervalMs: plan.flushIntervalMs,
      flushRows: plan.flushRows,
      dedupeState,
      feedCheck,
      ...(plan.layout !== undefined && { read: streamReader(plan.layout, plan.zone), channels: streamChannels(plan.layout) }),
      ...(readingThreads && { reading: readingThreads }),
      signal,
      clock,
      scheduler: clockScheduler(clock),
      ...(checkpointKey !== undefined && {
        checkpoint: { key: checkpointKey, intervalMs: plan.checkpointIntervalMs, take: () => checkpoints?.take() ?? snapshotDedupe(dedupeState), restoredAt, ...(writtenUpTo && { writtenUpTo }) },
      }),
      onFlush: (flush, progress) => {
        for (const row of [...flush.upserts, ...flush.deletes]) daysWritten.add(row.beginTime.slice(0, 10));
        if (progress?.checkpoint !== undefined) {
          checkpointSaved = progress;
          checkpoints?.written();
        }
      },
    });
    if (checkpointSaved !== undefined) {
      const at = checkpointSaved.covered.map((o) => `${o.partition}:${o.next}`).join(' ');
      log.info(`checkpoint of ${formatCount(trackedOrders(dedupeState))} orders saved at offsets ${at}`, { orders: trackedOrders(dedupeState), offsets: at });
    }
    feedCheck.finish();
    await report.table?.(db, live ? today() : [...daysWritten].sort(), source.describeProgress?.() ?? '');
    return feedCheck.refusal === undefined ? {} : { refusedFeed: feedCheck.refusal.line };
  } finally {
    screen?.stopped();
    await screen?.close();
    clearInterval(display);
    await source?.close?.();
    await checkpoints?.finish();
    await readingThreads?.close();
    await db.destroy();
  }
}

/**
 * The state and offsets a Kafka run goes on from, and its checkpoint's key. A checkpoint of
 * (topic, group) is restored whatever `--startup` says: that only decides where a run with no
 * checkpoint begins, and that beginning is checkpointed at once, so that a run killed before its
 * first flush resumes from there. `--reset` drops the checkpoint first.
 */
async function restore(
  db: Knex,
  plan: JobPlan,
  { clock, log }: JobContext,
): Promise<{ dedupeState: DedupeState; resumeFrom?: ReadonlyMap<number, NextOffset>; checkpointKey?: string; writtenUpTo?: ReadonlyMap<number, NextOffset>; chain?: StoredChain }> {
  if (plan.source.kind !== 'kafka') return { dedupeState: createDedupeState() };
  const { brokers, topic, group, startup } = plan.source;
  const checkpointKey = `kafka:${topic}:${group}`;
  if (plan.source.reset === true) {
    const { checkpoint } = await dropCheckpoint(db, checkpointKey);
    log.info(
      checkpoint === undefined
        ? `--reset: ${checkpointKey} had no checkpoint; starting from nothing at --startup ${describeStartup(startup)}`
        : `--reset: dropped the checkpoint of ${checkpointKey} (offsets ${describeOffsets(checkpoint.offsets)}) and its progress; starting from nothing at --startup ${describeStartup(startup)}`,
      { checkpoint: checkpointKey, topic, group },
    );
  } else {
    const checkpoint = await loadIncremental(db, checkpointKey);
    if (checkpoint !== undefined) {
      const dedupeState = restoreIncremental(checkpoint.base, checkpoint.deltas.map((d) => d.state));
      trackChanges(dedupeState); // before the days are dropped: the next delta drops them too
      const chain = { lastSeq: checkpoint.deltas.at(-1)?.seq ?? checkpoint.baseSeq, baseBytes: checkpoint.base.length, deltaBytes: checkpoint.deltas.reduce((sum, d) => sum + d.state.length, 0) };
      if (plan.days.kind === 'live') keepOnlyDay(dedupeState, dayInZone(clock(), plan.zone)); // down at midnight: that day is final
      const writtenUpTo = await loadProgress(db, checkpointKey);
      const at = describeOffsets(checkpoint.offsets);
      log.info(
        `resuming ${checkpointKey} with ${formatCount(trackedOrders(dedupeState))} orders of state at offsets ${at}: a checkpoint wins over --startup ${describeStartup(startup)} (--reset starts from nothing)`,
        { checkpoint: checkpointKey, topic, group, orders: trackedOrders(dedupeState), offsets: at },
      );
      return { dedupeState, resumeFrom: new Map(checkpoint.offsets.map((o) => [o.partition, o.next])), checkpointKey, writtenUpTo, chain };
    }
  }
  const dedupeState = createDedupeState();
  trackChanges(dedupeState);
  const begin = await startOffsets(brokers, topic, startup);
  if (begin.size === 0) {
    if (startup.kind === 'timestamp') throw missingTopic(topic, brokers); // no offsets to resolve the time to
    return { dedupeState, checkpointKey }; // no such topic (yet): the source says so (no chain: full checkpoints)
  }
  const offsets = [...begin].map(([partition, next]) => ({ partition, next }));
  const state = await snapshotDedupe(dedupeState);
  await db.transaction((trx) => saveCheckpoint(trx, checkpointKey, { offsets, state }, timestampInZone(clock(), plan.zone)));
  const chain = { lastSeq: 0, baseBytes: state.length, deltaBytes: 0 };
  if (plan.source.reset !== true) log.info(`no checkpoint of ${checkpointKey} yet: starting at --startup ${describeStartup(startup)} (offsets ${describeOffsets(offsets)}); a restart goes on from there`, { checkpoint: checkpointKey, topic, group, offsets: describeOffsets(offsets) });
  return { dedupeState, resumeFrom: begin, checkpointKey, chain };
}

function describeStartup(startup: StartupMode): string {
  return startup.kind === 'timestamp' ? `timestamp:${new Date(startup.epochMs).toISOString()}` : startup.kind;
}

function describeOffsets(offsets: readonly SourceOffset[]): string {
  return offsets.length === 0 ? 'none' : offsets.map((o) => `${o.partition}:${o.next}`).join(' ');
}

function openSource(plan: JobPlan, resumeFrom: ReadonlyMap<number, NextOffset> | undefined, log: Logger, counters: KafkaCounters): OrderSource {
  const source = plan.source;
  if (source.kind === 'file') return fileSource(source.path);
  if (source.kind === 'simulator') return simulatorSource({ zone: source.zone, ordersPerSecond: source.ordersPerSecond, seed: source.seed, ...(source.layout !== undefined && { layout: source.layout }) });
  // A run goes on from its checkpoint's offsets (or where it began: a timestamp is resolved there,
  // once). A partition they do not cover (one added since) is read from its start in group mode:
  // its committed offset may be ahead of the state, and resuming there would lose orders; and in
  // timestamp mode: one added after the run began holds messages produced since (after the time,
  // unless that was still to come).
  const startup: EdgeStartup = source.startup.kind === 'latest' ? source.startup : { kind: 'earliest' };
  return kafkaSource({ ...source, startup, instanceId: source.instanceId ?? `tradeflow-${hostname()}-${source.topic}`, ...(resumeFrom && resumeFrom.size > 0 && { resumeFrom }), log, counters });
}

function describeDays(days: DaySelection): string {
  if (days.kind === 'fixed') return `day ${days.day}`;
  if (days.kind === 'all') return 'every day';
  return 'today, live';
}
