import { API_KEYS, type MetadataResponseTopic } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * Metadata 0-6. One broker leads every partition. v0 asks for all topics with an empty
 * list, v1+ with null. Topics are auto-created when the broker allows it and, from v4, the
 * request does too.
 */
export function metadataHandler(ctx: BrokerContext) {
  const describe = (name: string): MetadataResponseTopic => {
    const topic = ctx.topics.describeTopic(name);
    const nodeId = ctx.topics.nodeId;
    return {
      errorCode: 0,
      name,
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
    };
  };

  return defineHandler({
    apiKey: API_KEYS.Metadata,
    minVersion: 0,
    maxVersion: 6,
    async handle(body, { header }) {
      const version = header.apiVersion;
      const wantsAll = body.topics === null || (version === 0 && body.topics.length === 0);
      const autoCreate = ctx.config.values['auto.create.topics.enable'] && (version < 4 || body.allowAutoTopicCreation);
      const topics: MetadataResponseTopic[] = [];
      if (wantsAll) {
        for (const topic of ctx.topics.listTopics()) topics.push(describe(topic.name));
      } else {
        for (const { name } of body.topics!) {
          if (name === null) continue;
          try {
            if (autoCreate) await ctx.topics.getOrAutoCreateTopic(name);
            topics.push(describe(name));
          } catch (error) {
            topics.push({ errorCode: errorOf(error, ctx.logger).code, name, isInternal: false, partitions: [] });
          }
        }
      }
      return {
        throttleTimeMs: 0,
        brokers: [{ nodeId: ctx.topics.nodeId, host: ctx.advertised.host, port: ctx.advertised.port, rack: null }],
        clusterId: ctx.topics.clusterId,
        controllerId: ctx.topics.nodeId,
        topics,
      };
    },
  });
}
