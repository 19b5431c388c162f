/** Scaled-out instances for specs: `--stage both` runs of a topic, each killed after its test if it still runs. */
import type { ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';
import { finished, startCli, type CliResult } from './cli.ts';

/** A started instance: its process, its end, and what its stderr has said so far. */
export interface StageInstance {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
  readonly said: () => string;
}

/**
 * Registers the kill of every instance left running after each test (a failing test would leave
 * them in their groups), and returns how to start one: `--stage both` of the group named as the
 * topic, counting the day `day`, flushing every 200 ms (with `env` added to its environment, e.g.
 * a TRADEFLOW_FAULT, and `args` to its arguments).
 */
export function stageInstances(day: string): (topic: string, url: string, id: string, env?: NodeJS.ProcessEnv, args?: readonly string[]) => StageInstance {
  const running = new Set<ChildProcess>();
  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
    running.clear();
  });
  return (topic, url, id, env = {}, args = []) => {
    const child = startCli(['run', '--source', 'kafka', '--topic', topic, '--group', topic, '--stage', 'both', '--instance-id', id, '--db', url, '--as-of', `${day} 00:00:00`, '--flush-interval', '200', ...args], env);
    running.add(child);
    child.on('exit', () => running.delete(child));
    let text = '';
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { child, done: finished(child), said: () => text };
  };
}

/** Resolves with the match once what `instance` has said matches `pattern`; throws (with all it said) if it exits or `timeoutMs` pass first. */
export async function saysLine(instance: Pick<StageInstance, 'child' | 'said'>, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = pattern.exec(instance.said());
    if (found !== null) return found;
    if (instance.child.exitCode !== null || Date.now() > deadline) throw new Error(`Cannot wait longer for ${String(pattern)}; the instance said:\n${instance.said()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
