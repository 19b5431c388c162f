import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { createCounters } from '../core/batch.ts';
import { asOfDay, checkZone, systemZone, type DaySelection } from '../core/business-day.ts';
import { parseStartup, type StartupMode } from '../kafka/startup.ts';
import type { JobContext, JobOutcome, SourcePlan, StagePlan } from '../runtime/job-plan.ts';
import { runJob } from '../runtime/run-job.ts';
import { DEFAULT_KEEP_HISTORY_DAYS } from '../sinks/history-retention.ts';
import { formatCount } from '../core/format.ts';
import { DEFAULT_MAX_REJECTED_SHARE } from '../core/feed-check.ts';
import { CHANGE_FORMATS, type ChangeFormat } from '../core/order-layout.ts';
import type { StreamLayout } from '../core/stream-layout.ts';
import { checkJobFile, readJobFile, withTables, type JobFile } from './job-file.ts';
import { jobFileOf, LAYOUTS, type LayoutName } from '../generate/layouts.ts';
import type { CommandIO } from './command-io.ts';
import { DB_CONNECTION_OPTIONS, readDatabase } from './db-options.ts';
import { DISPLAY_OPTIONS, readDisplay } from './display-options.ts';
import { EnvironmentError, EXIT_CODES, naming } from './environment.ts';
import { failpoint } from './failpoint.ts';
import { guardWarning, HTTP_GUARD_OPTIONS, readGuard } from './http-options.ts';
import { showTable, summary } from './job-report.ts';
import { KAFKA_CONFIG_OPTION, kafkaPropertiesHelp, readKafkaConnection, splitKafkaArgs, withKafka } from './kafka-options.ts';
import { helpText, interval, LONGEST_TIMER_MS, readOptions, UsageError, wholeNumber, type OptionSpec } from './options.ts';

/** The most threads a run uses unasked: beyond it the state's thread is the bottleneck (README, *Benchmarks*). */
const MAX_DEFAULT_WORKERS = 4;

/** `--workers` unasked: one per core, at most {@link MAX_DEFAULT_WORKERS}. */
function defaultWorkers(): number {
  return Math.min(availableParallelism(), MAX_DEFAULT_WORKERS);
}

const RUN_OPTIONS: readonly OptionSpec[] = [
  { name: 'source', type: 'string', value: 'SOURCE', description: 'simulator (a built-in live shop), file:PATH (a recorded .jsonl stream) or kafka', default: 'simulator' },
  { name: 'db', type: 'string', value: 'URL', description: 'sqlite:PATH or mysql://user:pass@host:port/database', default: 'sqlite:./data/tradeflow.sqlite' },
  ...DB_CONNECTION_OPTIONS,
  { name: 'as-of', type: 'string', value: '"yyyy-MM-dd HH:mm:ss"', description: 'count the day of this time, like the tutorial\'s constant (replays)' },
  { name: 'days', type: 'string', value: 'all', description: 'backfill: each order counts toward the day of its own pay_time' },
  { name: 'timezone', type: 'string', value: 'ZONE', description: 'IANA zone of the business day (default: the system zone)' },
  { name: 'flush-interval', type: 'string', value: 'MS', description: 'write the table at least this often', default: '1000' },
  { name: 'flush-rows', type: 'string', value: 'N', description: 'write as soon as this many changes wait', default: '1000' },
  { name: 'brokers', type: 'string', value: 'HOST:PORT[,..]', description: 'kafka: the bootstrap brokers', default: '127.0.0.1:9092' },
  { name: 'topic', type: 'string', value: 'NAME', description: 'kafka: the orders topic', default: 'trade_order_detail_info' },
  KAFKA_CONFIG_OPTION,
  { name: 'group', type: 'string', value: 'ID', description: 'kafka: the consumer group', default: 'trade_order' },
  { name: 'startup', type: 'string', value: 'MODE', description: 'kafka: where a run with no checkpoint begins: latest, earliest, group (= earliest) or timestamp:<ISO> with its offset, Z or ±HH:MM (e.g. timestamp:2021-03-25T00:00:00+08:00); a run with a checkpoint always goes on from it; a --stage run always resumes from its groups (from the start the first time)', default: 'latest' },
  { name: 'reset', type: 'boolean', description: 'kafka: drop the checkpoint and progress of this topic and group first, and start from nothing at --startup (not with --stage)', flagOnly: true },
  { name: 'checkpoint-interval', type: 'string', value: 'MS', description: 'kafka: checkpoint the state with a flush this often (and at every clean stop)', default: '10000' },
  { name: 'stage', type: 'string', value: 'STAGES', description: 'kafka, scale-out: run dedupe, aggregate or both stages through the changes topic, as one of many instances' },
  { name: 'snapshot-interval', type: 'string', value: 'MS', description: 'kafka, --stage: snapshot the state of each owned partition this often (and at a revoke and a clean stop; the dedupe stage\'s into Kafka, the aggregate stage\'s into the database), so that a partition moved to another instance replays only its log since; 0: never', default: '60000' },
  { name: 'instance-id', type: 'string', value: 'ID', description: 'kafka: this process\'s id in its group, unique per process and stable across its restarts (default: from the host name)' },
  { name: 'config', type: 'string', value: 'FILE', description: 'the job file (JSON): the stream\'s field names, time format, envelope and channels, the table\'s name (see README, "Your own order stream"); flags win' },
  { name: 'format', type: 'string', value: 'FORMAT', description: 'the messages\' envelope, as Flink names it: json (an order), canal-json or debezium-json (changes of the orders table) (default: json, or the job file\'s)' },
  { name: 'max-rejected', type: 'string', value: 'PERCENT', description: 'the feed fails (a file replay exits 1, a Kafka run is not ready) when more than PERCENT of its first 10,000 messages are rejected; 100: never (default: 50, or the job file\'s)' },
  { name: 'keep-rejects', type: 'string', value: 'N', description: 'keep the newest N rejected messages; older ones are deleted and counted', default: '100000' },
  { name: 'workers', type: 'string', value: 'N', description: `threads that parse and validate the messages: 1, the main thread alone (which keeps the state); N, N - 1 reading threads beside it (default: the cores, at most ${MAX_DEFAULT_WORKERS}: ${defaultWorkers()} here; 1 with --stage, which scales out with instances)` },
  { name: 'keep-history', type: 'string', value: 'DAYS', description: 'keep the per-minute history of the day curves for DAYS days before the newest day written', default: String(DEFAULT_KEEP_HISTORY_DAYS) },
  { name: 'exit-at-end', type: 'boolean', description: 'kafka: stop at the end offsets the partitions had at the start (replays, backfills)' },
  { name: 'http-port', type: 'string', value: 'PORT', description: 'port of the live sales screen, 0: none (default: 8080 for the simulator and Kafka, none for a file)' },
  { name: 'http-host', type: 'string', value: 'HOST', description: 'address of the live sales screen (0.0.0.0: every interface)', default: '127.0.0.1' },
  ...HTTP_GUARD_OPTIONS,
  ...DISPLAY_OPTIONS,
  { name: 'live-table', type: 'string', value: 'WHEN', description: 'the table on stdout every 5 s of a live run: auto (when stdout is a terminal), always or never; the table at the end is always shown', default: 'auto' },
  { name: 'rate', type: 'string', value: 'N', description: 'simulator: new orders per second', default: '50' },
  { name: 'seed', type: 'string', value: 'N', description: 'simulator: seed of the simulated shop', default: '1' },
  { name: 'layout', type: 'string', value: 'LAYOUT', description: `simulator: how the simulated shop writes its orders: ${LAYOUTS.join(', ')}; read back with that layout's job file unless --config or --format is given (default: tutorial)` },
];

/** `tradeflow run`: a source through the pipeline into the table, until its end or Ctrl-C. */
export async function runCommand(args: readonly string[], io: CommandIO): Promise<number> {
  const { rest, assignments } = splitKafkaArgs(args);
  const options = readOptions('run', rest, RUN_OPTIONS, io.env);
  if (options.has('help')) {
    io.stdout(helpText('tradeflow run [options]', 'Computes the day\'s GMV, paying users and paid orders per channel into trade_channel_collect.\nWith no options: a simulated live shop into ./data/tradeflow.sqlite until Ctrl-C.', RUN_OPTIONS) + kafkaPropertiesHelp());
    return 0;
  }
  const onKafka = String(options.get('source')) === 'kafka';
  if (!onKafka && (assignments.length > 0 || options.has('kafka-config'))) throw new UsageError(`${assignments.length > 0 ? '-X' : '--kafka-config'}: only with --source kafka`);
  const kafka = onKafka ? readKafkaConnection(assignments, options, rest, io) : undefined;
  if (kafka !== undefined) options.set('brokers', kafka.brokers);
  const zone = checked(() => checkZone(String(options.get('timezone') ?? systemZone())));
  const counters = createCounters();
  const source = sourcePlan(String(options.get('source')), options, zone);
  const givenPort = wholeNumber('http-port', options.get('http-port'), 0);
  if (givenPort !== undefined && givenPort > 65535) throw new UsageError(`--http-port: expected a port from 0 to 65535, got "${givenPort}"`);
  const stage = stagePlan(options, source);
  // A scaled-out instance serves only when asked: instances on one host would fight for 8080.
  const httpPort = stage !== undefined ? (givenPort ?? 0) : (givenPort ?? (source.kind === 'file' ? 0 : 8080));
  const display = readDisplay(options);
  const guard = readGuard(options);
  const httpHost = String(options.get('http-host'));
  const warning = httpPort !== 0 ? guardWarning(httpHost, guard) : undefined;
  if (warning !== undefined) io.log.warn(warning, { host: httpHost });
  const jobFile = options.has('config') ? readJobFile(String(options.get('config'))) : source.kind === 'simulator' && !options.has('format') ? layoutJobFile(source.layout ?? 'tutorial') : undefined;
  const layout = streamLayout(jobFile, options.get('format'));
  const database = withTables(readDatabase(options, io), jobFile);
  const culprits = { db: database.display, http: `--http-port ${httpPort} (--http-host ${httpHost})` };
  const plan = {
      source,
      ...(stage !== undefined && { stage }),
      ...(httpPort !== 0 && { http: { port: httpPort, host: httpHost, portGiven: givenPort !== undefined, display, guard } }),
      database,
      days: daySelection(options, zone),
      zone,
      flushIntervalMs: interval('flush-interval', options.get('flush-interval')) ?? 1000,
      flushRows: wholeNumber('flush-rows', options.get('flush-rows')) ?? 1000,
      checkpointIntervalMs: interval('checkpoint-interval', options.get('checkpoint-interval')) ?? 10_000,
      keepRejects: wholeNumber('keep-rejects', options.get('keep-rejects')) ?? 100_000,
      keepHistoryDays: wholeNumber('keep-history', options.get('keep-history')) ?? DEFAULT_KEEP_HISTORY_DAYS,
      workers: workerCount(options, stage),
      feed: { maxRejectedShare: options.has('max-rejected') ? percent('max-rejected', options.get('max-rejected')) : (jobFile?.maxRejectedShare ?? DEFAULT_MAX_REJECTED_SHARE) },
      ...(layout !== undefined && { layout }),
  };
  const stop = new AbortController();
  const onSignal = (): void => {
    if (stop.signal.aborted) process.exit(130); // a second signal: at once
    io.log.info(stage === undefined ? 'Stopping: writing the last rows (Ctrl-C again to quit at once)...' : 'Stopping: finishing the transactions and rows in flight (Ctrl-C again to quit at once)...');
    stop.abort();
  };
  const context: JobContext = {
    counters,
    signal: stop.signal,
    clock: () => Date.now(),
    fault: failpoint(io.env.TRADEFLOW_FAULT),
    log: io.log,
    report: { table: (db, days, reading) => showTable(db, days, counters, reading, io.stdout), liveTable: liveTable(options, io) },
  };
  const started = performance.now();
  const job = (): Promise<JobOutcome> => naming(culprits, () => runJob(plan, context));
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  let outcome: JobOutcome;
  try {
    outcome = await (kafka !== undefined ? withKafka(kafka, job) : job());
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  const line = summary(counters, performance.now() - started);
  io.stdout(stage === undefined ? line : `${line} | instance ${stage.instanceId} (${formatCount(counters.flushes)} flushes)`);
  // A replay of a feed that was mostly rejects did not do its job; a live run said so and went on.
  return outcome.refusedFeed !== undefined && source.kind === 'file' ? EXIT_CODES.failed : 0;
}

/** The stream's layout from the job file and --format (which wins); undefined for the tutorial's, read as it always was. */
function streamLayout(jobFile: JobFile | undefined, format: string | boolean | undefined): StreamLayout | undefined {
  if (format !== undefined && !(CHANGE_FORMATS as readonly string[]).includes(String(format))) throw new UsageError(`--format: expected ${CHANGE_FORMATS.join(', ')}, got "${String(format)}"`);
  const layout: StreamLayout = { ...jobFile?.layout, ...(format !== undefined && { format: format as ChangeFormat }) };
  return Object.keys(layout).length === 0 ? undefined : layout;
}

/** The layout the simulated shop writes in (--layout); a usage error for another source. */
function simulatorLayout(options: Map<string, string | boolean>): LayoutName {
  const layout = String(options.get('layout') ?? 'tutorial');
  if (!(LAYOUTS as readonly string[]).includes(layout)) throw new UsageError(`--layout: expected ${LAYOUTS.join(', ')}, got "${layout}"`);
  return layout as LayoutName;
}

/** The job file that reads a layout of the simulator back (none for the tutorial's). */
function layoutJobFile(layout: LayoutName): JobFile | undefined {
  const file = jobFileOf(layout);
  return file === undefined ? undefined : checkJobFile(file, (message) => {
    throw new TypeError(`Cannot read the simulator's layout ${layout}: ${message}`);
  });
}

/** A share from a percent flag (0 to 100). */
function percent(flag: string, value: string | boolean | undefined): number {
  const text = String(value).trim().replace(/\s*%$/, '');
  const number = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(number >= 0 && number <= 100)) throw new UsageError(`--${flag}: expected a percent from 0 to 100, got "${String(value)}"`);
  return number / 100;
}

/** Whether a live run shows the table every 5 s: a terminal's, never a log file's, unless asked. */
function liveTable(options: Map<string, string | boolean>, io: CommandIO): boolean {
  const when = String(options.get('live-table'));
  if (when !== 'auto' && when !== 'always' && when !== 'never') throw new UsageError(`--live-table: expected auto, always or never, got "${when}"`);
  return when === 'always' || (when === 'auto' && io.stdoutIsTerminal === true);
}

function workerCount(options: Map<string, string | boolean>, stage: StagePlan | undefined): number {
  const workers = wholeNumber('workers', options.get('workers'), 1, 64) ?? (stage === undefined ? defaultWorkers() : 1);
  if (workers > 1 && stage !== undefined) throw new UsageError('--workers: not with --stage (a scaled-out instance reads on one thread: scale out with more instances)');
  return workers;
}

function stagePlan(options: Map<string, string | boolean>, source: SourcePlan): StagePlan | undefined {
  const stages = options.get('stage');
  if (stages === undefined) return undefined;
  if (stages !== 'dedupe' && stages !== 'aggregate' && stages !== 'both') throw new UsageError(`--stage: expected dedupe, aggregate or both, got "${String(stages)}"`);
  if (source.kind !== 'kafka') throw new UsageError('--stage: only with --source kafka (the stages meet in a Kafka topic)');
  if (source.exitAtEnd) throw new UsageError('--stage: not with --exit-at-end (a scaled-out run goes on until it is stopped)');
  if (source.reset === true) throw new UsageError('--reset: not with --stage (the instances share their groups\' state, and one instance cannot drop it while the others run)');
  const snapshotIntervalMs = wholeNumber('snapshot-interval', options.get('snapshot-interval'), 0, LONGEST_TIMER_MS) ?? 60_000;
  return { stages, instanceId: source.instanceId ?? hostname(), snapshotIntervalMs };
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

function sourcePlan(value: string, options: Map<string, string | boolean>, zone: string): SourcePlan {
  if (value !== 'kafka' && options.get('reset') === true) throw new UsageError('--reset: only with --source kafka (only a Kafka run has a checkpoint to drop)');
  if (value !== 'simulator' && options.get('layout') !== undefined) throw new UsageError('--layout: only with --source simulator (a file or a topic is written in its own layout: tell it with --config or --format)');
  if (value !== 'kafka' && options.get('instance-id') !== undefined) throw new UsageError('--instance-id: only with --source kafka (it names this process in its consumer group)');
  if (value === 'simulator') {
    return { kind: 'simulator', zone, ordersPerSecond: wholeNumber('rate', options.get('rate')) ?? 50, seed: wholeNumber('seed', options.get('seed'), 0) ?? 1, layout: simulatorLayout(options) };
  }
  if (value.startsWith('file:')) {
    const path = value.slice('file:'.length);
    if (!existsSync(path)) throw new UsageError(`--source: no such file "${path}"`);
    return { kind: 'file', path: readableFile(path) };
  }
  if (value === 'kafka') {
    const startup: StartupMode = checked(() => parseStartup(String(options.get('startup'))));
    const brokers = String(options.get('brokers'));
    if (!/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/.test(brokers)) throw new UsageError(`--brokers: expected host:port[,host:port], got "${brokers}"${/^\w+:\/\//.test(brokers) ? ' (no scheme: TLS and SASL are set with -X security.protocol=SASL_SSL or --kafka-config FILE)' : ''}`);
    const instanceId = options.get('instance-id');
    if (instanceId !== undefined && !/^[\w.-]{1,100}$/.test(String(instanceId))) throw new UsageError(`--instance-id: expected letters, digits, ".", "_" or "-", got "${String(instanceId)}"`);
    return {
      kind: 'kafka',
      brokers,
      topic: String(options.get('topic')),
      group: String(options.get('group')),
      startup,
      exitAtEnd: options.get('exit-at-end') === true,
      reset: options.get('reset') === true,
      ...(instanceId !== undefined && { instanceId: String(instanceId) }),
    };
  }
  throw new UsageError(`--source: expected simulator, file:PATH or kafka, got "${value}"`);
}

/** The path of a recorded stream that can be read: EnvironmentError naming it otherwise. */
function readableFile(path: string): string {
  const stat = statSync(path);
  if (!stat.isFile()) {
    const kind = stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isSocket() ? 'a socket' : 'a device';
    throw new EnvironmentError(`--source file:${path}: ${kind}, not a file (a recorded stream is a .jsonl file)`);
  }
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new EnvironmentError(`--source file:${path}: not readable by this user (permission denied)`);
  }
  return path;
}

function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
