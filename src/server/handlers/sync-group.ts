import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** SyncGroup 0-3. The leader sends the assignment; every member waits for it (v3 adds group.instance.id). */
export function syncGroupHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.SyncGroup,
    minVersion: 0,
    maxVersion: 3,
    async handle(body, { header, signal }) {
      const result = await ctx.groups.syncGroup(
        {
          groupId: body.groupId,
          generationId: body.generationId,
          memberId: body.memberId,
          groupInstanceId: header.apiVersion >= 3 ? (body.groupInstanceId ?? null) : null,
          protocolType: null,
          protocolName: null,
          assignments: body.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
        },
        signal,
      );
      return { throttleTimeMs: 0, errorCode: kafkaErrorCode(result.error), assignment: result.assignment };
    },
  });
}
