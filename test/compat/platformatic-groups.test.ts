import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  Admin,
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shutdownBroker, startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { makeTempDir } from '../helpers/tmp-dir.js';
import { uniqueTopic } from './tools.js';

/**
 * @platformatic/kafka 1.35.0 (its last release for Node 20) in a consumer group, against a
 * broker process. That release implements only the flexible group versions: FindCoordinator
 * 4-6, JoinGroup 6-9, SyncGroup 4-5, Heartbeat 4, LeaveGroup 4-5, OffsetCommit 8-9,
 * OffsetFetch 8-9, and for its Admin ListGroups 4-5, DescribeGroups 5, DeleteGroups 2. For
 * each API it uses the highest version inside the broker's range that it implements, so it
 * sends our maxima; every request is recorded from its own diagnostics channel and the tests
 * pin those versions. Everything here is platformatic: Admin, Producer, and the streaming
 * consumer (Consumer.consume), which always joins its group.
 */

/** platformatic publishes every request it sends on this tracing channel, with apiKey and apiVersion. */
const SENDS = 'tracing:plt:kafka:connections:api:start';
const API_NAMES: Record<number, string> = {
  8: 'OffsetCommit',
  9: 'OffsetFetch',
  10: 'FindCoordinator',
  11: 'JoinGroup',
  12: 'Heartbeat',
  13: 'LeaveGroup',
  14: 'SyncGroup',
  15: 'DescribeGroups',
  16: 'ListGroups',
  42: 'DeleteGroups',
};
const sent = new Map<string, Set<number>>();
const onSend = (message: unknown) => {
  const { apiKey, apiVersion } = message as { apiKey: number; apiVersion: number };
  const name = API_NAMES[apiKey];
  if (name) sent.set(name, (sent.get(name) ?? new Set()).add(apiVersion));
};
const versionsSent = (api: string) => [...(sent.get(api) ?? [])].sort((a, b) => a - b);

/** No initial rebalance delay (Kafka waits 3 s for more members of an empty group); a small __consumer_offsets. */
const SETTINGS = { 'group.initial.rebalance.delay.ms': '0', 'offsets.topic.num.partitions': '5' };
const PARTITIONS = [0, 1, 2];
const WAIT_MS = 30_000;

let broker: BrokerProcess;
let configDir: { dir: string; cleanup: () => Promise<void> };
let admin: Admin;
let producer: Producer<string, string, string, string>;

const client = (clientId: string) => ({ clientId, bootstrapBrokers: [broker.address], retries: 3, retryDelay: 100 });

beforeAll(async () => {
  subscribe(SENDS, onSend);
  configDir = await makeTempDir('tidelog-plt-groups-');
  const file = join(configDir.dir, 'server.properties');
  await writeFile(file, Object.entries(SETTINGS).map(([k, v]) => `${k}=${v}\n`).join(''));
  broker = await startBrokerProcess({ args: ['--config', file] });
  admin = new Admin(client('plt-groups-admin'));
  producer = new Producer({ ...client('plt-groups-producer'), serializers: stringSerializers });
});
afterAll(async () => {
  unsubscribe(SENDS, onSend);
  await producer?.close().catch(() => undefined);
  await admin?.close().catch(() => undefined);
  try {
    await shutdownBroker(broker);
  } finally {
    await configDir?.cleanup();
  }
});

async function waitFor(what: string, done: () => boolean, detail: () => unknown = () => ''): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what} (${JSON.stringify(detail(), (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v))})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `count` records on each partition, values `p<partition>-<n>` from `from` on. */
async function produce(topic: string, count: number, from: number): Promise<void> {
  const messages = PARTITIONS.flatMap((partition) => Array.from({ length: count }, (_, i) => ({ topic, partition, key: `k${partition}`, value: `p${partition}-${from + i}` })));
  await producer.send({ messages, acks: -1 });
}

/** What `produce` wrote from `from` up to (not including) `to` on every partition, as "partition:offset=value". */
const expected = (from: number, to: number) => PARTITIONS.flatMap((p) => Array.from({ length: to - from }, (_, i) => `${p}:${from + i}=p${p}-${from + i}`)).sort();
const describeMessage = (m: Message<string, string, string, string>) => `${m.partition}:${m.offset}=${m.value}`;

function groupConsumer(clientId: string, groupId: string): Consumer<string, string, string, string> {
  // Heartbeats every 500 ms, so a member learns of a rebalance quickly.
  return new Consumer({ ...client(clientId), groupId, sessionTimeout: 10_000, rebalanceTimeout: 20_000, heartbeatInterval: 500, deserializers: stringDeserializers });
}

/** A consuming stream that resumes from the group's commits (from the beginning without any), committing nothing by itself. */
function consume(consumer: Consumer<string, string, string, string>, topic: string): Promise<MessagesStream<string, string, string, string>> {
  return consumer.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST, autocommit: false, maxWaitTime: 100 });
}

/** Reads `count` records from the stream, committing each one, then closes the stream. */
async function readAndCommit(stream: MessagesStream<string, string, string, string>, count: number): Promise<string[]> {
  const seen: string[] = [];
  try {
    const reading = (async () => {
      for await (const message of stream) {
        seen.push(describeMessage(message));
        await message.commit();
        if (seen.length >= count) break;
      }
    })();
    await Promise.race([reading, waitFor(`${count} records`, () => seen.length >= count, () => seen)]);
    await reading;
  } finally {
    await stream.close();
  }
  return seen;
}

/** The partitions of `topic` the consumer was assigned in its group's current generation. */
function assigned(consumer: Consumer<string, string, string, string>, topic: string): number[] {
  return (consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions).sort((a, b) => a - b);
}

describe('@platformatic/kafka 1.35.0 consumer in a group', () => {
  it('consumes a 3-partition topic from the beginning, commits and leaves; a second consumer resumes from the commits', async () => {
    const topic = uniqueTopic('plt-group');
    const groupId = uniqueTopic('plt-group-id');
    const untouched = uniqueTopic('plt-group-none');
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
    await produce(topic, 10, 0);

    const first = groupConsumer('plt-first', groupId);
    try {
      const stream = await consume(first, topic);
      // The only member: the leader assigns itself every partition.
      expect(assigned(first, topic)).toEqual(PARTITIONS);
      const described = (await admin.describeGroups({ groups: [groupId] })).get(groupId)!;
      expect(described).toMatchObject({ id: groupId, state: 'STABLE', protocolType: 'consumer', protocol: 'roundrobin' });
      expect([...described.members.values()]).toEqual([expect.objectContaining({ id: first.memberId, clientId: 'plt-first', groupInstanceId: null, clientHost: '/127.0.0.1' })]);
      expect([...described.members.values()][0]!.assignments!.get(topic)!.partitions).toEqual(PARTITIONS);

      const seen = await readAndCommit(stream, 30);
      expect(seen.sort()).toEqual(expected(0, 10));
      // OffsetFetch v8 from the member itself: the next offset to read, on every partition.
      expect((await first.listCommittedOffsets({ topics: [{ topic, partitions: PARTITIONS }] })).get(topic)).toEqual([10n, 10n, 10n]);
    } finally {
      // close() leaves the group (LeaveGroup v5).
      await first.close(true);
    }
    const empty = (await admin.describeGroups({ groups: [groupId] })).get(groupId)!;
    expect(empty).toMatchObject({ state: 'EMPTY', protocolType: 'consumer' });
    expect(empty.members.size).toBe(0);

    await produce(topic, 3, 10);
    const second = groupConsumer('plt-second', groupId);
    try {
      const seen = await readAndCommit(await consume(second, topic), 9);
      // Exactly what came after the commits: nothing read twice.
      expect(seen.sort()).toEqual(expected(10, 13));
    } finally {
      await second.close(true);
    }

    // Admin: ListGroups v5 (states and the "classic" type filter), OffsetFetch v8 for two groups at once.
    const listed = await admin.listGroups({ states: ['EMPTY'] });
    expect(listed.get(groupId)).toEqual({ id: groupId, state: 'EMPTY', groupType: 'classic', protocolType: 'consumer' });
    expect([...(await admin.listGroups({ states: ['STABLE'] })).keys()]).not.toContain(groupId);
    const offsets = await admin.listConsumerGroupOffsets({ groups: [groupId, untouched] });
    expect(offsets.map((g) => ({ groupId: g.groupId, topics: g.topics.map((t) => ({ name: t.name, offsets: t.partitions.map((p) => [p.partitionIndex, p.committedOffset]) })) }))).toEqual([
      { groupId, topics: [{ name: topic, offsets: PARTITIONS.map((p) => [p, 13n]) }] },
      { groupId: untouched, topics: [] },
    ]);

    // DeleteGroups v2: the group and its offsets go.
    await admin.deleteGroups({ groups: [groupId] });
    expect([...(await admin.listGroups()).keys()]).not.toContain(groupId);
    expect((await admin.describeGroups({ groups: [groupId] })).get(groupId)).toMatchObject({ state: 'DEAD' });

    expect(versionsSent('FindCoordinator')).toEqual([4]);
    expect(versionsSent('JoinGroup')).toEqual([9]);
    expect(versionsSent('SyncGroup')).toEqual([5]);
    expect(versionsSent('LeaveGroup')).toEqual([5]);
    expect(versionsSent('OffsetCommit')).toEqual([8]);
    expect(versionsSent('OffsetFetch')).toEqual([8]);
    expect(versionsSent('ListGroups')).toEqual([5]);
    expect(versionsSent('DescribeGroups')).toEqual([5]);
    expect(versionsSent('DeleteGroups')).toEqual([2]);
  });

  it('two consumers share the partitions through a rebalance (Heartbeat v4), and the survivor takes them all back', async () => {
    const topic = uniqueTopic('plt-share');
    const groupId = uniqueTopic('plt-share-id');
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 });
    await produce(topic, 5, 0);

    const a = groupConsumer('plt-a', groupId);
    const b = groupConsumer('plt-b', groupId);
    const seen = new Set<string>();
    const drain = async (stream: MessagesStream<string, string, string, string>) => {
      for await (const message of stream) seen.add(describeMessage(message));
    };
    const draining: Promise<void>[] = [];
    try {
      const streamA = await consume(a, topic);
      draining.push(drain(streamA));
      expect(assigned(a, topic)).toEqual(PARTITIONS);
      const generation = a.generationId;

      // b joins: a hears REBALANCE_IN_PROGRESS on its next heartbeat, rejoins, and both get a share.
      const streamB = await consume(b, topic);
      draining.push(drain(streamB));
      await waitFor('a and b to share the partitions', () => assigned(a, topic).length > 0 && assigned(b, topic).length > 0 && a.generationId === b.generationId, () => [
        assigned(a, topic),
        assigned(b, topic),
      ]);
      expect(a.generationId).toBeGreaterThan(generation);
      expect([...assigned(a, topic), ...assigned(b, topic)].sort()).toEqual(PARTITIONS);
      const described = (await admin.describeGroups({ groups: [groupId] })).get(groupId)!;
      expect(described.state).toBe('STABLE');
      expect([...described.members.keys()].sort()).toEqual([a.memberId, b.memberId].sort());

      // Between them they read every record (at least once: nothing is committed here).
      await waitFor('every record', () => expected(0, 5).every((r) => seen.has(r)), () => [...seen].sort());

      // b leaves: a takes every partition back in the next generation.
      const shared = a.generationId;
      await b.close(true);
      await waitFor('a to own every partition again', () => assigned(a, topic).length === 3 && a.generationId! > shared!, () => assigned(a, topic));
      expect([...(await admin.describeGroups({ groups: [groupId] })).get(groupId)!.members.keys()]).toEqual([a.memberId]);
      await produce(topic, 2, 5);
      await waitFor('the records produced after the rebalance', () => expected(5, 7).every((r) => seen.has(r)), () => [...seen].sort());
    } finally {
      // b has usually left already; closing it again is a no-op. Closing ends the streams.
      await Promise.allSettled([b.close(true), a.close(true)]);
      await Promise.allSettled(draining);
    }
    expect(versionsSent('Heartbeat')).toEqual([4]);
    expect(versionsSent('JoinGroup')).toEqual([9]);
  });
});
