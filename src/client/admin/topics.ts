import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS, ZERO_UUID } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import { errorFromCode, TidelogError } from '../errors.js';
import { CONNECTION_ERRORS, retryOn, throwFailures, toController } from './requests.js';
import { checkInt32, checkNames, checkTopicName, describe } from './validate.js';

/**
 * Topics: create (CreateTopics 2-7), delete (DeleteTopics 1-6, by name), list and describe
 * (Metadata), grow (CreatePartitions 0-3). Creating, deleting and growing go to the controller.
 * Per-topic failures reject the call with a TidelogError carrying the Kafka code; when several
 * topics fail, the code is the first one's and the message lists them all. Every change drops
 * the cluster's cached metadata for the topics it touched.
 */

export interface NewTopic {
  topic: string;
  /** Default: the broker's num.partitions. */
  numPartitions?: number;
  /** Default: the broker's default.replication.factor. */
  replicationFactor?: number;
  /** Topic configs by Kafka name, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string>;
}

export interface CreateTopicsOptions {
  /** Check that the topics could be created, and create nothing. */
  validateOnly?: boolean;
  /** How long the broker may take; default 30 000. */
  timeoutMs?: number;
  /** Skip topics that exist already instead of failing with TOPIC_ALREADY_EXISTS. */
  ignoreExisting?: boolean;
}

export interface CreatedTopic {
  topic: string;
  /** 32 hex digits; zeros with validateOnly or from a broker before CreateTopics v7. */
  topicId: string;
  /** -1 from a broker before CreateTopics v5. */
  numPartitions: number;
  replicationFactor: number;
}

export interface DeleteTopicsOptions {
  timeoutMs?: number;
  /** Skip topics that don't exist instead of failing with UNKNOWN_TOPIC_OR_PARTITION. */
  ignoreMissing?: boolean;
}

export interface PartitionDescription {
  partition: number;
  /** Node id of the leader; -1 while there is none. */
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicDescription {
  name: string;
  /** 32 hex digits; zeros from a broker that answers Metadata below v10. */
  topicId: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

export interface NewPartitions {
  topic: string;
  /** The new total partition count (not the number to add). */
  count: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Creates topics; resolves with what was created (topics skipped by ignoreExisting left out). */
export async function createTopics(cluster: Cluster, topics: readonly NewTopic[], options: CreateTopicsOptions = {}): Promise<CreatedTopic[]> {
  if (!Array.isArray(topics) || topics.length === 0) throw new TidelogError('INVALID_REQUEST', `createTopics: give a non-empty array of topics, not ${describe(topics)}`);
  checkNames(topics.map((t) => t?.topic), 'createTopics', checkTopicName);
  const request = topics.map((t) => ({
    name: t.topic,
    numPartitions: t.numPartitions === undefined ? -1 : checkInt32(t.numPartitions, 1, 'INVALID_PARTITIONS', `createTopics: numPartitions of ${t.topic}`),
    replicationFactor: t.replicationFactor === undefined ? -1 : checkInt32(t.replicationFactor, 1, 'INVALID_REPLICATION_FACTOR', `createTopics: replicationFactor of ${t.topic}`),
    assignments: [],
    configs: Object.entries(checkConfigs(t.configs, t.topic)).map(([name, value]) => ({ name, value })),
  }));
  const timeoutMs = checkInt32(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 0, 'INVALID_REQUEST', 'createTopics: timeoutMs');
  const validateOnly = options.validateOnly ?? false;

  const response = await toController(cluster, async (connection) => {
    const answer = await connection.request(API_KEYS.CreateTopics, { topics: request, timeoutMs, validateOnly }, { timeoutMs: connection.requestTimeoutMs + timeoutMs });
    const moved = answer.topics.find((t) => t.errorCode === kafkaErrorCode('NOT_CONTROLLER'));
    if (moved) throw errorFromCode(moved.errorCode, 'CreateTopics', moved.errorMessage);
    return answer;
  });
  for (const t of topics) cluster.invalidate(t.topic);

  const created: CreatedTopic[] = [];
  const failures: { name: string; error: TidelogError }[] = [];
  for (const t of response.topics) {
    const error = errorFromCode(t.errorCode, `createTopics: ${t.name}`, t.errorMessage);
    if (error?.code === 'TOPIC_ALREADY_EXISTS' && options.ignoreExisting) continue;
    if (error) failures.push({ name: t.name, error });
    else created.push({ topic: t.name, topicId: t.topicId ?? ZERO_UUID, numPartitions: t.numPartitions ?? -1, replicationFactor: t.replicationFactor ?? -1 });
  }
  throwFailures('createTopics', failures);
  return created;
}

/** Deletes topics by name; resolves once the broker reports each deleted. */
export async function deleteTopics(cluster: Cluster, names: readonly string[], options: DeleteTopicsOptions = {}): Promise<void> {
  const topics = checkNames(names, 'deleteTopics', checkTopicName);
  const timeoutMs = checkInt32(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 0, 'INVALID_REQUEST', 'deleteTopics: timeoutMs');
  const response = await toController(cluster, async (connection) => {
    // v6 names topics in `topics` (by name or id); earlier versions in `topicNames`.
    const byName = connection.versionOf(API_KEYS.DeleteTopics) >= 6 ? { topics: topics.map((name) => ({ name, topicId: ZERO_UUID })) } : { topicNames: topics };
    const answer = await connection.request(API_KEYS.DeleteTopics, { ...byName, timeoutMs }, { timeoutMs: connection.requestTimeoutMs + timeoutMs });
    const moved = answer.responses.find((t) => t.errorCode === kafkaErrorCode('NOT_CONTROLLER'));
    if (moved) throw errorFromCode(moved.errorCode, 'DeleteTopics', moved.errorMessage);
    return answer;
  });
  for (const name of topics) cluster.invalidate(name);
  const failures: { name: string; error: TidelogError }[] = [];
  for (const t of response.responses) {
    const name = t.name ?? t.topicId ?? '?';
    const error = errorFromCode(t.errorCode, `deleteTopics: ${name}`, t.errorMessage);
    if (error?.code === 'UNKNOWN_TOPIC_OR_PARTITION' && options.ignoreMissing) continue;
    if (error) failures.push({ name, error });
  }
  throwFailures('deleteTopics', failures);
}

/** Topic names, sorted; internal topics (e.g. __consumer_offsets) only with includeInternal. */
export async function listTopics(cluster: Cluster, options: { includeInternal?: boolean } = {}): Promise<string[]> {
  const topics = await retryOn(cluster, CONNECTION_ERRORS, () => cluster.listTopics());
  return topics
    .filter((t) => options.includeInternal === true || !t.isInternal)
    .map((t) => t.name)
    .sort();
}

/** Partitions, leaders, replicas and ISR of each topic, in the order asked. UNKNOWN_TOPIC_OR_PARTITION for a missing one. */
export async function describeTopics(cluster: Cluster, names: readonly string[]): Promise<TopicDescription[]> {
  const wanted = checkNames(names, 'describeTopics', checkTopicName);
  // A topic created a moment ago may have no leader yet: that alone is worth asking again.
  const response = await retryOn(cluster, new Set([...CONNECTION_ERRORS, 'LEADER_NOT_AVAILABLE']), async () => {
    const connection = await cluster.anyConnection();
    const answer = await connection.request(API_KEYS.Metadata, { topics: wanted.map((name) => ({ name })), allowAutoTopicCreation: false });
    const electing = answer.topics.find((t) => t.errorCode === kafkaErrorCode('LEADER_NOT_AVAILABLE'));
    if (electing) throw errorFromCode(electing.errorCode, `describeTopics: ${electing.name}`);
    return answer;
  });
  const byName = new Map(response.topics.map((t) => [t.name, t]));
  const failures: { name: string; error: TidelogError }[] = [];
  const described: TopicDescription[] = [];
  for (const name of wanted) {
    const t = byName.get(name);
    const error = t === undefined ? new TidelogError('UNKNOWN_TOPIC_OR_PARTITION', `describeTopics: ${name} is missing from the broker's answer`) : errorFromCode(t.errorCode, `describeTopics: ${name}`);
    if (error || t === undefined) {
      failures.push({ name, error: error! });
      continue;
    }
    described.push({
      name,
      topicId: t.topicId ?? ZERO_UUID,
      isInternal: t.isInternal ?? false,
      partitions: t.partitions
        .map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, leaderEpoch: p.leaderEpoch ?? -1, replicas: p.replicaNodes, isr: p.isrNodes, offlineReplicas: p.offlineReplicas ?? [] }))
        .sort((a, b) => a.partition - b.partition),
    });
  }
  throwFailures('describeTopics', failures);
  return described;
}

/** Raises each topic's partition count to `count`. */
export async function createPartitions(cluster: Cluster, topics: readonly NewPartitions[], options: { validateOnly?: boolean; timeoutMs?: number } = {}): Promise<void> {
  if (!Array.isArray(topics) || topics.length === 0) throw new TidelogError('INVALID_REQUEST', `createPartitions: give a non-empty array of { topic, count }, not ${describe(topics)}`);
  checkNames(topics.map((t) => t?.topic), 'createPartitions', checkTopicName);
  const request = topics.map((t) => ({ name: t.topic, count: checkInt32(t.count, 1, 'INVALID_PARTITIONS', `createPartitions: count of ${t.topic}`), assignments: null }));
  const timeoutMs = checkInt32(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 0, 'INVALID_REQUEST', 'createPartitions: timeoutMs');
  const response = await toController(cluster, async (connection) => {
    const answer = await connection.request(API_KEYS.CreatePartitions, { topics: request, timeoutMs, validateOnly: options.validateOnly ?? false }, { timeoutMs: connection.requestTimeoutMs + timeoutMs });
    const moved = answer.results.find((t) => t.errorCode === kafkaErrorCode('NOT_CONTROLLER'));
    if (moved) throw errorFromCode(moved.errorCode, 'CreatePartitions', moved.errorMessage);
    return answer;
  });
  for (const t of topics) cluster.invalidate(t.topic);
  throwFailures(
    'createPartitions',
    response.results.flatMap((t) => {
      const error = errorFromCode(t.errorCode, `createPartitions: ${t.name}`, t.errorMessage);
      return error ? [{ name: t.name, error }] : [];
    }),
  );
}

function checkConfigs(configs: unknown, topic: string): Record<string, string> {
  if (configs === undefined) return {};
  if (configs === null || typeof configs !== 'object' || Array.isArray(configs)) throw new TidelogError('INVALID_CONFIG', `createTopics: configs of ${topic} must be an object of name → string value`);
  for (const [name, value] of Object.entries(configs)) {
    if (typeof value !== 'string') throw new TidelogError('INVALID_CONFIG', `createTopics: config ${name} of ${topic} must be a string, not ${describe(value)}`);
  }
  return configs as Record<string, string>;
}
