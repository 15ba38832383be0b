import { API_KEYS } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** ListOffsets 1-3: -1 latest, -2 earliest, else the first offset at or after the timestamp (-1 if none). */
export function listOffsetsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.ListOffsets,
    minVersion: 1,
    maxVersion: 3,
    async handle(body) {
      const topics = await Promise.all(
        body.topics.map(async (topic) => ({
          name: topic.name,
          partitions: await Promise.all(
            topic.partitions.map(async ({ partitionIndex, timestamp }) => {
              try {
                const listed = await ctx.topics.partition(topic.name, partitionIndex).listOffset(timestamp);
                return { partitionIndex, errorCode: 0, timestamp: listed.timestamp, offset: listed.offset };
              } catch (error) {
                return { partitionIndex, errorCode: errorOf(error, ctx.logger).code, timestamp: -1n, offset: -1n };
              }
            }),
          ),
        })),
      );
      return { throttleTimeMs: 0, topics };
    },
  });
}
