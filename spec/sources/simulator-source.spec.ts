/**
 * The simulated shop writes its orders in any layout, so that a demo, a benchmark or a spec can
 * run every layout live: the same seed gives the same orders, whatever the layout.
 */
import { lastValueFrom, take, toArray, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { streamReader } from '../../src/core/stream-layout.ts';
import { checkJobFile } from '../../src/cli/job-file.ts';
import { jobFileOf, LAYOUTS, type LayoutName } from '../../src/generate/layouts.ts';
import { simulatorSource } from '../../src/sources/simulator-source.ts';
import { replay } from '../support/replay.ts';

/** The messages of two seconds of the simulated shop (20 ticks), in a layout. */
async function simulated(layout: LayoutName): Promise<string[]> {
  const scheduler = new VirtualTimeScheduler();
  const source = simulatorSource({ zone: 'UTC', ordersPerSecond: 40, seed: 7, layout, scheduler });
  const batches = lastValueFrom(source.batches({ signal: new AbortController().signal, ready: () => Promise.resolve() }).pipe(take(20), toArray()));
  scheduler.flush();
  return (await batches).flatMap((batch) => batch.items.map((item) => (typeof item.value === 'string' ? item.value : Buffer.from(item.value).toString('utf8'))));
}

describe('the simulator', () => {
  it.each(LAYOUTS.filter((layout) => layout !== 'tutorial'))('writes in the %s layout the orders it writes in the tutorial layout: read back with that layout, the table is the same', async (layout) => {
    const tutorial = await simulated('tutorial');
    const lines = await simulated(layout);
    expect(lines).toHaveLength(tutorial.length);
    expect(lines).not.toEqual(tutorial);
    const read = streamReader(
      checkJobFile(jobFileOf(layout), (message) => {
        throw new Error(message);
      }).layout,
      'UTC',
    );
    const expected = replay(tutorial, { kind: 'all' });
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(replay(lines, { kind: 'all' }, { read }).rows).toEqual(expected.rows);
  });
});
