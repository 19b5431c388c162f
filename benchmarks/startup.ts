/**
 * Start-up of the command: `tradeflow --help` as installed (the compiled dist/cli/bin.js) and
 * from the sources through tsx (development), against a bare `node -e 0`, each the median of
 * `rounds` fresh processes, measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The compiled command `npm run build` writes. */
export const INSTALLED_BIN = fileURLToPath(new URL('../dist/cli/bin.js', import.meta.url));
const SOURCE_BIN = fileURLToPath(new URL('../src/cli/tradeflow.js', import.meta.url));

/** Median wall milliseconds of `node args...` over `rounds` fresh processes (after one warm-up). */
function medianMs(args: readonly string[], rounds: number): number {
  const times: number[] = [];
  for (let i = 0; i <= rounds; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = performance.now() - started;
    if (run.status !== 0) throw new Error(`Cannot time node ${args.join(' ')}: it exited ${run.status}: ${run.stderr.toString().trim()}`);
    if (i > 0) times.push(ms); // the first warms the file cache
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Start-up times in ms; `installed` is undefined when dist/ is not built. */
export function startupTimes(rounds: number): { bare: number; installed: number | undefined; source: number } {
  const bare = medianMs(['-e', '0'], rounds);
  const installed = existsSync(INSTALLED_BIN) ? medianMs([INSTALLED_BIN, '--help'], rounds) : undefined;
  const source = medianMs([SOURCE_BIN, '--help'], rounds);
  return { bare, installed, source };
}
