import { describe, expect, it } from 'vitest';
import { brokerApiVersions, outOfRange } from './groups-tools.js';
import { useGroupTestBed, produceToThreePartitions, committedOffsets, expectedRecords } from './groups-testbed.js';
import { runPython, uniqueTopic } from './tools.js';

/**
 * kafka-python 2.0.2 group consumer against a broker process (test/compat/python/kafka_python_group.py):
 * a KafkaConsumer subscribed in a new group reads a 3-partition topic from the beginning and
 * commits; a second run in the same group reads only what was produced since. Records are
 * produced and commits read back with kafkajs.
 */

const bed = useGroupTestBed('groups-kafka-python');

interface Result {
  received: [number, number, string][];
  assigned: number[];
  committed: Record<string, number>;
  api_version: number[];
}

describe('kafka-python group consumer', () => {
  it('reads everything in a new group, commits, and a second run resumes from the commits', async () => {
    const topic = uniqueTopic('g-kp');
    const groupId = uniqueTopic('g-kp-group');
    await bed.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceToThreePartitions(bed.producer, topic, 10, 0);

    const run = async (count: number) => (await runPython<Result>('kafka_python_group.py', { bootstrap: bed.gb.address, topic, group: groupId, expect: count })).result;
    const first = await run(30);
    expect(first.received.map(([p, o, v]) => `${p}:${o}=${v}`).sort()).toEqual(expectedRecords({ 0: 0, 1: 0, 2: 0 }, 10));
    expect(first.assigned).toEqual([0, 1, 2]);
    expect(first.committed).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect(await committedOffsets(bed.admin, groupId, topic)).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect((await bed.admin.describeGroups([groupId])).groups[0]).toMatchObject({ state: 'Empty', protocolType: 'consumer', members: [] });

    await produceToThreePartitions(bed.producer, topic, 3, 10);
    const second = await run(9);
    expect(second.received.map(([p, o, v]) => `${p}:${o}=${v}`).sort()).toEqual(expectedRecords({ 0: 10, 1: 10, 2: 10 }, 13));
    expect(second.committed).toEqual({ 0: 13, 1: 13, 2: 13 });
    expect(await committedOffsets(bed.admin, groupId, topic)).toEqual({ 0: 13, 1: 13, 2: 13 });
  });

  it('sent every request within the advertised ranges (kafka-python picks group versions from the broker version it infers)', async () => {
    const ranges = await brokerApiVersions(bed.gb.broker.port);
    expect(outOfRange(bed.gb.versions(), ranges)).toEqual([]);
    const seen = bed.gb.groupVersions('compat-kafka-python-group');
    expect(Object.keys(seen)).toEqual(expect.arrayContaining(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'OffsetFetch', 'LeaveGroup']));
  });
});
