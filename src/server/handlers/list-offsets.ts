import { API_KEYS } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * ListOffsets 1-8: -1 latest, -2 earliest, -3 the record with the largest timestamp (v7's
 * addition), -4 the earliest local offset (v8's; with no tiered storage, the log start),
 * else the first offset at or after the timestamp (-1 if none). From v4 the answer carries
 * the leader epoch: 0, every partition's only epoch, or -1 when no offset was found. The
 * current leader epoch a v4+ request sends is not checked.
 */
export function listOffsetsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.ListOffsets,
    minVersion: 1,
    maxVersion: 8,
    async handle(body, { header }) {
      // LeaderEpoch is not ignorable: it may only be set from v4.
      const epoch = (found: boolean) => (header.apiVersion >= 4 ? { leaderEpoch: found ? 0 : -1 } : {});
      const topics = await Promise.all(
        body.topics.map(async (topic) => ({
          name: topic.name,
          partitions: await Promise.all(
            topic.partitions.map(async ({ partitionIndex, timestamp }) => {
              try {
                const listed = await ctx.topics.partition(topic.name, partitionIndex).listOffset(timestamp);
                return { partitionIndex, errorCode: 0, timestamp: listed.timestamp, offset: listed.offset, ...epoch(listed.offset >= 0n) };
              } catch (error) {
                return { partitionIndex, errorCode: errorOf(error, ctx.logger).code, timestamp: -1n, offset: -1n, ...epoch(false) };
              }
            }),
          ),
        })),
      );
      return { throttleTimeMs: 0, topics };
    },
  });
}
