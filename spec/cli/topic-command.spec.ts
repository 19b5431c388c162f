import { expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';
import { createTopic, KAFKA, uniqueTopic } from '../support/kafka.ts';
import { describeWithService, isReachable } from '../support/services.ts';

const reachable = await isReachable(KAFKA);

describeWithService(KAFKA, reachable, 'tradeflow topic create, on a real broker', () => {
  it('makes the changes topic of --stages-of with as many partitions as the orders topic already has', async () => {
    const topic = uniqueTopic('existing');
    const group = uniqueTopic('shop');
    await createTopic(topic, 3);
    const result = await runCli(['topic', 'create', '--topic', topic, '--partitions', '6', '--stages-of', group]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(`topic ${topic} already exists, with 3 partition(s)\ncreated topic ${group}-changes with 3 partition(s)`);
  }, 60_000);

  it('leaves an existing topic as it is and says how many partitions it has', async () => {
    const topic = uniqueTopic('again');
    await createTopic(topic, 2);
    const result = await runCli(['topic', 'create', '--topic', topic, '--partitions', '5']);
    expect(result.stdout.trim()).toBe(`topic ${topic} already exists, with 2 partition(s)`);
  }, 60_000);
});
