import { describe, expect, it } from 'vitest';
import { brokerApiVersions, CLIENT_GROUP_MAX, outOfRange, sleep, spawnLines, unexpectedGroupVersions, waitFor } from './groups-tools.js';
import { useGroupTestBed, produceToThreePartitions, committedOffsets, expectedRecords } from './groups-testbed.js';
import { KCAT, kcatBase, runPython, uniqueTopic, type KcatMessage } from './tools.js';

/**
 * librdkafka 2.0.2 group consumers against a broker process: kcat 1.7.1's balanced consumer
 * (-G) and a confluent-kafka 1.7.0 Consumer that subscribe()s (test/compat/python/confluent_group.py).
 * Each reads a 3-partition topic from the beginning in a new group and commits; a second run
 * in the same group after more records are produced reads only those. Records are produced
 * and commits read back with kafkajs.
 */

const bed = useGroupTestBed('groups-librdkafka');

/**
 * `kcat -G group topic` until it has printed `count` records, then SIGTERM by PID: kcat
 * closes its consumer, which commits the stored offsets and leaves the group. kcat 1.7 has
 * no end-of-partition exit in -G mode, so the count bounds the run.
 */
async function kcatGroup(groupId: string, topic: string, count: number): Promise<KcatMessage[]> {
  const child = spawnLines(KCAT, [
    ...kcatBase(bed.gb.address),
    '-G',
    groupId,
    '-q',
    '-u', // unbuffered: kcat's stdout is a pipe here, and the records are counted as they come
    '-J',
    '-X',
    'auto.offset.reset=earliest',
    '-X',
    'auto.commit.interval.ms=200',
    '-X',
    'session.timeout.ms=6000',
    '-X',
    'fetch.wait.max.ms=100',
    topic,
  ]);
  try {
    await waitFor(`${count} records from kcat -G`, () => child.lines.length >= count, { detail: () => ({ lines: child.lines.length, stderr: child.stderr() }) });
    child.signal('SIGTERM');
    const exit = await Promise.race([child.closed, sleep(15_000).then(() => null)]);
    if (exit === null) throw new Error(`kcat -G did not exit within 15 s of SIGTERM\n${child.stderr()}`);
    expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
  } finally {
    await child.kill();
  }
  return child.lines.map((line) => JSON.parse(line) as KcatMessage);
}

interface ConfluentResult {
  received: [number, number, string][];
  assignments: number[][];
  commit_errors: string[];
  committed: Record<string, number>;
  errors: string[];
  logs: string[];
}

describe('librdkafka group consumers', () => {
  it('kcat -G reads every record of a new group from the beginning, commits on exit, and a second run reads only newer records', async () => {
    const topic = uniqueTopic('g-kcat');
    const groupId = uniqueTopic('g-kcat-group');
    await bed.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceToThreePartitions(bed.producer, topic, 10, 0);

    const first = await kcatGroup(groupId, topic, 30);
    expect(first.map((m) => `${m.partition}:${m.offset}=${m.payload}`).sort()).toEqual(expectedRecords({ 0: 0, 1: 0, 2: 0 }, 10));
    expect(await committedOffsets(bed.admin, groupId, topic)).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect((await bed.admin.describeGroups([groupId])).groups[0]).toMatchObject({ state: 'Empty', protocolType: 'consumer', members: [] });

    await produceToThreePartitions(bed.producer, topic, 4, 10);
    const second = await kcatGroup(groupId, topic, 12);
    expect(second.map((m) => `${m.partition}:${m.offset}=${m.payload}`).sort()).toEqual(expectedRecords({ 0: 10, 1: 10, 2: 10 }, 14));
    expect(await committedOffsets(bed.admin, groupId, topic)).toEqual({ 0: 14, 1: 14, 2: 14 });
  });

  it('a confluent-kafka Consumer that subscribe()s reads everything, commits synchronously, and a second run resumes from the commits', async () => {
    const topic = uniqueTopic('g-ck');
    const groupId = uniqueTopic('g-ck-group');
    await bed.admin.createTopics({ topics: [{ topic, numPartitions: 3 }] });
    await produceToThreePartitions(bed.producer, topic, 10, 0);

    const run = async (expect_: number) => (await runPython<ConfluentResult>('confluent_group.py', { bootstrap: bed.gb.address, topic, group: groupId, expect: expect_ })).result;
    const first = await run(30);
    const context = `librdkafka logs: ${JSON.stringify(first.logs)}, errors: ${JSON.stringify(first.errors)}`;
    expect(first.received.map(([p, o, v]) => `${p}:${o}=${v}`).sort(), context).toEqual(expectedRecords({ 0: 0, 1: 0, 2: 0 }, 10));
    expect(first.assignments.at(-1), context).toEqual([0, 1, 2]);
    expect(first.commit_errors, context).toEqual([]);
    expect(first.errors, context).toEqual([]);
    expect(first.committed).toEqual({ 0: 10, 1: 10, 2: 10 });
    expect(await committedOffsets(bed.admin, groupId, topic)).toEqual({ 0: 10, 1: 10, 2: 10 });

    await produceToThreePartitions(bed.producer, topic, 3, 10);
    const second = await run(9);
    expect(second.received.map(([p, o, v]) => `${p}:${o}=${v}`).sort(), JSON.stringify(second.logs)).toEqual(expectedRecords({ 0: 10, 1: 10, 2: 10 }, 13));
    expect(second.committed).toEqual({ 0: 13, 1: 13, 2: 13 });
    expect(await committedOffsets(bed.admin, groupId, topic)).toEqual({ 0: 13, 1: 13, 2: 13 });
    expect((await bed.admin.describeGroups([groupId])).groups[0]).toMatchObject({ state: 'Empty', members: [] });
  });

  it('sent every request within the advertised ranges, each group API at min(librdkafka max, broker max)', async () => {
    const ranges = await brokerApiVersions(bed.gb.broker.port);
    expect(outOfRange(bed.gb.versions(), ranges)).toEqual([]);
    // kcat's client id is librdkafka's default, "rdkafka".
    for (const client of ['rdkafka', 'compat-confluent-group']) {
      const seen = bed.gb.groupVersions(client);
      expect(Object.keys(seen), client).toEqual(expect.arrayContaining(['FindCoordinator', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'OffsetFetch', 'LeaveGroup']));
      expect(unexpectedGroupVersions(seen, CLIENT_GROUP_MAX.librdkafka, ranges), client).toEqual([]);
    }
    expect(unexpectedGroupVersions(bed.gb.groupVersions('groups-librdkafka'), CLIENT_GROUP_MAX.kafkajs, ranges)).toEqual([]);
  });
});
