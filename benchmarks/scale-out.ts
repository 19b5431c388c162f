/**
 * Scale-out: 1, 2 and 3 `tradeflow run --stage both` instances of one group on a pre-filled
 * 6-partition topic into MariaDB. Each run must end with exactly the table the in-process
 * pipeline writes for the same file (nothing lost, nothing twice); the figures are its rate and
 * the CPU time the instances spent per million messages (the per-instance cost).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { freshDatabase } from './end-to-end.ts';
import { openDatabase, parseDatabase } from '../src/db/connect.ts';
import { replayIntoSqlite } from './core.ts';
import { BENCH_DAY } from './recorded-file.ts';

const CLI = new URL('../src/cli/tradeflow.js', import.meta.url).pathname;
const DB = 'tradeflow_bench_scale';

/** One measured run. */
export interface ScaleOutRun {
  readonly instances: number;
  /** Messages per second, from the first partitions owned (the processes up, the group joined) to the exact table. */
  readonly rate: number;
  /** Seconds from the start of the processes to the first partitions owned. */
  readonly startSeconds: number;
  /** The longest pause of a stage for a rebalance: rebuilding the state of its new partitions, seconds. */
  readonly longestRebuild: number;
  /** Rebalances the stages went through (each one a rebuild), over all instances. */
  readonly rebuilds: number;
  /** CPU seconds of all instances per million messages. */
  readonly cpuPerMillion: number;
}

/** Runs the file's topic through 1..N instances, each time into a fresh database; throws if a table is not exact. */
export async function scaleOutRuns(file: string, topic: string, messages: number, instanceCounts: readonly number[]): Promise<ScaleOutRun[]> {
  const expected = await expectedTable(file);
  const runs: ScaleOutRun[] = [];
  for (const count of instanceCounts) {
    const url = await freshDatabase(DB);
    const db = openDatabase(parseDatabase(url));
    const group = `scale-${count}-${randomBytes(3).toString('hex')}`;
    const started = performance.now();
    const children = Array.from({ length: count }, (_, i) =>
      spawn(process.execPath, [CLI, 'run', '--source', 'kafka', '--topic', topic, '--group', group, '--stage', 'both', '--instance-id', `bench-${i}`, '--db', url, '--as-of', `${BENCH_DAY} 00:00:00`], { env: { ...process.env, TRADEFLOW_LOG_FORMAT: 'text' }, stdio: ['ignore', 'ignore', 'pipe'] }),
    );
    const logs = children.map((child) => collect(child));
    try {
      const deadline = Date.now() + 600_000;
      while ((await tableOf(db).catch(() => '')) !== expected) {
        if (children.some((child) => child.exitCode !== null)) throw new Error(`Cannot measure ${count} instance(s): one exited early:\n${logs.map((l) => l.text).join('\n')}`);
        if (Date.now() > deadline) throw new Error(`Cannot measure ${count} instance(s): the table never became exact`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const owned = Math.min(...logs.map((log) => log.ownedAt));
      const seconds = (performance.now() - owned) / 1000;
      const cpu = children.reduce((sum, child) => sum + cpuSeconds(child.pid), 0);
      const pauses = logs.flatMap((log) => [...log.text.matchAll(/state rebuilt (?:from [\d,]+ messages )?in ([\d.]+) (ms|s)/g)].map((m) => Number(m[1]) / (m[2] === 'ms' ? 1000 : 1)));
      runs.push({ instances: count, rate: messages / seconds, startSeconds: (owned - started) / 1000, longestRebuild: Math.max(0, ...pauses), rebuilds: pauses.length, cpuPerMillion: (cpu / messages) * 1e6 });
      process.stderr.write(`bench: ${count} instance(s): partitions owned after ${((owned - started) / 1000).toFixed(1)} s, exact table ${seconds.toFixed(1)} s later\n`);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
      await db.destroy();
    }
  }
  return runs;
}

/** The table the in-process pipeline writes for the file, as text to compare. */
async function expectedTable(file: string): Promise<string> {
  await replayIntoSqlite(file, BENCH_DAY, 'data/bench/scale-expected.sqlite');
  const db = openDatabase(parseDatabase('sqlite:data/bench/scale-expected.sqlite'));
  try {
    return await tableOf(db);
  } finally {
    await db.destroy();
  }
}

async function tableOf(db: Knex): Promise<string> {
  const rows = (await db('trade_channel_collect').orderBy(['begin_time', 'channel_code'])) as Record<string, unknown>[];
  return JSON.stringify(rows.map((r) => [String(r.begin_time), r.channel_code, Number(r.cur_gmv), Number(r.cur_order_user_count), Number(r.cur_order_count), String(r.last_pay_time)]));
}

/** User + system CPU seconds of a live process, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

function collect(child: ChildProcess): { text: string; ownedAt: number } {
  const log = { text: '', ownedAt: Infinity };
  child.stderr?.on('data', (chunk: Buffer) => {
    log.text += chunk.toString();
    if (log.ownedAt === Infinity && /dedupe stage owns/.test(log.text)) log.ownedAt = performance.now();
  });
  return log;
}
