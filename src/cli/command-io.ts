import type { Secrets } from './secrets.ts';

/** Where a command writes, and the environment it reads. */
export interface CommandIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** The command's secrets: each one it reads is added, and none reaches stdout or stderr. */
  readonly secrets?: Secrets;
}
