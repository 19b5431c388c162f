import { map, Observable } from 'rxjs';
import type { Batch } from '../../src/core/batch.ts';
import { describe, expect, it } from 'vitest';
import { asNextOffset } from '../../src/core/positions.ts';
import { runTask, type Task } from '../../src/runtime/task.ts';
import type { FlowControl } from '../../src/sources/order-source.ts';

/** A source of `count` one-item batches that reads the next only once the task is ready for it. */
function batchesOf(count: number, read: number[]): (flow: FlowControl) => Observable<Batch<number>> {
  return (flow) =>
    new Observable<Batch<number>>((subscriber) => {
      void (async () => {
        for (let i = 0; i < count && !flow.signal.aborted; i++) {
          await flow.ready();
          read.push(i);
          subscriber.next({ source: 'spec', items: [i], rejects: [], progress: [{ partition: 0, next: asNextOffset(i + 1) }] });
        }
        subscriber.complete();
      })();
    });
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('the task loop', () => {
  it('restores first, then writes every output in order and commits each only after its write', async () => {
    const events: string[] = [];
    const task: Task<number, number> = {
      restore: async () => void events.push('restore'),
      step: map((batch) => batch.items[0]!),
      write: async (out) => void events.push(`write ${out}`),
      commit: (out) => void events.push(`commit ${out}`),
    };
    await runTask(task, batchesOf(3, []));
    expect(events).toEqual(['restore', 'write 0', 'commit 0', 'write 1', 'commit 1', 'write 2', 'commit 2']);
  });

  it('holds the source back while maxInFlight writes wait for the sink', async () => {
    const read: number[] = [];
    const release: (() => void)[] = [];
    const task: Task<number, number> = {
      step: map((batch) => batch.items[0]!),
      write: () => new Promise<void>((resolve) => release.push(resolve)),
      commit: () => {},
    };
    const done = runTask(task, batchesOf(6, read), { maxInFlight: 2 });
    for (let i = 0; i < 5; i++) await tick();
    expect(read).toEqual([0, 1]);
    release.shift()!();
    for (let i = 0; i < 5; i++) await tick();
    expect(read).toEqual([0, 1, 2]);
    while (read.length < 6 || release.length > 0) {
      release.shift()?.();
      await tick();
    }
    await done;
  });

  it('once a write fails, commits nothing after it and rejects only when no write is left in flight', async () => {
    const committed: number[] = [];
    let inFlight = 0;
    const task: Task<number, number> = {
      step: map((batch) => batch.items[0]!),
      write: async (out) => {
        inFlight += 1;
        await tick();
        inFlight -= 1;
        if (out === 1) throw new Error('Cannot write: the sink is gone');
      },
      commit: (out) => void committed.push(out),
    };
    await expect(runTask(task, batchesOf(5, []), { maxInFlight: 2 })).rejects.toThrow('the sink is gone');
    expect(committed).toEqual([0]);
    expect(inFlight).toBe(0);
  });

  it('stops reading when the signal aborts and still writes what was read', async () => {
    const stop = new AbortController();
    const written: number[] = [];
    const task: Task<number, number> = {
      step: map((batch) => batch.items[0]!),
      write: async (out) => {
        written.push(out);
        if (out === 2) stop.abort();
      },
      commit: () => {},
    };
    await runTask(task, batchesOf(100, []), { signal: stop.signal, maxInFlight: 1 });
    expect(written.length).toBeGreaterThanOrEqual(3);
    expect(written.length).toBeLessThan(100);
    expect(written).toEqual([...written.keys()]);
  });
});
