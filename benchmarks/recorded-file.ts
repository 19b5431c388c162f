/** Recorded streams for benchmarks, made once by the generator with fixed seeds and kept under data/bench/. */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { recordedStream } from '../src/generate/recorded-stream.ts';

/** The day every benchmark stream is about. */
export const BENCH_DAY = '2026-11-20';

/** The path of a recorded stream of `orders` orders, writing it first if it is not there yet. */
export async function recordedFile(orders: number, seed = 42): Promise<string> {
  const dir = join(process.cwd(), 'data', 'bench');
  mkdirSync(dir, { recursive: true });
  // The generator's version is in the name: a file written by an older generator is not reused.
  const path = join(dir, `orders-${orders}-seed${seed}-v3.jsonl`);
  if (existsSync(path)) return path;
  process.stderr.write(`bench: writing ${orders.toLocaleString('en-US')} orders to ${path}...\n`);
  const out = createWriteStream(`${path}.partial`);
  let chunk = '';
  for (const line of recordedStream({ orders, seed, day: BENCH_DAY })) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  renameSync(`${path}.partial`, path);
  return path;
}
