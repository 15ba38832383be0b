import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * OffsetCommit 2-5. Answered once the accepted offsets are durable. The retention time of
 * v2-4 is ignored: offsets.retention.minutes decides, as for v5 (KIP-211).
 */
export function offsetCommitHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.OffsetCommit,
    minVersion: 2,
    maxVersion: 5,
    async handle(body) {
      const result = await ctx.groups.commitOffsets({
        groupId: body.groupId,
        generationId: body.generationIdOrMemberEpoch ?? -1,
        memberId: body.memberId ?? '',
        groupInstanceId: null,
        topics: body.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata })),
        })),
      });
      return {
        throttleTimeMs: 0,
        topics: result.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: kafkaErrorCode(p.error) })) })),
      };
    },
  });
}
