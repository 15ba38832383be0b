import { API_KEYS } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** DeleteTopics 0-1: each topic's files are removed before it is reported deleted. */
export function deleteTopicsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.DeleteTopics,
    minVersion: 0,
    maxVersion: 1,
    async handle(body) {
      const responses = [];
      for (const name of body.topicNames ?? []) {
        try {
          await ctx.topics.deleteTopic(name);
          responses.push({ name, errorCode: 0 });
        } catch (error) {
          responses.push({ name, errorCode: errorOf(error, ctx.logger).code });
        }
      }
      return { throttleTimeMs: 0, responses };
    },
  });
}
