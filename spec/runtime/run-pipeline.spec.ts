/**
 * A run after a restart holds its flushes back until the replay reaches what the table already
 * covers, merged into one: the minutes of the day curves must come through that merge whole.
 */
import { readFileSync } from 'node:fs';
import { from, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createCounters, type Batch, type RawRecord } from '../../src/core/batch.ts';
import type { OrderSource } from '../../src/sources/order-source.ts';
import { exactAttos } from '../support/replay.ts';
import type { Flush } from '../../src/operators/buffer-flush.ts';
import { runPipeline } from '../../src/runtime/run-pipeline.ts';
import { SAMPLE } from '../support/cli.ts';
import { toBatches } from '../support/replay.ts';
import { positionAfter } from '../../src/core/positions.ts';

/** The sample's minutes with orders (as spec/sinks/history-writes.spec.ts lists them), per `begin_time|channel_code|minute`. */
const SAMPLE_MINUTES = new Map(
  ([
    ['2021-03-24', 'appShop', 970, 180_000_000n * 10n ** 12n, 1],
    ['2021-03-24', 'webShop', 602, 100_000_000n * 10n ** 12n, 1],
    ['2021-03-25', 'appShop', 367, 50_500_000n * 10n ** 12n, 1],
    ['2021-03-25', 'miniAppShop', 367, 88_800_000n * 10n ** 12n, 1],
    ['2021-03-25', 'miniAppShop', 723, 60_000_000n * 10n ** 12n, 1],
    ['2021-03-25', 'other', 910, 400_000_000n * 10n ** 12n, 1],
    ['2021-03-25', 'webShop', 0, 480_000_000n * 10n ** 12n, 1],
    ['2021-03-25', 'webShop', 367, 166_500_000n * 10n ** 12n, 2],
    ['2021-03-25', 'webShop', 490, 240_000_000n * 10n ** 12n, 1],
    ['2021-03-25', 'webShop', 976, 100_000_000n * 10n ** 12n, 1],
  ] as const).map(([day, code, minute, gmvAttos, orders]) => [`${day} 00:00:00|${code}|${minute}`, { gmvAttos, orders }]),
);

describe('runPipeline after a restart', () => {
  it('writes the held flushes as one that carries every minute they changed', async () => {
    const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n');
    const written: Flush[] = [];
    await runPipeline({
      source: { name: 'file:sample.jsonl', batches: () => from(toBatches(lines, 2)), commit: async () => {} },
      sink: { write: async (flush) => void written.push(flush), close: async () => {} },
      days: { kind: 'all' },
      zone: 'UTC',
      counters: createCounters(),
      flushRows: 1,
      // The table already covered line 9 when the last run stopped: hold until the replay is there.
      checkpoint: { key: 'file:sample', take: async () => Buffer.alloc(0), restoredAt: new Map(), writtenUpTo: new Map([[0, positionAfter(9)]]) },
    });
    const held = written.filter((flush) => flush.upserts.length > 0);
    expect(held[0]?.progress.at(-1)?.next).toBeGreaterThanOrEqual(positionAfter(9)); // nothing before line 9 was written on its own
    const minutes = new Map<string, { gmvAttos: bigint; orders: number }>();
    for (const flush of written) {
      for (const group of flush.history) {
        for (const m of group.minutes) minutes.set(`${group.beginTime}|${group.channelCode}|${m.minute}`, { gmvAttos: exactAttos(m.gmvText), orders: m.orderCount });
      }
    }
    for (const [key, figures] of minutes) if (figures.orders === 0) minutes.delete(key);
    expect(minutes).toEqual(SAMPLE_MINUTES);
  });
});

describe('runPipeline and its sink', () => {
  const lines = readFileSync(SAMPLE, 'utf8').trim().split('\n');

  it('commits the offsets of a flush only after the sink wrote it, flush by flush in order', async () => {
    const events: string[] = [];
    await runPipeline({
      source: { name: 'file:sample.jsonl', batches: () => from(toBatches(lines, 2)), commit: async (progress) => void events.push(`commit ${progress.map((p) => p.next).join(',')}`) },
      sink: { write: async (flush) => void events.push(`write ${flush.progress.map((p) => p.next).join(',')}`), close: async () => {} },
      days: { kind: 'all' },
      zone: 'UTC',
      counters: createCounters(),
      flushRows: 1,
    });
    expect(events.length).toBeGreaterThan(4);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]).toMatch(/^write /);
      expect(events[i + 1]).toBe(events[i]!.replace('write', 'commit'));
    }
  });

  it('holds the source back while two flushes wait for the sink, and reads on once they are written', async () => {
    const batches = toBatches(lines, 1);
    let emitted = 0;
    const stalled: (() => void)[] = [];
    const source: OrderSource = {
      name: 'file:sample.jsonl',
      batches: (flow) =>
        new Observable<Batch<RawRecord>>((subscriber) => {
          void (async () => {
            for (const batch of batches) {
              await flow.ready();
              emitted += 1;
              subscriber.next(batch);
            }
            subscriber.complete();
          })();
        }),
      commit: async () => {},
    };
    const running = runPipeline({
      source,
      sink: { write: () => new Promise<void>((resolve) => stalled.push(resolve)), close: async () => {} },
      days: { kind: 'all' },
      zone: 'UTC',
      counters: createCounters(),
      flushRows: 1,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emitted).toBeLessThan(batches.length); // held back, not read to the end into memory
    const heldAt = emitted;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(emitted).toBe(heldAt); // and it stays held while the sink is stuck
    const release = setInterval(() => stalled.splice(0).forEach((resolve) => resolve()), 1);
    await running;
    clearInterval(release);
    expect(emitted).toBe(batches.length);
  });
});
