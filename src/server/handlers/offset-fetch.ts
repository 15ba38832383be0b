import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * OffsetFetch 1-4. A partition without a commit has offset -1; null topics (v2+) ask for
 * every committed partition. v1 has no top-level error: a group-level one goes on every
 * partition.
 */
export function offsetFetchHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.OffsetFetch,
    minVersion: 1,
    maxVersion: 4,
    handle(body, { header }) {
      const result = ctx.groups.fetchOffsets(body.groupId ?? '', body.topics ?? null);
      const topLevel = header.apiVersion >= 2;
      return {
        throttleTimeMs: 0,
        errorCode: topLevel ? kafkaErrorCode(result.error) : 0,
        topics: result.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({
            partitionIndex: p.partitionIndex,
            committedOffset: p.offset,
            metadata: p.metadata,
            errorCode: kafkaErrorCode(p.error),
          })),
        })),
      };
    },
  });
}
