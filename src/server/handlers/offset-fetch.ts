import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { FetchedOffset } from '../../partition/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

const partitionOf = (p: FetchedOffset) => ({
  partitionIndex: p.partitionIndex,
  committedOffset: p.offset,
  committedLeaderEpoch: p.leaderEpoch,
  metadata: p.metadata,
  errorCode: kafkaErrorCode(p.error),
});

/**
 * OffsetFetch 1-8. A partition without a commit has offset -1; null topics (v2+) ask for
 * every committed partition. v1 has no top-level error: a group-level one goes on every
 * partition. v5 adds the committed leader epoch; v6 is the first flexible version; v7's
 * RequireStable never gets UNSTABLE_OFFSET_COMMIT here: there are no transactional commits.
 * v8 (KIP-709) asks for several groups at once and answers each with its own error (and,
 * as Kafka, no topics when that error is set). v9 is not served: it adds KIP-848's member
 * id and epoch, which this broker does not have.
 */
export function offsetFetchHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.OffsetFetch,
    minVersion: 1,
    maxVersion: 8,
    handle(body, { header }) {
      if (header.apiVersion >= 8) {
        return {
          throttleTimeMs: 0,
          groups: body.groups.map(({ groupId, topics }) => {
            const result = ctx.groups.fetchOffsets(groupId, topics);
            const errorCode = kafkaErrorCode(result.error);
            return { groupId, topics: errorCode !== 0 ? [] : result.topics.map((t) => ({ name: t.name, partitions: t.partitions.map(partitionOf) })), errorCode };
          }),
        };
      }
      const result = ctx.groups.fetchOffsets(body.groupId ?? '', body.topics ?? null);
      const topLevel = header.apiVersion >= 2;
      return {
        throttleTimeMs: 0,
        errorCode: topLevel ? kafkaErrorCode(result.error) : 0,
        topics: result.topics.map((t) => ({ name: t.name, partitions: t.partitions.map(partitionOf) })),
      };
    },
  });
}
