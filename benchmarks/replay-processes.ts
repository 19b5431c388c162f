/**
 * The file replay as a user runs it, timed as whole processes (start-up, database, the end
 * included): the installed command (`dist/cli/bin.js run --source file:...`) with 1, 2, ...
 * reading threads, against the plain loop in a process of its own. The plain loop runs through
 * tsx, so tsx's own start (`node --import tsx -e 0`, timed here too) is taken off its time.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./plain-loop-child.ts', import.meta.url));

/** The best of `repeat` runs of each, in ms, and the records each read. */
export interface ReplayProcesses {
  readonly floorMs: number;
  readonly read: number;
  readonly runs: readonly { readonly workers: number; readonly ms: number; readonly read: number }[];
}

/** Times the replays of `file` for `day`, each of `workerCounts`, best of `repeat`, taking turns. */
export function replayProcesses(file: string, day: string, workerCounts: readonly number[], repeat: number): ReplayProcesses {
  const timed = (args: readonly string[]): { ms: number; stdout: string } => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`Cannot time ${args.join(' ')}: exit ${String(result.status)}: ${result.stderr.trim().split('\n').at(-1) ?? ''}`);
    return { ms, stdout: result.stdout };
  };
  let tsxMs = Infinity;
  let floorMs = Infinity;
  let read = 0;
  const best = new Map(workerCounts.map((workers) => [workers, { ms: Infinity, read: 0 }]));
  for (let round = 0; round < repeat; round++) {
    tsxMs = Math.min(tsxMs, timed(['--import', 'tsx', '-e', '0']).ms);
    const floor = timed(['--import', 'tsx', CHILD, file, day]);
    floorMs = Math.min(floorMs, floor.ms);
    read = (JSON.parse(floor.stdout) as { read: number }).read;
    for (const workers of workerCounts) {
      const db = `data/bench/replay-${workers}.sqlite`;
      rmSync(db, { force: true });
      const run = timed([BIN, 'run', '--source', `file:${file}`, '--db', `sqlite:${db}`, '--as-of', `${day} 00:00:00`, '--workers', String(workers)]);
      const counted = Number(/^read ([\d,]+) \|/m.exec(run.stdout)?.[1]?.replaceAll(',', ''));
      const kept = best.get(workers)!;
      best.set(workers, { ms: Math.min(kept.ms, run.ms), read: counted });
    }
    process.stderr.write(`bench: whole-process replays, round ${round + 1} of ${repeat} done\n`);
  }
  return { floorMs: floorMs - tsxMs, read, runs: workerCounts.map((workers) => ({ workers, ...best.get(workers)! })) };
}
