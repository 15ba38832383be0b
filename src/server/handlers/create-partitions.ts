import { API_KEYS } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** CreatePartitions 0-3 (v2 is v1 made flexible, v3 the same): raises a topic's partition count; new partitions start empty. */
export function createPartitionsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.CreatePartitions,
    minVersion: 0,
    maxVersion: 3,
    async handle(body) {
      const results = [];
      for (const topic of body.topics) {
        try {
          await ctx.topics.createPartitions(topic.name, topic.count, { validateOnly: body.validateOnly });
          results.push({ name: topic.name, errorCode: 0, errorMessage: null });
        } catch (error) {
          const { code, message } = errorOf(error, ctx.logger);
          results.push({ name: topic.name, errorCode: code, errorMessage: message });
        }
      }
      return { throttleTimeMs: 0, results };
    },
  });
}
