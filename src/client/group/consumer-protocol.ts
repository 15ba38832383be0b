// Derived from Apache Kafka's message schemas ConsumerProtocolSubscription.json and
// ConsumerProtocolAssignment.json (https://github.com/apache/kafka,
// clients/src/main/resources/common/message/, Kafka 3.5+), Apache License 2.0. The field data
// keeps Kafka's names, version ranges and defaults.

import { messageCodec, Reader, Writer, type Decoded, type MessageSchema } from '../../protocol/index.js';
import { TidelogError } from '../errors.js';
import { compareStrings, type TopicPartition } from './assignors.js';

/**
 * The bytes of Kafka's "consumer" protocol type, which the broker stores and passes on without
 * reading: each member's subscription (JoinGroup protocol metadata) and the assignment the
 * leader hands each member (SyncGroup). Both are an int16 version followed by the message at
 * that version, not flexible at any version.
 *
 * Reading: every version is accepted. A version newer than ours is read with our newest
 * layout, as Kafka's ConsumerProtocol does (new versions only append fields). A message that
 * does not fit its declared version is read with the older layouts in turn, because some
 * clients (kafkajs custom assigners) write a version number without that version's fields.
 * An empty assignment (what the broker gives a member the leader left out) is no partitions.
 *
 * Writing: version 1 of both, as librdkafka and Kafka 2.4+ write, which kafkajs,
 * kafka-python and every Java client read (kafkajs and kafka-python read v0's fields and
 * ignore the rest).
 */

export const SUBSCRIPTION_VERSION = 1;
export const ASSIGNMENT_VERSION = 1;

const TOPIC_PARTITION_FIELDS = (versions: string) => [
  { name: 'Topic', type: 'string', versions },
  { name: 'Partitions', type: '[]int32', versions },
];

export const ConsumerProtocolSubscriptionSchema: MessageSchema<ConsumerProtocolSubscription> = {
  type: 'data',
  name: 'ConsumerProtocolSubscription',
  // Version 1 adds OwnedPartitions, so an assignor can know what each member owned.
  // Version 2 adds GenerationId, to tell whether a member's OwnedPartitions are out of date.
  // Version 3 adds RackId (KIP-881, rack-aware assignment).
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'Topics', type: '[]string', versions: '0+' },
    { name: 'UserData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: 'null' },
    { name: 'OwnedPartitions', type: '[]TopicPartition', versions: '1+', ignorable: true, fields: TOPIC_PARTITION_FIELDS('1+') },
    { name: 'GenerationId', type: 'int32', versions: '2+', default: '-1', ignorable: true },
    { name: 'RackId', type: 'string', versions: '3+', nullableVersions: '3+', default: 'null', ignorable: true },
  ],
};

export interface ConsumerProtocolSubscription {
  /** The topics the member wants to consume. (v0+) */
  topics: string[];
  /** Data for the assignor, passed to the leader as is. (v0+; nullable; default null) */
  userData?: Buffer | null;
  /** The partitions the member owns. (v1+; ignorable) */
  ownedPartitions?: { topic: string; partitions: number[] }[];
  /** The generation of the owned partitions. (v2+; default -1; ignorable) */
  generationId?: number;
  /** The member's rack. (v3+; nullable; default null; ignorable) */
  rackId?: string | null;
}

export const ConsumerProtocolAssignmentSchema: MessageSchema<ConsumerProtocolAssignment> = {
  type: 'data',
  name: 'ConsumerProtocolAssignment',
  // Versions 2 and 3 change nothing here; they follow the subscription's versions.
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'AssignedPartitions', type: '[]TopicPartition', versions: '0+', fields: TOPIC_PARTITION_FIELDS('0+') },
    { name: 'UserData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: 'null' },
  ],
};

export interface ConsumerProtocolAssignment {
  /** The partitions assigned to the member, by topic. (v0+) */
  assignedPartitions: { topic: string; partitions: number[] }[];
  /** Data from the assignor. (v0+; nullable; default null) */
  userData?: Buffer | null;
}

const NEWEST = 3;

export interface Subscription {
  version: number;
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartition[];
  generationId: number;
  rackId: string | null;
}

export interface Assignment {
  version: number;
  partitions: TopicPartition[];
  userData: Buffer | null;
}

function encodeVersioned<T>(schema: MessageSchema<T>, version: number, value: T): Buffer {
  const w = new Writer(64);
  w.int16(version);
  messageCodec(schema, version).write(w, value);
  return w.finish();
}

/** The declared version and the message, read with the newest layout that fits. */
function decodeVersioned<T>(schema: MessageSchema<T>, bytes: Buffer): { version: number; value: Decoded<T> } {
  const r = new Reader(bytes);
  const version = r.int16();
  if (version < 0) throw new TidelogError('INVALID_REQUEST', `${schema.name}: negative version ${version}`);
  let lastError: unknown;
  for (let layout = Math.min(version, NEWEST); layout >= 0; layout--) {
    try {
      return { version, value: messageCodec(schema, layout).read(new Reader(bytes, 2)) };
    } catch (error) {
      lastError ??= error;
    }
  }
  throw lastError;
}

/** Topic-partitions grouped by topic (topics and partitions sorted), the wire's shape. */
export function groupByTopic(partitions: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = topics.get(topic);
    if (list === undefined) topics.set(topic, (list = []));
    list.push(partition);
  }
  return [...topics.keys()].sort(compareStrings).map((topic) => ({ topic, partitions: topics.get(topic)!.sort((a, b) => a - b) }));
}

function flatten(groups: readonly { topic: string; partitions: readonly number[] }[]): TopicPartition[] {
  return groups.flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })));
}

export function encodeSubscription(
  subscription: { topics: readonly string[]; userData?: Buffer | null; ownedPartitions?: readonly TopicPartition[]; generationId?: number; rackId?: string | null },
  version = SUBSCRIPTION_VERSION,
): Buffer {
  return encodeVersioned(ConsumerProtocolSubscriptionSchema, version, {
    topics: [...subscription.topics],
    userData: subscription.userData ?? null,
    ownedPartitions: groupByTopic(subscription.ownedPartitions ?? []),
    generationId: subscription.generationId ?? -1,
    rackId: subscription.rackId ?? null,
  });
}

export function decodeSubscription(bytes: Buffer): Subscription {
  const { version, value } = decodeVersioned(ConsumerProtocolSubscriptionSchema, bytes);
  return {
    version,
    topics: value.topics,
    userData: value.userData,
    ownedPartitions: flatten(value.ownedPartitions),
    generationId: value.generationId,
    rackId: value.rackId,
  };
}

export function encodeAssignment(partitions: readonly TopicPartition[], options: { userData?: Buffer | null; version?: number } = {}): Buffer {
  return encodeVersioned(ConsumerProtocolAssignmentSchema, options.version ?? ASSIGNMENT_VERSION, {
    assignedPartitions: groupByTopic(partitions),
    userData: options.userData ?? null,
  });
}

export function decodeAssignment(bytes: Buffer): Assignment {
  if (bytes.length === 0) return { version: 0, partitions: [], userData: null };
  const { version, value } = decodeVersioned(ConsumerProtocolAssignmentSchema, bytes);
  return { version, partitions: flatten(value.assignedPartitions), userData: value.userData };
}
