import { TidelogError } from '../../common/index.js';
import { API_KEYS, type CreateTopicsRequestCreatableTopic, type CreateTopicsResponseCreatableTopicResult } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** Manual replica assignments are honoured only as what one broker can hold: each partition on this node. */
function partitionCount(topic: CreateTopicsRequestCreatableTopic, nodeId: number): number {
  if (topic.assignments.length === 0) return topic.numPartitions;
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    throw new TidelogError('INVALID_REQUEST', 'give either replica assignments or a partition count and replication factor, not both');
  }
  for (const assignment of topic.assignments) {
    if (assignment.brokerIds.length !== 1 || assignment.brokerIds[0] !== nodeId) {
      throw new TidelogError('INVALID_REPLICA_ASSIGNMENT', `partition ${assignment.partitionIndex} must be assigned to broker ${nodeId} alone`);
    }
  }
  return topic.assignments.length;
}

/**
 * CreateTopics 0-7. -1 partitions or replication factor mean the broker's defaults. From v5
 * each result also carries the topic's partition count, replication factor and effective
 * configuration with each value's source (KIP-525), and from v7 its id (all zeros for
 * validate_only, as in Kafka).
 */
export function createTopicsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.CreateTopics,
    minVersion: 0,
    maxVersion: 7,
    async handle(body, { header }) {
      const version = header.apiVersion;
      const counts = new Map<string, number>();
      for (const topic of body.topics) counts.set(topic.name, (counts.get(topic.name) ?? 0) + 1);
      const topics: CreateTopicsResponseCreatableTopicResult[] = [];
      for (const topic of body.topics) {
        try {
          if (counts.get(topic.name)! > 1) throw new TidelogError('INVALID_REQUEST', `topic ${topic.name} appears more than once in the request`);
          const configs = Object.fromEntries(topic.configs.filter((c) => c.value !== null).map((c) => [c.name, c.value!]));
          const created = await ctx.topics.createTopic(
            { name: topic.name, numPartitions: partitionCount(topic, ctx.topics.nodeId), replicationFactor: topic.assignments.length > 0 ? 1 : topic.replicationFactor, configs },
            { validateOnly: body.validateOnly },
          );
          topics.push({
            name: topic.name,
            topicId: created.topicId,
            errorCode: 0,
            errorMessage: null,
            // The fields below are ignorable: versions before 5 drop them.
            numPartitions: created.numPartitions,
            replicationFactor: created.replicationFactor,
            configs: created.configEntries.map((entry) => ({
              name: entry.name,
              value: entry.value,
              readOnly: entry.readOnly,
              configSource: entry.source,
              isSensitive: entry.isSensitive,
            })),
          });
        } catch (error) {
          const { code, message } = errorOf(error, ctx.logger);
          // Kafka's error result: no id, -1 counts, an empty configuration.
          topics.push({ name: topic.name, errorCode: code, errorMessage: version >= 1 ? message : null, numPartitions: -1, replicationFactor: -1, configs: [] });
        }
      }
      return { throttleTimeMs: 0, topics };
    },
  });
}
