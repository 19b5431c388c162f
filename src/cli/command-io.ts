import type { Logger } from '../core/log.ts';
import type { Secrets } from './secrets.ts';

/** Where a command writes, and the environment it reads. */
export interface CommandIO {
  /** Output: a command's result (help, summary, tables), plain text on stdout. */
  readonly stdout: (line: string) => void;
  /** Everything else a command tells: records at a level, with fields (stderr). */
  readonly log: Logger;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal: the live table's `auto`. Default: false. */
  readonly stdoutIsTerminal?: boolean;
  /** The command's secrets: each one it reads is added, and none reaches stdout or the log. */
  readonly secrets?: Secrets;
}
