/**
 * `npm run bench`: the pipeline against the plain single-loop floor on the same recorded file,
 * measured in the same run, reported as orders/s and as a ratio (absolute times vary here).
 * Options: --orders N[,N..] (default 1000000,5000000), --repeat N (default 3, best of),
 * --memory-orders N (default 5000000; 0 skips the memory figure), --e2e-orders N (default
 * 300000; 0 skips the end-to-end figures, which need `npm run stack:up`), --profile (a CPU
 * profile of the end-to-end pipeline run, to data/bench/end-to-end.cpuprofile), --scale-orders N
 * (default 300000; 0 skips 1, 2 and 3 `--stage both` instances on a 6-partition topic),
 * --long-line-mb N (default 200; 0 skips a line of N MB with no newline, beside ordinary lines),
 * --startup-rounds N (default 11; 0 skips `tradeflow --help` against a bare `node -e 0`),
 * --pause-orders N[,N..] (default 200000; 0 skips the rebalance pause of a moved partition, with
 * snapshots against a full replay of its log: `--snapshot-interval 0`, or the checkout given with
 * --pause-baseline DIR, e.g. one of the code before; for the dedupe stage, and for the aggregate
 * stage when MariaDB is there too), --checkpoint-orders N[,N..] (default 1000000,10000000; 0
 * skips full against delta checkpoints of a day of N orders after an interval of 20,000
 * orders/s x 10 s, 30% updates, and the restore of base + delta), --replay-orders N (default
 * 1000000; 0 skips the file replay timed as whole processes, the installed command against the
 * plain loop in a process of its own) at --replay-workers N[,N..] (default 1 and up to the cores, at most 4),
 * which the end-to-end and latency figures use too.
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { replayIntoSqlite } from './core.ts';
import { plainLoop } from './plain-loop.ts';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isPortOpen } from '../src/stack/probe.ts';
import { filledTopic, freshDatabase, latencyAtRate } from './end-to-end.ts';
import { longLineRates } from './long-line.ts';
import { bytesPerOrder } from './memory.ts';
import { scaleOutRuns } from './scale-out.ts';
import { aggregatePauses } from './aggregate-pause.ts';
import { rebalancePauses, type PauseVariant } from './rebalance-pause.ts';
import { startupTimes } from './startup.ts';
import { incrementalCheckpoint } from './checkpoint.ts';
import { BENCH_DAY, recordedFile } from './recorded-file.ts';
import { replayProcesses } from './replay-processes.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000000,5000000' },
    repeat: { type: 'string', default: '3' },
    'memory-orders': { type: 'string', default: '5000000' },
    'e2e-orders': { type: 'string', default: '300000' },
    'scale-orders': { type: 'string', default: '300000' },
    profile: { type: 'boolean', default: false },
    'long-line-mb': { type: 'string', default: '200' },
    'startup-rounds': { type: 'string', default: '11' },
    'pause-orders': { type: 'string', default: '200000' },
    'pause-baseline': { type: 'string' },
    'checkpoint-orders': { type: 'string', default: '1000000,10000000' },
    'replay-orders': { type: 'string', default: '1000000' },
    'replay-workers': { type: 'string', default: [1, 2, 3, 4].filter((n) => n === 1 || n <= availableParallelism()).join(',') },
  },
});
const sizes = String(values.orders).split(',').map(Number).filter((orders) => orders > 0); // 0 skips the core figures
const repeat = Number(values.repeat);
/** How the delta's pause compares with the full one's, e.g. "10.7x shorter pause" (or longer: never "0x shorter"). */
const pauseRatio = (deltaMs: number, fullMs: number): string =>
  deltaMs <= fullMs ? `${(fullMs / deltaMs).toFixed(1)}x shorter pause` : `${(deltaMs / fullMs).toFixed(1)}x longer pause`;
const rate = (n: number, ms: number): string => `${((n / ms) * 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })}/s`;

const rows: string[][] = [];
for (const orders of sizes) {
  const file = await recordedFile(orders);
  let floorMs = Infinity;
  let coreMs = Infinity;
  let read = 0;
  for (let i = 0; i < repeat; i++) {
    let started = performance.now();
    read = (await plainLoop(file, BENCH_DAY)).read;
    floorMs = Math.min(floorMs, performance.now() - started);
    started = performance.now();
    const { counters } = await replayIntoSqlite(file, BENCH_DAY, 'data/bench/core.sqlite');
    coreMs = Math.min(coreMs, performance.now() - started);
    if (counters.read !== read) throw new RangeError(`Cannot compare: the pipeline read ${counters.read} records, the floor ${read}`);
    process.stderr.write(`bench: ${orders.toLocaleString('en-US')} orders, round ${i + 1} of ${repeat} done\n`);
  }
  rows.push([`core, ${orders.toLocaleString('en-US')} orders (${read.toLocaleString('en-US')} records)`, rate(read, coreMs), rate(read, floorMs), (floorMs / coreMs).toFixed(2)]);
}

const replayOrders = Number(values['replay-orders']);
if (replayOrders > 0) {
  const file = await recordedFile(replayOrders);
  const { floorMs, read, runs } = replayProcesses(file, BENCH_DAY, String(values['replay-workers']).split(',').map(Number), repeat);
  for (const run of runs) {
    if (run.read !== read) throw new RangeError(`Cannot compare: the replay with ${run.workers} workers read ${run.read} records, the floor ${read}`);
    rows.push([`file replay as whole processes (tradeflow run, installed), ${replayOrders.toLocaleString('en-US')} orders, --workers ${run.workers}`, rate(read, run.ms), `${rate(read, floorMs)} (its own process, tsx's start taken off)`, (floorMs / run.ms).toFixed(2)]);
  }
}

const e2eOrders = Number(values['e2e-orders']);
if (e2eOrders > 0) {
  if (!(await isPortOpen('127.0.0.1', 9092)) || !(await isPortOpen('127.0.0.1', 3306))) {
    process.stderr.write('bench: no Kafka on 127.0.0.1:9092 or MariaDB on :3306, end-to-end skipped (npm run stack:up first)\n');
  } else {
    const file = await recordedFile(e2eOrders, 43);
    process.stderr.write('bench: filling a 3-partition topic...\n');
    const { topic, messages } = await filledTopic(file);
    const workerCounts = String(values['replay-workers']).split(',').map(Number);
    const perSecond = (value: number): string => `${Math.round(value).toLocaleString('en-US')}/s`;
    // Best of --repeat, taking turns: one run of the raw consumer alone moved from 103k to 124k/s
    // between two runs here, and the ratio with it.
    let raw = 0;
    const pipelines = new Map(workerCounts.map((workers) => [workers, 0]));
    for (let round = 1; round <= repeat; round++) {
      process.stderr.write(`bench: ${messages.toLocaleString('en-US')} messages in ${topic}; raw consumer, round ${round} of ${repeat}...\n`);
      raw = Math.max(raw, await inFreshProcess(['raw', topic, String(messages)]));
      for (const workers of workerCounts) {
        process.stderr.write(`bench: pipeline into MariaDB, --workers ${workers}, round ${round} of ${repeat}...\n`);
        pipelines.set(workers, Math.max(pipelines.get(workers)!, await inFreshProcess(['pipeline', topic, String(messages), String(workers)])));
      }
    }
    for (const [workers, pipeline] of pipelines) {
      rows.push([`end to end, Kafka (3 partitions) -> MariaDB, ${messages.toLocaleString('en-US')} messages, --workers ${workers}, best of ${repeat}`, perSecond(pipeline), `${perSecond(raw)} (raw consumer)`, (pipeline / raw).toFixed(2)]);
    }
    if (values.profile) {
      // A run of its own: the profiler slows what it watches, so the figures come from the runs above.
      const profile = 'data/bench/end-to-end.cpuprofile';
      await inFreshProcess(['pipeline', topic, String(messages), String(workerCounts.at(-1) ?? 1), profile]);
      process.stderr.write(`bench: CPU profile of another pipeline run written to ${profile}\n`);
    }
    for (const workers of workerCounts) {
      process.stderr.write(`bench: latency at 20,000 orders/s, --workers ${workers}...\n`);
      const { p50, p99 } = await latencyAtRate(file, 20_000, 10, workers);
      rows.push([`latency produce -> row committed, at 20,000/s, 1 s flush, --workers ${workers}`, `p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`, '', '']);
    }
  }
}

const scaleOrders = Number(values['scale-orders']);
if (scaleOrders > 0) {
  if (!(await isPortOpen('127.0.0.1', 9092)) || !(await isPortOpen('127.0.0.1', 3306))) {
    process.stderr.write('bench: no Kafka on 127.0.0.1:9092 or MariaDB on :3306, scale-out skipped (npm run stack:up first)\n');
  } else {
    const file = await recordedFile(scaleOrders, 44);
    process.stderr.write('bench: filling a 6-partition topic for the scale-out runs...\n');
    const { topic, messages } = await filledTopic(file, 6);
    const runs = await scaleOutRuns(file, topic, messages, [1, 2, 3]);
    const one = runs[0]?.rate ?? 1;
    for (const run of runs) {
      rows.push([
        `scale-out, ${run.instances} instance(s) --stage both, 6 partitions -> MariaDB, ${messages.toLocaleString('en-US')} messages, exact`,
        `${Math.round(run.rate).toLocaleString('en-US')}/s; ${run.cpuPerMillion.toFixed(0)} CPU s per 1M messages; up in ${run.startSeconds.toFixed(1)} s; ${run.rebuilds} rebuilds, longest ${run.longestRebuild.toFixed(1)} s`,
        `${Math.round(one).toLocaleString('en-US')}/s (1 instance)`,
        (run.rate / one).toFixed(2),
      ]);
    }
  }
}

const pauseSizes = String(values['pause-orders']).split(',').map(Number).filter((orders) => orders > 0);
if (pauseSizes.length > 0) {
  if (!(await isPortOpen('127.0.0.1', 9092))) {
    process.stderr.write('bench: no Kafka on 127.0.0.1:9092, rebalance pauses skipped (npm run stack:up first)\n');
  } else {
    const baseline = values['pause-baseline'];
    const variants: PauseVariant[] = [
      baseline === undefined
        ? { label: 'full replay (--snapshot-interval 0)', checkout: process.cwd(), extraArgs: ['--snapshot-interval', '0'] }
        : { label: `full replay (${baseline})`, checkout: baseline, extraArgs: [] },
      { label: 'snapshots', checkout: process.cwd(), extraArgs: [] },
    ];
    for (const orders of pauseSizes) {
      const file = await recordedFile(orders, 45);
      process.stderr.write(`bench: filling a 6-partition topic with ${orders.toLocaleString('en-US')} orders for the rebalance pause...\n`);
      const { topic, messages } = await filledTopic(file, 6);
      const [before, after] = await rebalancePauses(topic, messages, variants);
      const describe = (run: NonNullable<typeof after>): string =>
        `${run.pauseSeconds.toFixed(2)} s (rebuild ${run.rebuildSeconds.toFixed(2)} s from ${run.replayed.toLocaleString('en-US')} messages${run.revokeSeconds > 0 ? `, revoke ${run.revokeSeconds.toFixed(2)} s` : ''})`;
      if (before !== undefined && after !== undefined) {
        rows.push([`rebalance pause, a second --stage dedupe instance takes 3 of 6 partitions, ${messages.toLocaleString('en-US')} messages (${orders.toLocaleString('en-US')} orders)`, describe(after), `${describe(before)}, ${before.label}`, (before.pauseSeconds / after.pauseSeconds).toFixed(1)]);
      }
      // The aggregate stage: snapshots every second, so that the one before the move is recent (an idle stage takes none).
      const aggregateVariants = variants.map((variant) => (variant.extraArgs.length === 0 && variant.checkout === process.cwd() ? { ...variant, extraArgs: ['--snapshot-interval', '1000'] } : variant));
      const [aggBefore, aggAfter] = (await isPortOpen('127.0.0.1', 3306)) ? await aggregatePauses(topic, messages, aggregateVariants, freshDatabase) : [];
      if (aggBefore !== undefined && aggAfter !== undefined) {
        const describeAgg = (run: NonNullable<typeof aggAfter>): string => `${run.rebuildSeconds.toFixed(2)} s (${run.replayed.toLocaleString('en-US')} changes messages read again)`;
        rows.push([`rebalance pause, a second --stage aggregate instance takes 3 of 6 changes partitions, ${messages.toLocaleString('en-US')} orders messages (${orders.toLocaleString('en-US')} orders)`, describeAgg(aggAfter), `${describeAgg(aggBefore)}, ${aggBefore.label}`, (aggBefore.rebuildSeconds / Math.max(aggAfter.rebuildSeconds, 0.001)).toFixed(1)]);
      }
    }
  }
}

const longLineMb = Number(values['long-line-mb']);
if (longLineMb > 0) {
  process.stderr.write(`bench: a line of ${longLineMb} MB with no newline, and ordinary lines of about the same size...\n`);
  const { longLine, ordinary, ordinaryBytes } = await longLineRates(longLineMb);
  const mb = (value: number): string => `${value.toLocaleString('en-US', { maximumFractionDigits: 0 })} MB/s`;
  rows.push([`a ${longLineMb} MB line among ordinary ones (skipped in bounded memory)`, mb(longLine), `${mb(ordinary)} (${(ordinaryBytes / 2 ** 20).toFixed(0)} MB of ordinary lines)`, (longLine / ordinary).toFixed(2)]);
}

const startupRounds = Number(values['startup-rounds']);
if (startupRounds > 0) {
  process.stderr.write(`bench: start-up, ${startupRounds} fresh processes each...\n`);
  const { bare, installed, source } = startupTimes(startupRounds);
  const ms = (value: number): string => `${value.toFixed(0)} ms`;
  const floor = `${ms(bare)} (node -e 0)`;
  // The ratio column is pipeline / floor elsewhere (higher is better): here floor / command.
  if (installed === undefined) process.stderr.write('bench: dist/ is not built (npm run build), the installed command skipped\n');
  else rows.push(['start-up, tradeflow --help, installed (dist/)', ms(installed), floor, `${(bare / installed).toFixed(2)} (${(installed / bare).toFixed(1)}x node -e 0)`]);
  rows.push(['start-up, tradeflow --help, from the sources (tsx)', ms(source), floor, `${(bare / source).toFixed(2)} (${(source / bare).toFixed(1)}x node -e 0)`]);
}

const checkpointSizes = String(values['checkpoint-orders']).split(',').map(Number).filter((orders) => orders > 0);
for (const orders of checkpointSizes) {
  process.stderr.write(`bench: checkpoints of a day of ${orders.toLocaleString('en-US')} orders, full and delta...\n`);
  const figures = await incrementalCheckpoint(orders);
  const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  rows.push([
    `checkpoint, a day of ${orders.toLocaleString('en-US')} orders, delta after 10 s at 20,000 orders/s (30% updates)`,
    `pause ${ms(figures.delta.pauseMs)}, encode ${ms(figures.delta.encodeMs)}, ${mb(figures.delta.bytes)}, longest block ${ms(figures.delta.blockMs)}`,
    `${ms(figures.full.pauseMs)}, encode ${ms(figures.full.encodeMs)}, ${mb(figures.full.bytes)}, longest block ${ms(figures.full.blockMs)} (full)`,
    `${pauseRatio(figures.delta.pauseMs, figures.full.pauseMs)}; delta ${((figures.delta.bytes / figures.full.bytes) * 100).toFixed(1)}% of full`,
  ]);
  rows.push([`restore, base + delta of ${orders.toLocaleString('en-US')} orders`, `${(figures.restoreMs / 1000).toFixed(2)} s`, '', '']);
  const { compaction } = figures;
  rows.push([`compaction, base + delta of ${orders.toLocaleString('en-US')} orders`, `${(compaction.wallMs / 1000).toFixed(2)} s, longest main-thread block ${ms(compaction.blockMs)}, peak RSS +${mb(compaction.peakRssBytes)}`, '', '']);
}

const memoryOrders = Number(values['memory-orders']);
if (memoryOrders > 0) {
  process.stderr.write(`bench: tracking ${memoryOrders.toLocaleString('en-US')} distinct orders for the memory figure...\n`);
  const { perOrder, outsideHeap } = await bytesPerOrder(memoryOrders);
  rows.push([`memory, ${memoryOrders.toLocaleString('en-US')} orders tracked`, `${perOrder.toFixed(0)} bytes/order (${outsideHeap.toFixed(0)} of them in typed arrays, outside the heap)`, '', '']);
}

const header = ['benchmark', 'pipeline', 'plain loop (floor)', 'pipeline / floor'];
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`tradeflow benchmarks, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

/** Runs benchmarks/end-to-end-child.ts with `args` in a new Node process; returns the rate it measured. */
function inFreshProcess(args: readonly string[]): Promise<number> {
  const script = fileURLToPath(new URL('./end-to-end-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, script, ...args], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`Cannot measure ${args[0]}: ${stderr.trim() || error.message}`));
      resolve((JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { rate: number }).rate);
    });
  });
}
