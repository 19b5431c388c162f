import { describe, expect, it } from 'vitest';
import { decodeOutcomes } from '../../src/core/outcome-codec.ts';
import { readPool } from '../../src/workers/read-pool.ts';

const GOOD = '{"order_id":"1","order_channel":"webShop","order_time":"2021-03-25 10:00:00","real_pay":"5","pay_time":"2021-03-25 10:00:01","user_id":"u1"}';
const records = (n: number) => Array.from({ length: n }, (_, offset) => ({ value: GOOD.replace('"1"', `"${offset}"`), partition: 0, offset }));

describe('the reading threads', () => {
  it('answer every batch with its own outcomes, whichever thread reads it, many batches in flight', async () => {
    const pool = readPool({ threads: 3, zone: 'UTC', maxRecordBytes: 1 << 20 });
    try {
      const batches = Array.from({ length: 30 }, (_, i) => records(1 + i));
      const answers = await Promise.all(batches.map((batch) => pool.read(batch)));
      answers.forEach((answer, i) => expect(decodeOutcomes(answer, batches[i]!).map((o) => (o as { orderId: string }).orderId)).toEqual(batches[i]!.map((_, j) => String(j))));
    } finally {
      await pool.close();
    }
  });

  it('hold the source back while every thread has its batches, and let it go as one answers', async () => {
    const pool = readPool({ threads: 1, zone: 'UTC', maxRecordBytes: 1 << 20, perThread: 2 });
    try {
      const first = pool.read(records(5000));
      const second = pool.read(records(10));
      let ready = false;
      const waiting = pool.ready().then(() => (ready = true));
      expect(ready).toBe(false);
      await first;
      await waiting;
      expect(ready).toBe(true);
      await second;
    } finally {
      await pool.close();
    }
  });

  it('fail the batch in flight and every later one with one line when a thread fails, and never leave the source waiting', async () => {
    // A layout with no field names (the CLI never makes one): the thread's reader cannot be built, and the thread fails at its start.
    const pool = readPool({ threads: 1, zone: 'UTC', maxRecordBytes: 1 << 20, layout: { fields: {} as never } });
    try {
      const error = (await pool.read(records(3)).then(() => new Error("answered"), (e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/^Cannot read orders: reading thread 1 failed: Cannot read properties of undefined/);
      expect(error.message).not.toContain('\n');
      await expect(pool.read(records(1))).rejects.toThrow(error.message);
      await pool.ready(); // resolves: the failure is what the source meets next
    } finally {
      await pool.close();
    }
  });

  it('refuse a batch once closed, instead of leaving it unanswered', async () => {
    const pool = readPool({ threads: 2, zone: 'UTC', maxRecordBytes: 1 << 20 });
    await pool.close();
    await expect(pool.read(records(1))).rejects.toThrow('Cannot read orders: the reading threads are closed');
  });
});
