/**
 * One end-to-end measurement in a process of its own: `node --import tsx
 * benchmarks/end-to-end-child.ts raw|pipeline TOPIC MESSAGES [WORKERS] [PROFILE_PATH]` prints
 * `{"rate": N}`. The suite runs each measurement so, because a process that has just replayed
 * millions of orders from files (the core part) carries a heap and compiled code shaped by them:
 * the same end-to-end run measured up to a third slower there.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pipelineRate, rawConsumerRate } from './end-to-end.ts';

const [kind, topic = '', messages = '0', workers = '1', profilePath] = process.argv.slice(2);
if (kind !== 'raw' && kind !== 'pipeline') throw new TypeError(`Cannot measure: the kind is "${kind}", not raw or pipeline`);
const stopProfile = profilePath === undefined ? undefined : await startProfile(profilePath);
const rate = kind === 'raw' ? await rawConsumerRate(topic, Number(messages)) : await pipelineRate(topic, Number(workers));
await stopProfile?.();
process.stdout.write(`${JSON.stringify({ rate })}\n`);

/** Starts the V8 CPU profiler; the returned function stops it and writes the profile to `path`. */
async function startProfile(path: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    session.disconnect();
  };
}
