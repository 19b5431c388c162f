/**
 * One instance of a scaled-out run (`tradeflow run --source kafka --stage both|dedupe|aggregate`):
 * the dedupe stage on its share of the orders partitions and the aggregate stage on its share
 * of the changes partitions, until a signal stops it.
 */
import type { PipelineCounters } from '../core/batch.ts';
import { timestampInZone } from '../core/business-day.ts';
import { formatCount, formatDuration } from '../cli/format.ts';
import { summary } from '../cli/job-report.ts';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migration-source.ts';
import { kafka } from '../kafka/client.ts';
import { codecWarning } from '../kafka/codecs.ts';
import { changesTopicOf, createTopic, partitionCount } from '../kafka/topics.ts';
import type { JobIO, JobPlan } from '../run-job.ts';
import { databaseSink } from '../sinks/database-sink.ts';
import { describeDbError } from '../sinks/db-errors.ts';
import { failpoint } from '../sinks/failpoint.ts';
import { runAggregateStage } from './aggregate-stage.ts';
import { runDedupeStage } from './dedupe-stage.ts';

/** Which stages an instance runs, and who it is. */
export interface StagePlan {
  readonly stages: 'dedupe' | 'aggregate' | 'both';
  /** Unique per instance, stable across its restarts. */
  readonly instanceId: string;
}

/** Runs this instance's stages until SIGINT/SIGTERM, then prints the one-line summary. */
export async function runStages(plan: JobPlan, stage: StagePlan, counters: PipelineCounters, io: JobIO): Promise<void> {
  if (plan.source.kind !== 'kafka') throw new TypeError(`Cannot run stages: the source is ${plan.source.kind}, not kafka`);
  const { brokers, topic, group } = plan.source;
  const changesTopic = changesTopicOf(group);
  const started = performance.now();
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130);
    io.stderr('Stopping: finishing the transactions and rows in flight (Ctrl-C again to quit at once)...');
    stop.abort();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const db = stage.stages === 'dedupe' ? undefined : openDatabase(plan.database);
  try {
    const partitions = await partitionCount(brokers, topic);
    if (partitions === 0) throw new RangeError(`Cannot read topic ${topic}: it does not exist on ${brokers} (create it with: tradeflow topic create)`);
    if ((await partitionCount(brokers, changesTopic)) === 0) {
      await createTopic(brokers, changesTopic, partitions);
      io.stderr(`tradeflow: created the changes topic ${changesTopic} with ${partitions} partitions, as many as ${topic}`);
    }
    if (db !== undefined) await migrateToLatest(db);
    const codecs = codecWarning(kafka().features);
    if (codecs !== undefined) io.stderr(codecs);
    io.stderr(`tradeflow: instance ${stage.instanceId}, ${stage.stages === 'both' ? 'dedupe and aggregate stages' : `${stage.stages} stage`}: kafka:${topic} -> ${changesTopic}${db ? ` -> ${plan.database.display}` : ''}; Ctrl-C stops`);
    const common = { brokers, changesTopic, instanceId: stage.instanceId, days: plan.days, zone: plan.zone, counters, signal: stop.signal, log: io.stderr };
    const runs: Promise<void>[] = [];
    if (stage.stages !== 'aggregate') runs.push(runDedupeStage({ ...common, ordersTopic: topic, group: `${group}-dedupe` }));
    if (db !== undefined) {
      const inside = failpoint(process.env.TRADEFLOW_FAULT);
      runs.push(
        runAggregateStage({
          ...common,
          group: `${group}-aggregate`,
          db,
          flushIntervalMs: plan.flushIntervalMs,
          flushRows: plan.flushRows,
          openSink: (guard) => {
            const sink = databaseSink(db, {
              counters,
              formatTime: (ms) => timestampInZone(ms, plan.zone),
              keepRejects: plan.keepRejects,
              ...(plan.keepHistoryDays !== undefined && { keepHistoryDays: plan.keepHistoryDays }),
              inside,
              guard,
              retry: {
                signal: stop.signal,
                onRetry: (error, attempt, delayMs) => {
                  counters.dbRetries++;
                  if (attempt === 1 || attempt % 10 === 0) io.stderr(`tradeflow: the database is unreachable (${describeDbError(error)}); retrying in ${formatDuration(delayMs)}`);
                },
                onRecovered: (attempts, downMs) => io.stderr(`tradeflow: the database is back after ${formatDuration(downMs)} (${attempts} attempts)`),
              },
            });
            // The database is closed below.
            return { write: (flush, progress) => sink.write(flush, progress), finish: async () => await sink.finish?.(), close: async () => {} };
          },
        }),
      );
    }
    // One stage failing stops the other: a half instance would hold partitions it does not serve.
    const outcomes = await Promise.allSettled(runs.map((run) => run.catch((error: unknown) => (stop.abort(), Promise.reject(error)))));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await db?.destroy();
  }
  io.stdout(`${summary(counters, performance.now() - started)} | instance ${stage.instanceId} (${formatCount(counters.flushes)} flushes)`);
}
