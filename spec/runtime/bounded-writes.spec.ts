import { describe, expect, it } from 'vitest';
import { boundedWrites } from '../../src/runtime/bounded-writes.ts';

/** A write that finishes when the spec says so. */
function gate(): { promise: Promise<void>; open: () => void; fail: (error: Error) => void } {
  let open = (): void => {};
  let fail = (_: Error): void => {};
  const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { promise, open, fail };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('bounded writes', () => {
  it('hold the reader back while two writes wait, and let it go as soon as one is done', async () => {
    const writes = boundedWrites(2);
    const first = gate();
    const second = gate();
    void writes.run(() => first.promise);
    void writes.run(() => second.promise);
    let ready = false;
    void writes.ready().then(() => (ready = true));
    await tick();
    expect(ready).toBe(false);
    first.open();
    await tick();
    expect(ready).toBe(true);
    second.open();
    await writes.settled();
  });

  it('never have more than max writes waiting when the reader asks before each one', async () => {
    const writes = boundedWrites(2);
    let waiting = 0;
    let most = 0;
    const written: number[] = [];
    const all: Promise<void>[] = [];
    for (let batch = 0; batch < 8; batch++) {
      await writes.ready();
      waiting += 1;
      most = Math.max(most, waiting);
      all.push(
        writes.run(async () => {
          await tick();
          written.push(batch);
          waiting -= 1;
        }),
      );
    }
    await Promise.all(all);
    expect(most).toBe(2);
    expect(written).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('run in the order they were given, one at a time, never two at once', async () => {
    const writes = boundedWrites(3);
    const log: string[] = [];
    let running = 0;
    const write = (name: string) => async () => {
      running += 1;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
    };
    await Promise.all([writes.run(write('a')), writes.run(write('b')), writes.run(write('c'))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('fail every later write unrun once one fails, so that nothing is written past a gap, and still settle', async () => {
    const writes = boundedWrites(3);
    const ran: string[] = [];
    const failed = gate();
    const first = writes.run(async () => (ran.push('a'), await failed.promise));
    const second = writes.run(async () => void ran.push('b'));
    failed.fail(new Error('Cannot write: the partitions moved'));
    await expect(first).rejects.toThrow('Cannot write: the partitions moved');
    await expect(second).rejects.toThrow('Cannot write: the partitions moved');
    expect(ran).toEqual(['a']);
    await expect(writes.settled()).resolves.toBeUndefined();
  });
});
