/** Kafka for specs: the broker of `npm run stack:up`, driven through the real `tradeflow` command. */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { runCli } from './cli.ts';
import type { Service } from './services.ts';

/** The broker of `npm run stack:up`. */
export const KAFKA: Service = { name: 'Kafka', host: '127.0.0.1', port: 9092 };

/** A topic name of its own for a spec. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Creates a topic with `tradeflow topic create`. */
export async function createTopic(topic: string, partitions: number): Promise<void> {
  const result = await runCli(['topic', 'create', '--topic', topic, '--partitions', String(partitions)]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

/** Produces a file's lines with `tradeflow produce`; returns what it printed. */
export async function produceFile(topic: string, file: string): Promise<string> {
  const result = await runCli(['produce', '--topic', topic, '--file', file]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}
