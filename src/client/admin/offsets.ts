import type { Cluster, TopicInfo } from '../cluster.js';
import { TidelogError } from '../errors.js';
import type { TopicPartition } from '../group/assignors.js';
import { commitOffsets, fetchCommittedOffsets, type CommittedOffset } from '../group/committed-offsets.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets, topicPartitionKey } from '../list-offsets.js';
import { describeGroups, type GroupDescription } from './groups.js';
import { CONNECTION_ERRORS, retryOn } from './requests.js';
import { checkGroupId, checkNames, checkOffset, checkTopicName, describe } from './validate.js';

/**
 * A group's offsets as an operator sees them (kafka-consumer-groups.sh): what it committed,
 * how far behind the log end it is, and moving its position while no member is running.
 */

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1n when the group has committed nothing for this partition. */
  committed: bigint;
  /** The high watermark; -1n when the topic no longer exists. */
  logEndOffset: bigint;
  /** logEndOffset − committed; null when either is unknown (kafka-consumer-groups.sh prints "-"). */
  lag: bigint | null;
  /** The member the partition is assigned to right now, if any. */
  member: { memberId: string; clientId: string; clientHost: string } | null;
}

export type ResetTarget = 'earliest' | 'latest' | { timestamp: bigint };

/** The group's committed offsets, for every partition of `topics` (-1n where none), or only those it has committed when topics is absent. */
export async function committedOffsets(cluster: Cluster, groupId: string, topics?: readonly string[]): Promise<CommittedOffset[]> {
  checkGroupId(groupId, 'committedOffsets');
  let partitions: TopicPartition[] | null = null;
  if (topics !== undefined) {
    const names = checkNames(topics, 'committedOffsets', checkTopicName);
    const known = await topicInfos(cluster);
    partitions = names.flatMap((name) => partitionsOf(known, name, 'committedOffsets'));
  }
  return sorted(await fetchCommittedOffsets(cluster, groupId, partitions));
}

/**
 * Commits `offsets` for a group without members (an admin commit, generation -1), the way
 * kafka-consumer-groups.sh --reset-offsets does; a group that does not exist yet is created.
 * NON_EMPTY_GROUP while members are joined: they would overwrite the offsets at once.
 */
export async function setOffsets(cluster: Cluster, groupId: string, offsets: readonly { topic: string; partition: number; offset: bigint }[]): Promise<void> {
  checkGroupId(groupId, 'setOffsets');
  if (!Array.isArray(offsets) || offsets.length === 0) throw new TidelogError('INVALID_REQUEST', `setOffsets: give a non-empty array of { topic, partition, offset }, not ${describe(offsets)}`);
  const known = await topicInfos(cluster);
  const seen = new Set<string>();
  for (const { topic, partition, offset } of offsets) {
    checkTopicName(topic, 'setOffsets');
    const count = known.get(topic)?.partitions.length;
    if (count === undefined) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `setOffsets: topic ${topic} does not exist`);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `setOffsets: topic ${topic} has partitions 0-${count - 1}, not ${describe(partition)}`);
    checkOffset(offset, `setOffsets: offset for ${topic}-${partition}`);
    const key = topicPartitionKey(topic, partition);
    if (seen.has(key)) throw new TidelogError('INVALID_REQUEST', `setOffsets: ${topic}-${partition} is listed twice`);
    seen.add(key);
  }
  await assertInactive(cluster, groupId);
  await commitOffsets(cluster, groupId, offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })));
}

/**
 * Moves the group to the earliest or latest offset of every partition of `topics`, or to the
 * first offset at or after a timestamp (the log end where no record is that late, as
 * kafka-consumer-groups.sh --to-datetime does). Resolves with the offsets committed.
 */
export async function resetOffsets(cluster: Cluster, groupId: string, topics: readonly string[], to: ResetTarget): Promise<{ topic: string; partition: number; offset: bigint }[]> {
  checkGroupId(groupId, 'resetOffsets');
  const names = checkNames(topics, 'resetOffsets', checkTopicName);
  const timestamp = targetTimestamp(to);
  const known = await topicInfos(cluster);
  const partitions = names.flatMap((name) => partitionsOf(known, name, 'resetOffsets'));
  const found = await listOffsets(cluster, partitions.map((p) => ({ ...p, timestamp })));
  const late = timestamp >= 0n ? partitions.filter((p) => found.get(topicPartitionKey(p.topic, p.partition))!.offset < 0n) : [];
  const ends = late.length > 0 ? await listOffsets(cluster, late.map((p) => ({ ...p, timestamp: LATEST_TIMESTAMP }))) : new Map();
  const offsets = partitions.map(({ topic, partition }) => {
    const key = topicPartitionKey(topic, partition);
    const offset = found.get(key)!.offset;
    return { topic, partition, offset: offset >= 0n ? offset : ends.get(key)!.offset };
  });
  await setOffsets(cluster, groupId, offsets);
  return offsets;
}

/**
 * Lag per partition: for every partition the group has committed or has assigned to a member,
 * and every partition of `topics` if given (only those topics then). GROUP_ID_NOT_FOUND for a
 * group with neither members nor committed offsets.
 */
export async function groupLag(cluster: Cluster, groupId: string, topics?: readonly string[]): Promise<PartitionLag[]> {
  checkGroupId(groupId, 'groupLag');
  const only = topics === undefined ? null : new Set(checkNames(topics, 'groupLag', checkTopicName));
  const [[group], committed, known] = await Promise.all([describeGroups(cluster, [groupId]), fetchCommittedOffsets(cluster, groupId, null), topicInfos(cluster)]);
  if (group!.state === 'Dead' && committed.length === 0) throw new TidelogError('GROUP_ID_NOT_FOUND', `groupLag: group ${groupId} does not exist`);

  const rows = new Map<string, PartitionLag>();
  const add = (topic: string, partition: number) => {
    const key = topicPartitionKey(topic, partition);
    if ((only === null || only.has(topic)) && !rows.has(key)) rows.set(key, { topic, partition, committed: -1n, logEndOffset: -1n, lag: null, member: null });
    return rows.get(key);
  };
  for (const name of only ?? []) for (const p of partitionsOf(known, name, 'groupLag')) add(p.topic, p.partition);
  for (const c of committed) {
    const row = c.offset >= 0n ? add(c.topic, c.partition) : undefined;
    if (row) row.committed = c.offset;
  }
  for (const [tp, member] of assigned(group!)) {
    const row = add(tp.topic, tp.partition);
    if (row) row.member = member;
  }

  // Partitions of topics deleted since the commit have no log end to ask for.
  const live = [...rows.values()].filter((r) => r.partition < (known.get(r.topic)?.partitions.length ?? 0));
  const ends = await listOffsets(cluster, live.map(({ topic, partition }) => ({ topic, partition, timestamp: LATEST_TIMESTAMP })));
  for (const row of live) {
    row.logEndOffset = ends.get(topicPartitionKey(row.topic, row.partition))!.offset;
    if (row.committed >= 0n) row.lag = row.logEndOffset - row.committed;
  }
  return sorted([...rows.values()]);
}

function* assigned(group: GroupDescription): Generator<[TopicPartition, NonNullable<PartitionLag['member']>]> {
  for (const m of group.members) {
    for (const tp of m.assignment ?? []) yield [tp, { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost }];
  }
}

/** Refuses to move the offsets of a group with members, as kafka-consumer-groups.sh does. */
async function assertInactive(cluster: Cluster, groupId: string): Promise<void> {
  const [group] = await describeGroups(cluster, [groupId]);
  if (group!.state !== 'Empty' && group!.state !== 'Dead') {
    throw new TidelogError('NON_EMPTY_GROUP', `group ${groupId} is ${group!.state} with ${group!.members.length} member(s); its offsets can only be set while it has none`);
  }
}

function targetTimestamp(to: ResetTarget): bigint {
  if (to === 'earliest') return EARLIEST_TIMESTAMP;
  if (to === 'latest') return LATEST_TIMESTAMP;
  if (to !== null && typeof to === 'object' && typeof to.timestamp === 'bigint' && to.timestamp >= 0n) return to.timestamp;
  throw new TidelogError('INVALID_REQUEST', `resetOffsets: reset to 'earliest', 'latest' or { timestamp: bigint ≥ 0n }, not ${describe(to)}`);
}

/** Every topic the cluster has (one uncached Metadata request), by name. */
async function topicInfos(cluster: Cluster): Promise<Map<string, TopicInfo>> {
  const topics = await retryOn(cluster, CONNECTION_ERRORS, () => cluster.listTopics());
  return new Map(topics.map((t) => [t.name, t]));
}

function partitionsOf(known: Map<string, TopicInfo>, topic: string, what: string): TopicPartition[] {
  const info = known.get(topic);
  if (info === undefined) throw new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `${what}: topic ${topic} does not exist`);
  return info.partitions.map((p) => ({ topic, partition: p.partition }));
}

function sorted<T extends TopicPartition>(rows: T[]): T[] {
  return rows.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}
