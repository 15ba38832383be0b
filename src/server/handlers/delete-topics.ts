import { TidelogError } from '../../common/index.js';
import { API_KEYS, ZERO_UUID, type DeleteTopicsResponseDeletableTopicResult } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * DeleteTopics 0-6: each topic's files are removed before it is reported deleted. v0-5 name
 * topics; v6 names each by name or by id (not both), and answers with both. With
 * delete.topic.enable=false, v3+ answer TOPIC_DELETION_DISABLED for every topic, as Kafka
 * does; earlier versions get the topic manager's INVALID_REQUEST.
 */
export function deleteTopicsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.DeleteTopics,
    minVersion: 0,
    maxVersion: 6,
    async handle(body, { header }) {
      const version = header.apiVersion;
      const disabled = version >= 3 && !ctx.topics.brokerConfig.values['delete.topic.enable'];
      const wanted = version >= 6 ? (body.topics ?? []) : (body.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
      const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
      for (const { name, topicId = ZERO_UUID } of wanted) {
        const byId = topicId !== ZERO_UUID;
        try {
          if (disabled) throw new TidelogError('TOPIC_DELETION_DISABLED', 'topic deletion is disabled (delete.topic.enable=false)');
          if (byId && name !== null) throw new TidelogError('INVALID_REQUEST', 'give a topic name or a topic id, not both');
          if (!byId && name === null) throw new TidelogError('INVALID_REQUEST', 'a topic to delete needs a name or an id');
          const target = byId ? ctx.topics.topicNameById(topicId) : name!;
          if (target === undefined) throw new TidelogError('UNKNOWN_TOPIC_ID', `no topic has id ${topicId}`);
          const deleted = await ctx.topics.deleteTopic(target);
          responses.push({ name: deleted.name, topicId: deleted.topicId, errorCode: 0, errorMessage: null });
        } catch (error) {
          const { code, message } = errorOf(error, ctx.logger);
          // Names are nullable only from v6; an unknown id has no name.
          responses.push({ name: name ?? (version >= 6 ? null : ''), topicId, errorCode: code, errorMessage: message });
        }
      }
      return { throttleTimeMs: 0, responses };
    },
  });
}
