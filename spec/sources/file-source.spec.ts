import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/core/batch.ts';
import { fileSource } from '../../src/sources/file-source.ts';
import { scratchDir } from '../support/cli.ts';

async function readAll(content: Buffer | string, options = {}): Promise<RawRecord[]> {
  const file = join(scratchDir(), 'in.jsonl');
  writeFileSync(file, content);
  const flow = { ready: () => Promise.resolve(), signal: new AbortController().signal };
  const batches = await lastValueFrom(fileSource(file, options).batches(flow).pipe(toArray()));
  return batches.flatMap((batch) => [...batch.items]);
}

describe('the file source', () => {
  it('numbers lines as a user counts them, skipping empty lines and CRLF endings, with or without a final newline', async () => {
    const records = await readAll('a\r\n\n  \nb\nc');
    expect(records.map((r) => [r.offset, r.value])).toEqual([
      [1, 'a'],
      [4, 'b'],
      [5, 'c'],
    ]);
  });

  it('passes a line that is not UTF-8 on as bytes, and its neighbours as text', async () => {
    const records = await readAll(Buffer.concat([Buffer.from('ok1\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('ok2\n')]));
    expect(records[0]?.value).toBe('ok1');
    expect(records[1]?.value).toBeInstanceOf(Uint8Array);
    expect(records[2]?.value).toBe('ok2');
  });

  it('reads lines longer than a chunk whole, in batches of at most batchSize', async () => {
    const long = 'x'.repeat(5000);
    const records = await readAll(`${long}\n${'y\n'.repeat(10)}`, { chunkBytes: 1024, batchSize: 3 });
    expect(records[0]?.value).toBe(long);
    expect(records).toHaveLength(11);
  });
});
