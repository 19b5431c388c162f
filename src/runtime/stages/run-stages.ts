/**
 * One instance of a scaled-out run (`tradeflow run --source kafka --stage both|dedupe|aggregate`):
 * the dedupe stage on its share of the orders partitions and the aggregate stage on its share
 * of the changes partitions, until a signal stops it.
 */
import { timestampInZone } from '../../core/business-day.ts';
import { formatCount } from '../../core/format.ts';
import { withFields } from '../../core/log.ts';
import { openDatabase } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migration-source.ts';
import { kafka } from '../../kafka/client.ts';
import { codecWarning } from '../../kafka/codecs.ts';
import { changesTopicOf, createTopic, missingTopic, partitionCount } from '../../kafka/topics.ts';
import { loggedFeedCheck } from '../../core/feed-check.ts';
import { streamChannels, streamReader } from '../../core/stream-layout.ts';
import { clockScheduler, type JobContext, type JobPlan, type StagePlan } from '../job-plan.ts';
import { openRunScreen, type RunScreen } from '../../screen/run-screen.ts';
import { loggedDatabaseSink, type DatabaseHealth } from '../logged-database-sink.ts';
import { runAggregateStage } from './aggregate-stage.ts';
import { runDedupeStage } from './dedupe-stage.ts';

/** Runs this instance's stages until the context's signal aborts (or one of them fails, which stops the other). */
export async function runStages(plan: JobPlan, stage: StagePlan, context: JobContext): Promise<void> {
  if (plan.source.kind !== 'kafka') throw new TypeError(`Cannot run stages: the source is ${plan.source.kind}, not kafka`);
  const { brokers, topic, group } = plan.source;
  const changesTopic = changesTopicOf(group);
  const { counters } = context;
  const log = withFields(context.log, { topic, group, instance: stage.instanceId, ...(stage.stages !== 'dedupe' && { db: plan.database.display }) });
  // Stopped from outside, or by a stage that failed: a half instance would hold partitions it does not serve.
  const stop = new AbortController();
  const stopAll = (): void => stop.abort();
  context.signal.addEventListener('abort', stopAll, { once: true });
  if (context.signal.aborted) stop.abort();
  const aggregates = stage.stages !== 'dedupe';
  // A dedupe-only instance writes no rows; it opens the database only to serve the screen.
  const db = aggregates || plan.http !== undefined ? openDatabase(plan.database) : undefined;
  const health: DatabaseHealth = { database: 'up' };
  let trackedOrders = (): number => 0;
  // The dedupe stage judges the first messages it reads live: a feed of mostly rejects makes this instance not ready.
  const feedCheck = stage.stages !== 'aggregate' ? loggedFeedCheck(plan.feed, log) : undefined;
  const channels = plan.layout !== undefined ? streamChannels(plan.layout) : undefined;
  let screen: RunScreen | undefined;
  try {
    const partitions = await partitionCount(brokers, topic);
    if (partitions === 0) throw missingTopic(topic, brokers);
    if ((await partitionCount(brokers, changesTopic)) === 0) {
      await createTopic(brokers, changesTopic, partitions);
      log.info(`created the changes topic ${changesTopic} with ${partitions} partitions, as many as ${topic}`);
    }
    if (db !== undefined) await migrateToLatest(db);
    const codecs = codecWarning(kafka().features);
    if (codecs !== undefined) log.warn(codecs);
    if (db !== undefined && plan.http !== undefined) {
      screen = await openRunScreen({
        db,
        zone: plan.zone,
        ...plan.http,
        counters,
        source: { name: `kafka:${topic}`, describeProgress: () => `${formatCount(counters.read)} messages of ${aggregates ? changesTopic : topic}` },
        trackedOrders: () => trackedOrders(),
        databaseWritable: () => health.database === 'up',
        feedRefused: () => feedCheck?.refusal?.line,
        log,
      });
    }
    log.info(`instance ${stage.instanceId}, ${stage.stages === 'both' ? 'dedupe and aggregate stages' : `${stage.stages} stage`}: kafka:${topic} -> ${changesTopic}${aggregates ? ` -> ${plan.database.display}` : ''}; Ctrl-C stops`);
    const common = { brokers, changesTopic, instanceId: stage.instanceId, days: plan.days, zone: plan.zone, counters, signal: stop.signal, log, scheduler: clockScheduler(context.clock) };
    const runs: Promise<void>[] = [];
    if (stage.stages !== 'aggregate') runs.push(runDedupeStage({ ...common, ...(plan.layout !== undefined && { read: streamReader(plan.layout, plan.zone) }), ...(channels && { channels }), ...(feedCheck && { feedCheck }), ordersTopic: topic, ordersPartitions: partitions, group: `${group}-dedupe`, exposeState: (count) => (trackedOrders = count), ...(stage.snapshotIntervalMs !== undefined && { snapshotIntervalMs: stage.snapshotIntervalMs }), ...(context.fault !== undefined && { inside: context.fault }) }));
    if (aggregates && db !== undefined) {
      runs.push(
        runAggregateStage({
          ...common,
          group: `${group}-aggregate`,
          db,
          ...(stage.snapshotIntervalMs !== undefined && { snapshotIntervalMs: stage.snapshotIntervalMs }),
          ...(channels && { channels }),
          flushIntervalMs: plan.flushIntervalMs,
          flushRows: plan.flushRows,
          // The database is closed below.
          openSink: (guard) =>
            loggedDatabaseSink(db, {
              counters,
              formatTime: (ms) => timestampInZone(ms, plan.zone),
              keepRejects: plan.keepRejects,
              ...(plan.keepHistoryDays !== undefined && { keepHistoryDays: plan.keepHistoryDays }),
              ...(context.fault !== undefined && { inside: context.fault }),
              guard,
              signal: stop.signal,
              log,
              clock: context.clock,
              health,
              onFlushed: (seconds) => screen?.flushed(seconds),
            }),
        }),
      );
    }
    // One stage failing stops the other: a half instance would hold partitions it does not serve.
    const outcomes = await Promise.allSettled(runs.map((run) => run.catch((error: unknown) => (stop.abort(), Promise.reject(error)))));
    const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } finally {
    context.signal.removeEventListener('abort', stopAll);
    screen?.stopped();
    await screen?.close();
    await db?.destroy();
  }
}
