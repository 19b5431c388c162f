/** The live screen of a running pipeline: what `tradeflow run` serves beside its work. */
import type { Logger } from '../core/log.ts';
import type { Knex } from 'knex';
import type { PipelineCounters } from '../core/batch.ts';
import type { OrderSource } from '../sources/order-source.ts';
import { watchDatabase } from './database-watch.ts';
import type { ScreenDisplay } from './screen-api.ts';
import type { ScreenGuard } from './screen-guard.ts';
import { createChangeNotifier, createDurationRecorder } from './screen-status.ts';

/** Options of {@link openRunScreen}. */
export interface RunScreenOptions {
  readonly db: Knex;
  readonly zone: string;
  readonly port: number;
  readonly host: string;
  /** A port the user asked for must be had; the default one may be taken (then: no screen). */
  readonly portGiven: boolean;
  readonly counters: PipelineCounters;
  /** Where the run reads: how far, and how far behind (Kafka). */
  readonly source: Pick<OrderSource, 'name' | 'describeProgress' | 'lag'>;
  /** Orders in the state now. */
  readonly trackedOrders: () => number;
  /** False while the sink retries through an outage. */
  readonly databaseWritable: () => boolean;
  /** The line saying the feed is mostly rejects, once it is; undefined while it is not. Default: never. */
  readonly feedRefused?: () => string | undefined;
  readonly log: Logger;
  /** Locale and currency of the page. Default: en-US, no currency. */
  readonly display?: ScreenDisplay | undefined;
  /** Allowed hosts, token, cap on pages, embedding (screen-guard.ts). Default: its defaults. */
  readonly guard?: ScreenGuard | undefined;
}

/** What the run tells its screen. */
export interface RunScreen {
  /** A flush was written in `seconds`: the page updates. */
  flushed(seconds: number): void;
  /** The pipeline ended: the page says so while the screen is still up. */
  stopped(): void;
  close(): Promise<void>;
}

/** Serves the live screen of this run; without one (a default port taken), a screen that does nothing. */
export async function openRunScreen(options: RunScreenOptions): Promise<RunScreen> {
  const { db, zone, port, host, portGiven, counters, source, trackedOrders, databaseWritable, feedRefused, log, display, guard } = options;
  const changes = createChangeNotifier();
  const durations = createDurationRecorder();
  const watch = await watchDatabase(db);
  let pipeline: 'running' | 'stopped' = 'running';
  let lastFlushMs: number | undefined;
  // Loaded here, not with the run: a run without a screen (a replay) starts without the HTTP
  // server and prom-client (30 ms of its start).
  const { startScreen } = await import('./screen-server.ts');
  try {
    const screen = await startScreen({
      db,
      zone,
      port,
      host,
      changes,
      ...(display !== undefined && { display }),
      ...(guard !== undefined && { guard }),
      status: () => {
        const lag = source.lag?.();
        return {
          pipeline,
          database: databaseWritable() ? watch.state() : 'down',
          counters,
          sourcePosition: source.describeProgress?.(),
          orderStates: trackedOrders(),
          feedRefused: feedRefused?.(),
          lastFlushMs,
          flushDurationSeconds: durations,
          lagByPartition: lag,
          sourceTopic: source.name.startsWith('kafka:') ? source.name.slice('kafka:'.length) : undefined,
          sourceAssigned: lag === undefined ? undefined : lag.length > 0,
          lagMessages: lag?.reduce((sum, p) => sum + p.messages, 0),
        };
      },
    });
    log.info(`live screen at ${screen.url}`, { url: screen.url });
    return {
      flushed: (seconds) => {
        durations.observe(seconds);
        lastFlushMs = Date.now();
        changes.notify();
      },
      stopped: () => {
        pipeline = 'stopped';
      },
      close: async () => {
        watch.stop();
        await screen.close();
      },
    };
  } catch (error) {
    watch.stop();
    if (portGiven) throw error;
    log.warn(`no live screen: ${error instanceof Error ? error.message : String(error)} (--http-port picks another)`);
    return { flushed: () => {}, stopped: () => {}, close: async () => {} };
  }
}
