import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * OffsetCommit 2-8. Answered once the accepted offsets are durable. The retention time of
 * v2-4 is ignored: offsets.retention.minutes decides, as for v5 (KIP-211). v6 adds each
 * partition's leader epoch, which is stored and given back by OffsetFetch v5+; v7 adds
 * group.instance.id, checked as for the other group requests; v8 is the first flexible
 * version. v9 is not served: it is the version for KIP-848's consumer groups, whose member
 * epochs this broker does not have.
 */
export function offsetCommitHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.OffsetCommit,
    minVersion: 2,
    maxVersion: 8,
    async handle(body, { header }) {
      const version = header.apiVersion;
      const result = await ctx.groups.commitOffsets({
        groupId: body.groupId,
        generationId: body.generationIdOrMemberEpoch ?? -1,
        memberId: body.memberId ?? '',
        groupInstanceId: version >= 7 ? (body.groupInstanceId ?? null) : null,
        topics: body.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            offset: p.committedOffset,
            leaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
            metadata: p.committedMetadata,
          })),
        })),
      });
      return {
        throttleTimeMs: 0,
        topics: result.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: kafkaErrorCode(p.error) })) })),
      };
    },
  });
}
