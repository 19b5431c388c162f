/**
 * The pause of a rebalance for the aggregate stage: a `--stage dedupe` instance fills the changes
 * topic from a pre-filled 6-partition orders topic, one `--stage aggregate` instance reads it to
 * its end into MariaDB, then a second joins and takes half of the changes partitions. The pause
 * is what the new owner spends before it reads live (restoring snapshots and reading the changes
 * after them, or reading its partitions from their start), from its log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BENCH_DAY } from './recorded-file.ts';
import { committedTotal, DURATION, seconds, waitForLine, type PauseVariant } from './rebalance-pause.ts';

/** One measured rebalance of the aggregate stage. */
export interface AggregatePauseRun {
  readonly label: string;
  /** Seconds the new owner spent before reading live, from its log line. */
  readonly rebuildSeconds: number;
  /** Changes messages it read again to get there. */
  readonly replayed: number;
}

/** Runs the aggregate stage's rebalance for each variant in turn on the same orders topic, each in its own groups and database. */
export async function aggregatePauses(topic: string, messages: number, variants: readonly PauseVariant[], database: (name: string) => Promise<string>): Promise<AggregatePauseRun[]> {
  const runs: AggregatePauseRun[] = [];
  for (const variant of variants) runs.push(await oneRebalance(topic, messages, variant, await database(`bench_aggpause_${randomBytes(3).toString('hex')}`)));
  return runs;
}

async function oneRebalance(topic: string, messages: number, variant: PauseVariant, url: string): Promise<AggregatePauseRun> {
  const group = `aggpause-${randomBytes(3).toString('hex')}`;
  const cli = join(variant.checkout, 'src/cli/tradeflow.js');
  const start = (stage: 'dedupe' | 'aggregate', id: string): { child: ChildProcess; log: { text: string } } => {
    const child = spawn(process.execPath, [cli, 'run', '--source', 'kafka', '--topic', topic, '--group', group, '--stage', stage, '--instance-id', id, '--as-of', `${BENCH_DAY} 00:00:00`, ...(stage === 'aggregate' ? ['--db', url] : []), ...variant.extraArgs], {
      cwd: variant.checkout,
      env: { ...process.env, TRADEFLOW_LOG_FORMAT: 'text' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const log = { text: '' };
    child.stderr?.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
    return { child, log };
  };
  const feeder = start('dedupe', 'feeder');
  const first = start('aggregate', 'first');
  const children = [feeder.child, first.child];
  try {
    const deadline = Date.now() + 1_800_000;
    const wait = async (done: () => Promise<boolean>, what: string): Promise<void> => {
      while (!(await done().catch(() => false))) {
        if (feeder.child.exitCode !== null || first.child.exitCode !== null) throw new Error(`Cannot measure ${variant.label}: an instance exited:\n${feeder.log.text}\n${first.log.text}`);
        if (Date.now() > deadline) throw new Error(`Cannot measure ${variant.label}: ${what} never happened`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    await wait(async () => (await committedTotal(topic, `${group}-dedupe`)) >= messages, 'the dedupe stage reading the orders to their end');
    // Read to its end: the aggregate group's offsets stand still for a few seconds.
    let last = -1;
    let still = 0;
    await wait(async () => {
      const now = await committedTotal(`${group}-changes`, `${group}-aggregate`);
      still = now === last && now > 0 ? still + 1 : 0;
      last = now;
      return still >= 3;
    }, 'the aggregate stage reading the changes to their end');
    process.stderr.write(`bench: ${variant.label}: the aggregate stage has read ${last.toLocaleString('en-US')} changes messages; a second joins\n`);
    const second = start('aggregate', 'second');
    children.push(second.child);
    const line = await waitForLine(second, new RegExp(`aggregate stage owns \\S+ partitions [^;]*; state rebuilt from ([\\d,]+) messages in ${DURATION}`), 1_800_000);
    const run = { label: variant.label, rebuildSeconds: seconds(line[2]!), replayed: Number(line[1]!.replaceAll(',', '')) };
    process.stderr.write(`bench: ${variant.label}: the aggregate stage rebuilt in ${run.rebuildSeconds.toFixed(2)} s from ${run.replayed.toLocaleString('en-US')} messages\n`);
    return run;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  }
}
