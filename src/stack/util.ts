// Shared bits of the local stack: paths, the one-line error type, and command checks.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Repository root (two levels above src/stack). */
export const ROOT_DIR = path.resolve(here, '..', '..');
/** Git-ignored state of the local stack: jars, broker data, logs, pid file. */
export const STACK_DIR = path.join(ROOT_DIR, '.stack');
/** Checked-in Kafka files: pom.xml, log4j2.xml, server.properties. */
export const KAFKA_SRC_DIR = path.join(here, 'kafka');

/** An expected failure, shown to the user as one line without a stack trace. */
export class StackError extends Error {
  override readonly name = 'StackError';
}

/** Path relative to the repository root, for messages. */
export function rel(p: string): string {
  return path.relative(ROOT_DIR, p) || '.';
}

/** Throws a StackError with `hint` when `command` cannot be run; returns its `-version` style output. */
export function requireCommand(command: string, versionArgs: readonly string[], hint: string): string {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (result.error !== undefined) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new StackError(code === 'ENOENT' ? `${command} not found on PATH: ${hint}` : `${command}: ${result.error.message}`);
  }
  return `${result.stdout}${result.stderr}`;
}

/** Throws a StackError unless `java` on PATH is Java 17 or newer (Kafka 4 brokers need 17). */
export function requireJava17(): void {
  const out = requireCommand('java', ['-version'], 'Kafka 4 needs Java 17+ (apt-get install -y openjdk-17-jre-headless)');
  const match = /version "(\d+)(?:\.(\d+))?/.exec(out);
  const first = Number(match?.[1] ?? 0);
  const major = first === 1 ? Number(match?.[2] ?? 0) : first;
  if (major < 17) throw new StackError(`java on PATH is version ${major || 'unknown'}; Kafka 4 brokers need Java 17+`);
}
