import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCounters } from '../../src/core/batch.ts';
import { loggerOf } from '../../src/core/log.ts';
import { parseDatabase } from '../../src/db/connect.ts';
import type { FaultStep, JobContext, JobPlan } from '../../src/runtime/job-plan.ts';
import { runJob } from '../../src/runtime/run-job.ts';
import { SAMPLE, scratchDir, sqliteRows } from '../support/cli.ts';
import { RESULT_SQL, SAMPLE_DAY } from '../support/sample.ts';

/** A plan into a fresh SQLite file; the rest as the CLI's defaults. */
function planInto(file: string, source: JobPlan['source'], days: JobPlan['days']): JobPlan {
  return { source, database: parseDatabase(`sqlite:${file}`), days, zone: 'UTC', flushIntervalMs: 100, flushRows: 1000, checkpointIntervalMs: 10_000, keepRejects: 100_000 };
}

/** A context as a spec gives it: its own stop signal and clock, everything reported kept. */
function specContext(clock: () => number, signal = new AbortController().signal) {
  const lines: string[] = [];
  const tables: string[][] = [];
  const faults: FaultStep[] = [];
  const context: JobContext = {
    counters: createCounters(),
    signal,
    clock,
    fault: (step) => void faults.push(step),
    log: loggerOf((_level, message) => lines.push(message)),
    report: { table: async (_db, days) => void tables.push([...days]) },
  };
  return { context, lines, tables, faults };
}

const signalListeners = (): number => process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');

describe('runJob, driven without a process', () => {
  it('counts "today" by the clock it is given, and reports through the logger, the reporter and the fault hook only', async () => {
    const file = join(scratchDir(), 'r.sqlite');
    const { context, lines, tables, faults } = specContext(() => Date.parse('2021-03-25T12:03:00Z'));
    const before = signalListeners();
    const running = runJob(planInto(file, { kind: 'file', path: SAMPLE }, { kind: 'live', zone: 'UTC' }), context);
    expect(signalListeners()).toBe(before); // signals are the CLI's
    await running;
    expect(sqliteRows(file, RESULT_SQL)).toEqual(SAMPLE_DAY);
    expect(tables).toEqual([['2021-03-25']]); // the clock's day, not the machine's
    expect(lines[0]).toMatch(/^file:.* -> sqlite:.* \(today, live, zone UTC, \d+ workers?\)/);
    expect(faults).toContain('rows');
    expect(context.counters.read).toBe(11);
  }, 30_000);

  it('stops a live run that never ends by itself when its signal aborts, with the last rows written', async () => {
    const file = join(scratchDir(), 'r.sqlite');
    const stop = new AbortController();
    const { context } = specContext(() => Date.now(), stop.signal);
    const running = runJob(planInto(file, { kind: 'simulator', zone: 'UTC', ordersPerSecond: 200, seed: 3 }, { kind: 'live', zone: 'UTC' }), context);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stop.abort();
    await running;
    const orders = sqliteRows(file, 'select sum(cur_order_count) as n from trade_channel_collect')[0]?.n;
    expect(Number(orders)).toBeGreaterThan(0);
    expect(context.counters.read).toBeGreaterThan(0);
  }, 30_000);
});
