/** What a run is asked to do (the plan), and what it is given to do it with (the context). */
import type { Knex } from 'knex';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { PipelineCounters } from '../core/batch.ts';
import type { DaySelection } from '../core/business-day.ts';
import type { FeedCheckOptions } from '../core/feed-check.ts';
import type { StreamLayout } from '../core/stream-layout.ts';
import type { Logger } from '../core/log.ts';
import type { DatabaseLocation } from '../db/connect.ts';
import type { LayoutName } from '../generate/layouts.ts';
import type { StartupMode } from '../kafka/startup.ts';
import type { ScreenGuard } from '../screen/screen-guard.ts';
import type { ScreenDisplay } from '../screen/screen-api.ts';

/** Where the orders of a run come from. */
export type SourcePlan =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'simulator'; readonly zone: string; readonly ordersPerSecond: number; readonly seed: number; readonly layout?: LayoutName }
  | {
      readonly kind: 'kafka';
      readonly brokers: string;
      readonly topic: string;
      readonly group: string;
      readonly startup: StartupMode;
      readonly exitAtEnd: boolean;
      /** Drop the checkpoint and the progress of (topic, group) first: a deliberate fresh start. Default: false. */
      readonly reset?: boolean;
      /** This process's static group membership id. Default: from the host name and the topic. */
      readonly instanceId?: string;
    };

/** Everything a run needs to know. */
export interface JobPlan {
  readonly source: SourcePlan;
  readonly database: DatabaseLocation;
  readonly days: DaySelection;
  readonly zone: string;
  readonly flushIntervalMs: number;
  readonly flushRows: number;
  /** How often a Kafka run checkpoints its state, ms (and at every clean stop). */
  readonly checkpointIntervalMs: number;
  /** How many rejected messages the rejects table keeps (the newest). */
  readonly keepRejects: number;
  /** How many days before the newest one `trade_channel_history` keeps. Default: 90. */
  readonly keepHistoryDays?: number;
  /** How the shop writes its orders (`--config`, `--format`). Default: the tutorial's layout. */
  readonly layout?: StreamLayout;
  /** When the feed counts as mostly rejects (core/feed-check.ts). Default: more than 50 % of the first 10,000 messages. */
  readonly feed?: FeedCheckOptions;
  /** Threads that read the messages (parse and validate): 1, this one alone; N, N - 1 reading threads beside it. Default: 1. */
  readonly workers?: number;
  /** Scale-out: the stages this instance runs, through the changes topic. None: all in one process. */
  readonly stage?: StagePlan;
  /** The live screen: where, and whether that port was asked for. None: no screen. */
  readonly http?: { readonly port: number; readonly host: string; readonly portGiven: boolean; readonly display?: ScreenDisplay; readonly guard?: ScreenGuard };
}

/** How a run ended, beyond its counters. */
export interface JobOutcome {
  /** The feed was mostly rejects: the line that said so. */
  readonly refusedFeed?: string;
}

/** Which stages an instance runs, and who it is. */
export interface StagePlan {
  readonly stages: 'dedupe' | 'aggregate' | 'both';
  /** Unique per instance, stable across its restarts. */
  readonly instanceId: string;
  /** How often both stages snapshot each owned partition's state, ms; 0: never. Default: 60,000. */
  readonly snapshotIntervalMs?: number;
}

/**
 * What a step of a write is at when the fault hook is called: inside a flush's transaction
 * ('rows'), half-way through its checkpoint ('checkpoint'), or inside a dedupe stage's Kafka
 * transaction, its changes sent and its offsets not yet ('changes').
 */
export type FaultStep = 'rows' | 'checkpoint' | 'changes';

/** Where a run shows its result: the table, when it is worth showing. */
export interface JobReporter {
  /** The rows of these days as the sink database holds them: once at the end, and every 5 s of a live run with {@link liveTable}. Default: not shown. */
  readonly table?: (db: Knex, days: readonly string[], reading: string) => Promise<void>;
  /** Show the table every 5 s of a live run too (the CLI: when stdout is a terminal, or asked). Default: false. */
  readonly liveTable?: boolean;
}

/**
 * What a run is given by whoever starts it (the CLI, or a spec): the run reads nothing of the
 * process (no signals, no environment, no exit), and no clock of its own.
 */
export interface JobContext {
  readonly counters: PipelineCounters;
  /** Aborting it stops the run: the last rows are written, then a checkpoint. */
  readonly signal: AbortSignal;
  /** Now, epoch ms: "today", checkpoint stamps, durations. */
  readonly clock: () => number;
  /** Called at each step of each write (the fault specs' kill switch, or a delay they wait for). Default: nothing. */
  readonly fault?: (step: FaultStep) => void | Promise<void>;
  /** What the run tells: what it does, warnings, progress, at a level with fields (stderr for the CLI). */
  readonly log: Logger;
  readonly report: JobReporter;
}

/** asyncScheduler's timers with the run's clock: "today", stamps and flush intervals all read the time given. */
export function clockScheduler(clock: () => number): SchedulerLike {
  return { now: clock, schedule: asyncScheduler.schedule.bind(asyncScheduler) };
}
