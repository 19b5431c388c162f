import { interval, map, takeUntil, fromEvent, type SchedulerLike, asyncScheduler, Observable } from 'rxjs';
import type { Batch, RawRecord } from '../core/batch.ts';
import { positionAfter } from '../core/positions.ts';
import { timestampInZone } from '../core/business-day.ts';
import { writeInLayout, type LayoutName } from '../generate/layouts.ts';
import { orderStory } from '../generate/order-stories.ts';
import { seededRandom } from '../generate/random.ts';
import type { OrderSource } from './order-source.ts';

/** Options of {@link simulatorSource}. */
export interface SimulatorOptions {
  /** New orders per second (each has about two versions). Default: 50. */
  readonly ordersPerSecond?: number;
  /** Seed of the simulated shop. Default: 1. */
  readonly seed?: number;
  /** The zone the shop's clocks show. */
  readonly zone: string;
  /**
   * How the shop writes its orders (see `src/generate/layouts.ts`): renamed fields, another time
   * format, or Canal/Debezium change messages (an order's first version an insert, the rest
   * updates). Default: the tutorial's layout.
   */
  readonly layout?: LayoutName;
  /** Time of the simulation. Default: asyncScheduler. */
  readonly scheduler?: SchedulerLike;
}

const TICK_MS = 100;

/** A built-in shop that writes live orders (now, in the zone) until the run is stopped. */
export function simulatorSource(options: SimulatorOptions): OrderSource {
  const { ordersPerSecond = 50, seed = 1, zone, layout = 'tutorial', scheduler = asyncScheduler } = options;
  const name = 'simulator';
  let serial = 0;
  let offset = 0;
  return {
    name,
    batches: (flow) => {
      const random = seededRandom(seed);
      const stopped = fromEvent(flow.signal, 'abort');
      const perTick = ordersPerSecond * (TICK_MS / 1000);
      let owed = 0;
      const ticks = flow.signal.aborted ? new Observable<number>((s) => s.complete()) : interval(TICK_MS, scheduler);
      return ticks.pipe(
        takeUntil(stopped),
        map((): Batch<RawRecord> => {
          const createdAt = timestampInZone(scheduler.now(), zone).slice(0, 19);
          owed += perTick;
          const items: RawRecord[] = [];
          for (; owed >= 1; owed -= 1) {
            const story = orderStory(random, { serial: serial++, createdAt, users: 5000 }, false);
            story.forEach((line, version) => {
              offset += 1;
              const value = layout === 'tutorial' ? line : writeInLayout(layout, [line], zone, version === 0 ? 'insert' : 'update', offset);
              items.push({ value, partition: 0, offset });
            });
          }
          return { source: name, items, rejects: [], progress: [{ partition: 0, next: positionAfter(offset) }] };
        }),
      );
    },
    commit: async () => {},
    describeProgress: () => `${serial.toLocaleString('en-US')} orders simulated`,
  };
}
