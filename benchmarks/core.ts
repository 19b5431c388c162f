/** The core benchmark: a recorded file through the whole pipeline into an embedded database. */
import { rmSync } from 'node:fs';
import { createCounters, type PipelineCounters } from '../src/core/batch.ts';
import { openDatabase, parseDatabase } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migration-source.ts';
import { runPipeline } from '../src/runtime/run-pipeline.ts';
import { databaseSink } from '../src/sinks/database-sink.ts';
import { fileSource } from '../src/sources/file-source.ts';

/** Replays `path` for `day` into a fresh SQLite file; returns the counters and the elapsed ms. */
export async function replayIntoSqlite(path: string, day: string, dbFile: string): Promise<{ counters: PipelineCounters; ms: number }> {
  rmSync(dbFile, { force: true });
  const db = openDatabase(parseDatabase(`sqlite:${dbFile}`));
  await migrateToLatest(db);
  const counters = createCounters();
  const started = performance.now();
  await runPipeline({
    source: fileSource(path),
    sink: databaseSink(db, { counters, formatTime: (ms) => new Date(ms).toISOString() }),
    days: { kind: 'fixed', day },
    zone: 'UTC',
    counters,
  });
  const ms = performance.now() - started;
  await db.destroy();
  return { counters, ms };
}
