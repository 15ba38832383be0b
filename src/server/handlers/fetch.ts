import { kafkaErrorCode } from '../../common/index.js';
import type { FetchPartitionRequest } from '../../partition/index.js';
import { API_KEYS, type FetchableTopicResponse } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

const READ_COMMITTED = 1;

/**
 * Fetch 4-11. A full fetch every time (session id 0: no incremental sessions), waiting
 * for min_bytes or max_wait_ms. Batches are served as stored, at least one whole batch.
 * Without transactions the last stable offset is the high watermark; aborted
 * transactions are an empty list under read_committed and null otherwise, as Kafka sends.
 */
export function fetchHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.Fetch,
    minVersion: 4,
    maxVersion: 11,
    async handle(body, { signal }) {
      const partitions: FetchPartitionRequest[] = [];
      for (const topic of body.topics) {
        for (const p of topic.partitions) {
          partitions.push({ topic: topic.topic ?? '', partition: p.partition, fetchOffset: p.fetchOffset, partitionMaxBytes: p.partitionMaxBytes });
        }
      }
      const results = await ctx.topics.fetch({ partitions, minBytes: body.minBytes, maxBytes: body.maxBytes, maxWaitMs: body.maxWaitMs, signal });
      const abortedTransactions = body.isolationLevel === READ_COMMITTED ? [] : null;
      const responses: FetchableTopicResponse[] = [];
      let i = 0;
      for (const topic of body.topics) {
        responses.push({
          topic: topic.topic,
          partitions: topic.partitions.map(() => {
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
      }
      return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses };
    },
  });
}
