import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS, ZERO_UUID, type MetadataRequestTopic, type MetadataResponseTopic } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** "Authorized operations were not requested" (v8+). */
const OPERATIONS_NOT_REQUESTED = -2147483648;
/**
 * What Kafka answers without an authorizer: every operation the resource type supports, as
 * a bitfield of AclOperation codes. A topic: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7,
 * DESCRIBE 8, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11. The cluster: CREATE 5, ALTER 7,
 * DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
 */
const TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((bits, op) => bits | (1 << op), 0);
const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);

/**
 * Metadata 0-12. One broker leads every partition (leader epoch 0). v0 asks for all topics
 * with an empty list, v1+ with null. Topics named in the request are auto-created when the
 * broker allows it and, from v4, the request does too. From v10 each topic carries its id
 * (v9 is served too, but no client we know uses it: see CLIENTS.md §1.2 item 5); from v12
 * a request may name a topic by id instead (never auto-created). Authorized operations
 * (v8+) are answered as Kafka does without an authorizer: everything the resource supports.
 */
export function metadataHandler(ctx: BrokerContext) {
  const describe = (name: string, withOperations: boolean): MetadataResponseTopic => {
    const topic = ctx.topics.describeTopic(name);
    const nodeId = ctx.topics.nodeId;
    return {
      errorCode: 0,
      name,
      topicId: topic.topicId,
      isInternal: topic.internal,
      partitions: Array.from({ length: topic.numPartitions }, (_, partitionIndex) => ({
        errorCode: 0,
        partitionIndex,
        leaderId: nodeId,
        leaderEpoch: 0,
        replicaNodes: [nodeId],
        isrNodes: [nodeId],
        offlineReplicas: [],
      })),
      topicAuthorizedOperations: withOperations ? TOPIC_OPERATIONS : OPERATIONS_NOT_REQUESTED,
    };
  };

  const failed = (errorCode: number, name: string | null, topicId: string = ZERO_UUID): MetadataResponseTopic => ({
    errorCode,
    name,
    topicId,
    isInternal: false,
    partitions: [],
  });

  return defineHandler({
    apiKey: API_KEYS.Metadata,
    minVersion: 0,
    maxVersion: 12,
    async handle(body, { header }) {
      const version = header.apiVersion;
      const withOperations = version >= 8 && body.includeTopicAuthorizedOperations === true;
      const wantsAll = body.topics === null || (version === 0 && body.topics.length === 0);
      const autoCreate = ctx.config.values['auto.create.topics.enable'] && (version < 4 || body.allowAutoTopicCreation);
      const byId = (t: MetadataRequestTopic) => t.topicId !== undefined && t.topicId !== ZERO_UUID;
      const topics: MetadataResponseTopic[] = [];
      if (wantsAll) {
        for (const topic of ctx.topics.listTopics()) topics.push(describe(topic.name, withOperations));
      } else if (version < 12 && body.topics!.some((t) => t.name === null || byId(t))) {
        // v10-11 carry the id and nullable name on the wire but may not use them; Kafka
        // fails the request, which gives every topic INVALID_REQUEST (names then never null).
        for (const t of body.topics!) topics.push(failed(kafkaErrorCode('INVALID_REQUEST'), t.name ?? '', t.topicId));
      } else {
        for (const t of body.topics!) {
          if (byId(t)) {
            const name = ctx.topics.topicNameById(t.topicId!);
            topics.push(name === undefined ? failed(kafkaErrorCode('UNKNOWN_TOPIC_ID'), null, t.topicId) : describe(name, withOperations));
            continue;
          }
          if (t.name === null) {
            topics.push(failed(kafkaErrorCode('INVALID_REQUEST'), null));
            continue;
          }
          try {
            if (autoCreate) await ctx.topics.getOrAutoCreateTopic(t.name);
            topics.push(describe(t.name, withOperations));
          } catch (error) {
            topics.push(failed(errorOf(error, ctx.logger).code, t.name));
          }
        }
      }
      return {
        throttleTimeMs: 0,
        brokers: [{ nodeId: ctx.topics.nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null }],
        clusterId: ctx.topics.clusterId,
        controllerId: ctx.topics.nodeId,
        topics,
        // v8-10 only: v11 moved it to DescribeCluster, and the field is not ignorable.
        ...(version >= 8 && version <= 10 && body.includeClusterAuthorizedOperations ? { clusterAuthorizedOperations: CLUSTER_OPERATIONS } : {}),
      };
    },
  });
}
