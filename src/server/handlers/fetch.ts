import { kafkaErrorCode } from '../../common/index.js';
import type { FetchPartitionRequest } from '../../partition/index.js';
import { API_KEYS, type FetchableTopicResponse, type FetchResponsePartitionData } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

const READ_COMMITTED = 1;

/**
 * Fetch 4-13. A full fetch every time (session id 0: no incremental sessions, and the
 * forgotten-topics list is moot), waiting for min_bytes or max_wait_ms. Batches are served as
 * stored, at least one whole batch. Without transactions the last stable offset is the high
 * watermark; aborted transactions are an empty list under read_committed and null otherwise,
 * as Kafka sends. From v13 topics are named by id, both ways; an id the broker does not know
 * (deleted, or never created) gets UNKNOWN_TOPIC_ID on each of its partitions, and the
 * request then answers at once rather than long-polling. Leader epochs in the request
 * (current v9+, last fetched v12+) are not checked: every partition's epoch is 0.
 */
export function fetchHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.Fetch,
    minVersion: 4,
    maxVersion: 13,
    async handle(body, { header, signal, afterWrite }) {
      const byId = header.apiVersion >= 13;
      // The topic each request entry names, or undefined for an unknown id.
      const names = body.topics.map((topic) => (byId ? ctx.topics.topicNameById(topic.topicId ?? '') : (topic.topic ?? '')));
      const partitions: FetchPartitionRequest[] = [];
      body.topics.forEach((topic, t) => {
        const name = names[t];
        if (name === undefined) return;
        for (const p of topic.partitions) {
          partitions.push({ topic: name, partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes });
        }
      });
      const unknownId = names.includes(undefined);
      const results = await ctx.topics.fetch({
        partitions,
        minBytes: body.minBytes,
        // The client's limit is a wish: the broker bounds what one response may hold in memory.
        maxBytes: Math.min(body.maxBytes, ctx.config.values['fetch.max.bytes']),
        maxWaitMs: unknownId ? 0 : body.maxWaitMs,
        signal,
      });
      // The records go out without a copy, straight from the buffers they were read into.
      afterWrite(() => {
        for (const result of results) result.release();
      });
      const abortedTransactions = body.isolationLevel === READ_COMMITTED ? [] : null;
      const responses: FetchableTopicResponse[] = [];
      let i = 0;
      body.topics.forEach((topic, t) => {
        const known = names[t] !== undefined;
        responses.push({
          ...(byId ? { topicId: topic.topicId } : { topic: topic.topic }),
          partitions: topic.partitions.map((p): FetchResponsePartitionData => {
            if (!known) {
              return {
                partitionIndex: p.partition,
                errorCode: kafkaErrorCode('UNKNOWN_TOPIC_ID'),
                highWatermark: -1n,
                lastStableOffset: -1n,
                logStartOffset: -1n,
                abortedTransactions,
                preferredReadReplica: -1,
                records: Buffer.alloc(0),
              };
            }
            const r = results[i++]!;
            return {
              partitionIndex: r.partition,
              errorCode: kafkaErrorCode(r.error),
              highWatermark: r.highWatermark,
              lastStableOffset: r.lastStableOffset,
              logStartOffset: r.logStartOffset,
              abortedTransactions,
              preferredReadReplica: -1,
              records: r.records,
            };
          }),
        });
      });
      return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses };
    },
  });
}
