/** Runs the real `tradeflow` command in a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const BIN = new URL('../../src/cli/tradeflow.js', import.meta.url).pathname;

/** The tutorial's sample stream, kept in the repository so that a clone anywhere has it. */
export const SAMPLE = new URL('../fixtures/orders-sample.jsonl', import.meta.url).pathname;

/** What a finished command left. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  /** The log's lines without their times (`INFO  message`, `ERROR message`): what a spec can compare. */
  readonly stderr: string;
  /** stderr as written. */
  readonly log: string;
}

/** The time that starts each text log line (`2026-12-02 10:00:00.123 `): the part of a line no spec can know. */
const TEXT_LOG_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /gm;

/**
 * Starts `tradeflow args...` (another copy's command with `bin`); the caller waits for it with
 * {@link finished}. Its log is text (a spawned process's stderr is no terminal: JSON by default)
 * unless `env` says otherwise.
 */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, bin = BIN): ChildProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TRADEFLOW_')));
  return spawn(process.execPath, [bin, ...args], { env: { ...clean, TRADEFLOW_LOG_FORMAT: 'text', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a started command to exit. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr: stderr.replace(TEXT_LOG_TIME, ''), log: stderr })));
}

/** Runs `tradeflow args...` to its end. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, bin = BIN): Promise<CliResult> {
  return finished(startCli(args, env, bin));
}

/** A fresh folder for a test's files. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'tradeflow-spec-'));
}

/** All rows of a table of a SQLite file, in key order. */
export function sqliteRows(file: string, sql: string): Record<string, unknown>[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}
