import type { FaultStep } from '../runtime/job-plan.ts';

/**
 * The fault tests' hook: `TRADEFLOW_FAULT=rows:3` kills the process (as kill -9 would) inside the
 * 3rd flush's transaction, `checkpoint:2` half-way through the 2nd checkpoint; `slow-write:MS`
 * holds every write MS ms inside its transaction (a flush's, or a dedupe stage's Kafka
 * transaction), so that a rebalance lands while a write is in flight.
 */
export function failpoint(spec: string | undefined): (step: FaultStep) => void | Promise<void> {
  const slow = spec === undefined ? null : /^slow-write:(\d+)$/.exec(spec);
  if (slow !== null) return (step) => (step === 'checkpoint' ? undefined : new Promise((resolve) => setTimeout(resolve, Number(slow[1]))));
  const match = spec === undefined ? null : /^(rows|checkpoint):(\d+)$/.exec(spec);
  if (match === null) return () => {};
  let seen = 0;
  return (step) => {
    if (step === match[1] && ++seen === Number(match[2])) process.kill(process.pid, 'SIGKILL');
  };
}
