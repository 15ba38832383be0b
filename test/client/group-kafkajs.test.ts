import { Kafka, logLevel, type Consumer, type ConsumerGroupJoinEvent } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeAssignment, roundRobinAssignor, type TopicPartition } from '../../src/client/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';
import type { RawClient } from '../server/raw-client.js';
import { disposeMembers, key, newMember, partitionsOf, until, type TestMember, GROUP_BROKER_SETTINGS } from './group-helpers.js';

/**
 * A GroupMembership and a kafkajs 2.2.4 consumer in one group, each way round: with us as
 * leader, kafkajs must read the assignment we encode (and we its subscription); with kafkajs
 * as leader, we must read its assignment (and it our JoinGroup). kafkajs names its only
 * assignor "RoundRobinAssigner", so our member offers Kafka's roundrobin under that name.
 */

const TOPIC = 'shared';
const ALL = partitionsOf(TOPIC, 6);
const kafkajsRoundRobin = { ...roundRobinAssignor, name: 'RoundRobinAssigner' };

let broker: TestBroker;
let raw: RawClient;
let kafka: Kafka;
const consumers: Consumer[] = [];

beforeAll(async () => {
  broker = await startTestBroker(GROUP_BROKER_SETTINGS);
  raw = await broker.connect();
  await createTopics(raw, [{ name: TOPIC, partitions: 6 }]);
  kafka = new Kafka({ clientId: 'kafkajs-member', brokers: [`127.0.0.1:${broker.broker.port}`], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
});
afterEach(async () => {
  for (const consumer of consumers.splice(0)) await consumer.disconnect().catch(() => undefined);
  await disposeMembers();
});
afterAll(async () => {
  await broker.stop();
});

/** A running kafkajs consumer of TOPIC in `groupId`, and its latest join as it reported it. */
async function kafkajsMember(groupId: string): Promise<{ lastJoin: () => ConsumerGroupJoinEvent['payload'] | null }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 100, maxWaitTimeInMs: 100 });
  consumers.push(consumer);
  let last: ConsumerGroupJoinEvent['payload'] | null = null;
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    last = event.payload;
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC });
  await consumer.run({ eachMessage: async () => undefined });
  return { lastJoin: () => last };
}

async function ourMember(groupId: string): Promise<TestMember> {
  return newMember(broker.broker.port, { groupId, topics: [TOPIC], assignors: [kafkajsRoundRobin], sessionTimeoutMs: 10_000, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 10_000 });
}

/** The group as the broker sees it, each member's assignment decoded by our codec. */
async function describe2(groupId: string): Promise<{ state: string; members: Map<string, TopicPartition[]> }> {
  const group = (await raw.request(API_KEYS.DescribeGroups, 5, { groups: [groupId] })).groups[0]!;
  return { state: group.groupState, members: new Map(group.members.map((m) => [m.memberId, decodeAssignment(m.memberAssignment).partitions])) };
}

/** Both members agree with the broker on a stable, disjoint and complete split. */
async function bothSettled(groupId: string, ours: TestMember, theirs: { lastJoin: () => ConsumerGroupJoinEvent['payload'] | null }): Promise<boolean> {
  const join = theirs.lastJoin();
  if (!ours.membership.active || join === null) return false;
  const group = await describe2(groupId);
  if (group.state !== 'Stable' || group.members.size !== 2 || !group.members.has(join.memberId)) return false;
  const kafkajsView = (join.memberAssignment[TOPIC] ?? []).map((partition) => ({ topic: TOPIC, partition }));
  const sameAsBroker = (a: TopicPartition[], b: TopicPartition[] = []) => a.map(key).sort().join() === b.map(key).sort().join();
  if (!sameAsBroker(ours.membership.assignment, group.members.get(ours.membership.memberId))) return false;
  if (!sameAsBroker(kafkajsView, group.members.get(join.memberId))) return false;
  const all = [...ours.membership.assignment, ...kafkajsView].map(key);
  return all.length === ALL.length && new Set(all).size === all.length;
}

describe('a group shared with kafkajs', () => {
  it('we lead: kafkajs reads the assignment we encode', async () => {
    const ours = await ourMember('we-lead');
    expect((await ours.membership.join()).map(key).sort()).toEqual(ALL.map(key).sort());
    ours.poll();
    const theirs = await kafkajsMember('we-lead');
    await until('both members stable with a disjoint, complete split', () => bothSettled('we-lead', ours, theirs));
    expect(ours.membership.isLeader).toBe(true);
    expect(theirs.lastJoin()).toMatchObject({ isLeader: false, groupProtocol: 'RoundRobinAssigner' });
    expect(ours.membership.assignment).toHaveLength(3);
    expect(ours.errors).toEqual([]);
  });

  it('kafkajs leads: we read the assignment kafkajs encodes', async () => {
    const theirs = await kafkajsMember('they-lead');
    await until('kafkajs alone with every partition', () => Object.values(theirs.lastJoin()?.memberAssignment ?? {}).flat().length === 6);
    const ours = await ourMember('they-lead');
    ours.poll();
    await until('both members stable with a disjoint, complete split', () => bothSettled('they-lead', ours, theirs));
    expect(ours.membership.isLeader).toBe(false);
    expect(theirs.lastJoin()).toMatchObject({ isLeader: true, groupProtocol: 'RoundRobinAssigner' });
    expect(ours.membership.assignment).toHaveLength(3);
    expect(ours.errors).toEqual([]);
  });
});
