/**
 * The pause of a rebalance in a scaled-out run: one `--stage dedupe` instance reads a pre-filled
 * 6-partition topic to its end, then a second joins and takes half of the partitions. The pause
 * is what the new owner spends before it reads live (restoring and replaying the state of its
 * partitions, as its log line says) plus what the old owner spends letting them go (saving their
 * snapshots). Measured for a variant of the code (a checkout, extra flags), so that the code
 * before and after can run in turn in the same benchmark run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as RdKafka from 'node-rdkafka';
import { clientConfig, kafka, promised } from '../src/kafka/client.ts';
import { BENCH_DAY } from './recorded-file.ts';

const BROKERS = '127.0.0.1:9092';

/** Which code runs, and how. */
export interface PauseVariant {
  readonly label: string;
  /** The checkout whose `src/cli/tradeflow.js` runs. */
  readonly checkout: string;
  readonly extraArgs: readonly string[];
}

/** One measured rebalance. */
export interface PauseRun {
  readonly label: string;
  /** Seconds the new owner spent before reading live, from its log line. */
  readonly rebuildSeconds: number;
  /** Messages it read again to get there (the tail after a snapshot, or everything). */
  readonly replayed: number;
  /** Seconds the old owner spent on the revoke (saving snapshots), from its log line; 0 if none. */
  readonly revokeSeconds: number;
  /** rebuild + revoke. */
  readonly pauseSeconds: number;
}

/** Runs the rebalance for each variant in turn on the same topic, each in its own groups. */
export async function rebalancePauses(topic: string, messages: number, variants: readonly PauseVariant[]): Promise<PauseRun[]> {
  const runs: PauseRun[] = [];
  for (const variant of variants) runs.push(await oneRebalance(topic, messages, variant));
  return runs;
}

async function oneRebalance(topic: string, messages: number, variant: PauseVariant): Promise<PauseRun> {
  const group = `pause-${randomBytes(3).toString('hex')}`;
  const cli = join(variant.checkout, 'src/cli/tradeflow.js');
  const start = (id: string): { child: ChildProcess; log: { text: string } } => {
    const child = spawn(process.execPath, [cli, 'run', '--source', 'kafka', '--topic', topic, '--group', group, '--stage', 'dedupe', '--instance-id', id, '--as-of', `${BENCH_DAY} 00:00:00`, ...variant.extraArgs], {
      cwd: variant.checkout,
      env: { ...process.env, TRADEFLOW_LOG_FORMAT: 'text' }, // the lines read below, as a person reads them
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const log = { text: '' };
    child.stderr?.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
    return { child, log };
  };
  const first = start('first');
  const children = [first.child];
  try {
    const deadline = Date.now() + 1_800_000;
    // A query that times out on a busy machine reads as nothing read yet.
    while ((await committedTotal(topic, `${group}-dedupe`).catch(() => 0)) < messages) {
      if (first.child.exitCode !== null) throw new Error(`Cannot measure ${variant.label}: the first instance exited:\n${first.log.text}`);
      if (Date.now() > deadline) throw new Error(`Cannot measure ${variant.label}: the first instance never read the topic to its end`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    process.stderr.write(`bench: ${variant.label}: the first instance has read all ${messages.toLocaleString('en-US')} messages; a second joins\n`);
    const second = start('second');
    children.push(second.child);
    const line = await waitForLine(second, new RegExp(`dedupe stage owns \\S+ partitions [^;]*; state rebuilt from ([\\d,]+) messages in ${DURATION}`), 1_800_000);
    const rebuildSeconds = seconds(line[2]!);
    const revoke = new RegExp(`dedupe stage saved the snapshots of partitions [^(]*\\([^)]*\\) in ${DURATION} before letting them go`).exec(first.log.text);
    const revokeSeconds = revoke === null ? 0 : seconds(revoke[1]!);
    const replayed = Number(line[1]!.replaceAll(',', ''));
    if (process.env.TRADEFLOW_BENCH_LOGS !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      writeFileSync(`${process.env.TRADEFLOW_BENCH_LOGS}-first.log`, first.log.text);
      writeFileSync(`${process.env.TRADEFLOW_BENCH_LOGS}-second.log`, second.log.text);
    }
    process.stderr.write(`bench: ${variant.label}: rebuilt in ${rebuildSeconds.toFixed(2)} s from ${replayed.toLocaleString('en-US')} messages, revoke ${revokeSeconds.toFixed(2)} s\n`);
    return { label: variant.label, rebuildSeconds, replayed, revokeSeconds, pauseSeconds: rebuildSeconds + revokeSeconds };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  }
}

/** A duration as `formatDuration` writes it: "850 ms", "12.3 s", "4 min 05 s". */
export const DURATION = '(\\d+ min \\d+ s|[\\d.]+ ms|[\\d.]+ s)';

/** Seconds of a duration as `formatDuration` writes it. */
export function seconds(duration: string): number {
  const [, minutes, rest] = /^(?:(\d+) min )?([\d.]+ (?:ms|s))$/.exec(duration) ?? [];
  return Number(minutes ?? 0) * 60 + (rest?.endsWith(' ms') === true ? parseFloat(rest) / 1000 : parseFloat(rest ?? 'NaN'));
}

/** Resolves with the first match of `pattern` in the instance's log. */
export function waitForLine(instance: { child: ChildProcess; log: { text: string } }, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = (): void => {
      const found = pattern.exec(instance.log.text);
      if (found !== null) return resolve(found);
      if (instance.child.exitCode !== null || Date.now() > deadline) return reject(new Error(`Cannot wait for ${String(pattern)}; the instance said:\n${instance.log.text}`));
      setTimeout(check, 100);
    };
    check();
  });
}

/** The sum of the group's committed offsets over the topic's partitions (the messages it has read). */
export async function committedTotal(topic: string, group: string): Promise<number> {
  const Kafka = kafka();
  const client = new Kafka.KafkaConsumer({ ...clientConfig(BROKERS, 'bench-pause'), 'group.id': group, 'enable.auto.commit': false }, {});
  await promised((done) => client.connect({ topic, timeout: 10_000 }, done));
  try {
    const wanted = Array.from({ length: 6 }, (_, partition) => ({ topic, partition }));
    const found = await promised<RdKafka.TopicPartitionOffset[]>((done) => client.committed(wanted, 10_000, done));
    return found.reduce((sum, { offset }) => sum + Math.max(0, offset ?? 0), 0);
  } finally {
    await promised((done) => client.disconnect(done));
  }
}
