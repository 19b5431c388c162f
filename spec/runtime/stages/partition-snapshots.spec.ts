/**
 * A partition that moves to another instance is restored from the snapshot its old owner saved,
 * and only the tail of its log after the snapshot is read again; a snapshot that cannot be used
 * makes the new owner rebuild the partition from its whole log, and say so.
 */
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as RdKafka from 'node-rdkafka';
import { lastValueFrom, tap } from 'rxjs';
import { expect, it } from 'vitest';
import { replayPartitions } from '../../../src/sources/partition-replay.ts';
import { asNextOffset, type NextOffset } from '../../../src/core/positions.ts';
import { runCli, scratchDir } from '../../support/cli.ts';
import { createTopic, KAFKA, produceFile, uniqueTopic } from '../../support/kafka.ts';
import { tutorialSqlOnMariaDb, type RawLine } from '../../support/mariadb-reference.ts';
import { MARIADB, useSpecDatabase } from '../../support/mysql.ts';
import { distinctOrders, numbered, writeLines } from '../../support/order-lines.ts';
import { becomesExact, linesOf, resultRows } from '../../support/result-rows.ts';
import { saysLine, stageInstances } from '../../support/stage-instances.ts';
import { describeWithService, isReachable } from '../../support/services.ts';

const reachable = (await isReachable(KAFKA)) && (await isReachable(MARIADB));
const DAY = '2021-03-25';
const BROKERS = `${KAFKA.host}:${KAFKA.port}`;
const startInstance = stageInstances(DAY);

/** Writes again every message of the snapshots topic with one byte of its state changed: every snapshot is now corrupt. */
async function corruptEverySnapshot(topic: string, partitions: number): Promise<number> {
  const Kafka = createRequire(import.meta.url)('node-rdkafka') as typeof RdKafka;
  const probe = new Kafka.KafkaConsumer({ 'metadata.broker.list': BROKERS, 'group.id': 'spec-probe' }, {});
  await new Promise<void>((resolve, reject) => probe.connect({ timeout: 10_000 }, (error) => (error ? reject(error) : resolve())));
  const until = new Map<number, NextOffset>();
  for (let partition = 0; partition < partitions; partition++) {
    const { highOffset } = await new Promise<RdKafka.WatermarkOffsets>((resolve, reject) => probe.queryWatermarkOffsets(topic, partition, 10_000, (error, offsets) => (error ? reject(error) : resolve(offsets))));
    until.set(partition, asNextOffset(highOffset));
  }
  await new Promise<void>((resolve) => probe.disconnect(() => resolve()));
  const copies: { partition: number; value: Buffer }[] = [];
  await lastValueFrom(replayPartitions({ brokers: BROKERS, topic, until }).pipe(tap((batch) => batch.items.forEach((item) => copies.push({ partition: item.partition, value: Buffer.from(item.value as Uint8Array) })))), { defaultValue: undefined });
  const producer = new Kafka.Producer({ 'metadata.broker.list': BROKERS, dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({}, (error) => (error ? reject(error) : resolve())));
  for (const { partition, value } of copies) {
    const header = JSON.parse(value.toString('utf8', 4, 4 + value.readUInt32LE(0))) as { partition: number; slot: number; chunk: number };
    value[value.length - 1] = value[value.length - 1]! ^ 0xff; // the last byte of its state
    producer.produce(topic, partition, value, `${header.partition}.${header.slot}.${header.chunk}`);
  }
  await new Promise<void>((resolve, reject) => producer.flush(10_000, (error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  return copies.length;
}

describeWithService(KAFKA, reachable, 'per-partition snapshots of the dedupe stage, on a real broker and MariaDB', () => {
  const rescale = useSpecDatabase();
  const corrupt = useSpecDatabase();

  it('a second instance joining after many orders restores the partitions it takes from snapshots and reads again only a short tail of their logs, and the table stays exact', async () => {
    const db = rescale.open();
    const file = join(scratchDir(), 'orders.jsonl');
    expect((await runCli(['generate', '--orders', '40000', '--seed', '41', '--day', DAY, '--out', file])).code).toBe(0);
    const lines = linesOf(file);
    const cut = Math.floor(lines.length * 0.8);
    const fileOf = (part: readonly RawLine[], name: string): string => {
      const path = join(scratchDir(), name);
      writeFileSync(path, `${part.map((l) => l.line).join('\n')}\n`);
      return path;
    };
    const topic = uniqueTopic('snap');
    await createTopic(topic, 4);
    await produceFile(topic, fileOf(lines.slice(0, cut), 'before.jsonl'));

    const first = startInstance(topic, rescale.url, 'first');
    await becomesExact(db, await tutorialSqlOnMariaDb(db, lines.slice(0, cut), DAY), 120_000);
    const second = startInstance(topic, rescale.url, 'second');
    const [, owned, replayed] = await saysLine(second, /dedupe stage owns \S+ partitions ([\d, ]+); state rebuilt from ([\d,]+) messages/, 120_000);
    // More orders once the partitions have moved: the restored states go on with them.
    await produceFile(topic, fileOf(lines.slice(cut), 'after.jsonl'));
    await becomesExact(db, await tutorialSqlOnMariaDb(db, lines, DAY), 120_000);

    const partitions = owned!.split(', ').map(Number);
    expect(partitions.length).toBeGreaterThan(0);
    for (const partition of partitions) expect(second.said()).toMatch(new RegExp(`restored ${topic} partition ${partition} from snapshot at offset [1-9]\\d* \\([1-9][\\d,]* orders\\), replayed [\\d,]+ messages in `));
    // The old owner saved them when it let them go, after its last write: next to nothing is read again.
    expect(first.said()).toMatch(/dedupe stage saved the snapshots of partitions [\d, ]+ \([1-9][\d,]* orders\)/);
    expect(Number(replayed!.replaceAll(',', ''))).toBeLessThan(cut * 0.05);
    first.child.kill('SIGTERM');
    second.child.kill('SIGTERM');
    for (const result of [await first.done, await second.done]) expect(result.code, result.stderr).toBe(0);
    expect(await resultRows(db)).toEqual(await tutorialSqlOnMariaDb(db, lines, DAY));
  }, 300_000);

  it('a corrupt snapshot is not restored: the new owner rebuilds the partition from its whole log, says so in one line, and the table is exact', async () => {
    const db = corrupt.open();
    const topic = uniqueTopic('snapbad');
    await createTopic(topic, 3);
    const firstOrders = distinctOrders({ count: 3000, day: DAY });
    const later = distinctOrders({ count: 3000, day: DAY, version: 2 }); // a new version of every order: a wrong state counts them twice
    await produceFile(topic, writeLines(firstOrders));

    const before = startInstance(topic, corrupt.url, 'before');
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered(firstOrders), DAY), 90_000);
    before.child.kill('SIGTERM');
    const stopped = await before.done;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toMatch(/dedupe stage saved the snapshots of partitions 0, 1, 2 \(3,000 orders\)/);
    expect(await corruptEverySnapshot(`${topic}-dedupe-snapshots`, 3)).toBeGreaterThanOrEqual(3);

    const after = startInstance(topic, corrupt.url, 'after');
    await saysLine(after, /dedupe stage owns/, 90_000);
    await produceFile(topic, writeLines(later));
    await becomesExact(db, await tutorialSqlOnMariaDb(db, numbered([...firstOrders, ...later]), DAY), 120_000);
    after.child.kill('SIGTERM');
    const result = await after.done;
    expect(result.code, result.stderr).toBe(0);
    for (const partition of [0, 1, 2]) {
      const lines = result.stderr.split('\n').filter((line) => line.includes(`${topic} partition ${partition} `));
      expect(lines).toEqual([expect.stringMatching(/^WARN  cannot restore \S+ partition \d from a snapshot \(its snapshot is incomplete or corrupt \(\d+ unusable\)\); rebuilt it from its log, [1-9][\d,]* messages$/)]);
    }
    expect(result.stderr).toMatch(/state rebuilt from 3,000 messages/);
  }, 240_000);
});
