/**
 * A line of hundreds of megabytes with no newline among ordinary ones: the file source skips it in
 * bounded memory, so its time is linear in the bytes. Measured beside a file of about the same
 * bytes in ordinary order lines, through the same pipeline, in the same run.
 */
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { replayIntoSqlite } from './core.ts';
import { BENCH_DAY, recordedFile } from './recorded-file.ts';

/** MB/s through the pipeline of a file holding one `megabytes` line among ordinary lines, and of ordinary lines of about the same size. */
export async function longLineRates(megabytes: number): Promise<{ longLine: number; ordinary: number; ordinaryBytes: number }> {
  const ordinaryFile = await recordedFile(Math.round((megabytes * 2 ** 20) / 460), 45); // about two lines of 230 bytes an order
  const longFile = await longLineFile(megabytes, ordinaryFile);
  const mbPerSecond = async (file: string): Promise<number> => {
    const { ms } = await replayIntoSqlite(file, BENCH_DAY, join('data', 'bench', 'long-line.sqlite'));
    return statSync(file).size / 2 ** 20 / (ms / 1000);
  };
  return { longLine: await mbPerSecond(longFile), ordinary: await mbPerSecond(ordinaryFile), ordinaryBytes: statSync(ordinaryFile).size };
}

/** The first thousand lines of `ordinary`, one line of `megabytes` MB without a newline in it, then the same lines again. */
async function longLineFile(megabytes: number, ordinary: string): Promise<string> {
  const path = join('data', 'bench', `long-line-${megabytes}mb.jsonl`);
  if (existsSync(path)) return path;
  const { readFileSync } = await import('node:fs');
  const head = readFileSync(ordinary, 'utf8').split('\n').slice(0, 1000).join('\n');
  const out = createWriteStream(`${path}.partial`);
  out.write(`${head}\n{"order_id":"long","pad":"`);
  const block = 'x'.repeat(1 << 20);
  for (let i = 0; i < megabytes; i++) if (!out.write(block)) await once(out, 'drain');
  out.end(`"}\n${head}\n`);
  await once(out, 'finish');
  renameSync(`${path}.partial`, path);
  return path;
}
