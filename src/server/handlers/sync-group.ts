import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * SyncGroup 0-5. The leader sends the assignment; every member waits for it (v3 adds
 * group.instance.id; v4 is the first flexible version). From v5 (KIP-559) the member names
 * the group's protocol type and name: when both it and the group have one and they differ,
 * the answer is INCONSISTENT_GROUP_PROTOCOL; a successful answer gives the group's own.
 */
export function syncGroupHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.SyncGroup,
    minVersion: 0,
    maxVersion: 5,
    async handle(body, { header, signal }) {
      const version = header.apiVersion;
      const result = await ctx.groups.syncGroup(
        {
          groupId: body.groupId,
          generationId: body.generationId,
          memberId: body.memberId,
          groupInstanceId: version >= 3 ? (body.groupInstanceId ?? null) : null,
          protocolType: version >= 5 ? (body.protocolType ?? null) : null,
          protocolName: version >= 5 ? (body.protocolName ?? null) : null,
          assignments: body.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
        },
        signal,
      );
      return {
        throttleTimeMs: 0,
        errorCode: kafkaErrorCode(result.error),
        ...(version >= 5 ? { protocolType: result.protocolType, protocolName: result.protocolName } : {}),
        assignment: result.assignment,
      };
    },
  });
}
