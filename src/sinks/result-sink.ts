/** The edge where results go out: a database table, upserted flush by flush. */
import type { Flush } from '../operators/buffer-flush.ts';

/** Where flushes are written. */
export interface ResultSink {
  /** Writes one flush completely or not at all. */
  write(flush: Flush): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
