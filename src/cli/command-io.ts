/** What a command is given: where it writes, and the environment it reads. */

/** Where a command writes, and the environment it reads. */
export interface CommandIO {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env: NodeJS.ProcessEnv;
}
