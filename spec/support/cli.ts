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
  readonly stderr: string;
}

/** Starts `tradeflow args...` (another copy's command with `bin`); the caller waits for it with {@link finished}. */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, bin = BIN): ChildProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('TRADEFLOW_')));
  return spawn(process.execPath, [bin, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for a started command to exit. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
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
