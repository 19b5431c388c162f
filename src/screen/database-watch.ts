/** Whether the database answers: `select 1` now and then, for the screen's status and `/healthz`. */
import type { Knex } from 'knex';

/** Options of {@link watchDatabase}. */
export interface DatabaseWatchOptions {
  /** How often to ask. Default: 2000 ms. */
  readonly intervalMs?: number;
  /** A database that has not answered by then counts as down. Default: 3000 ms. */
  readonly timeoutMs?: number;
}

/** A database being watched. */
export interface DatabaseWatch {
  /** The answer of the last check. */
  state(): 'up' | 'down';
  stop(): void;
}

/** Asks the database at once, then every interval; resolves after the first answer. */
export async function watchDatabase(db: Knex, options: DatabaseWatchOptions = {}): Promise<DatabaseWatch> {
  const { intervalMs = 2000, timeoutMs = 3000 } = options;
  let state = await answers(db, timeoutMs);
  let checking = false;
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void answers(db, timeoutMs).then((answer) => {
      state = answer;
      checking = false;
    });
  }, intervalMs);
  timer.unref();
  return { state: () => state, stop: () => clearInterval(timer) };
}

/** `up` when `select 1` answers in time. */
async function answers(db: Knex, timeoutMs: number): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'down'>((resolve) => (timer = setTimeout(() => resolve('down'), timeoutMs)));
  try {
    return await Promise.race([db.raw('select 1').then(() => 'up' as const), timeout]);
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
