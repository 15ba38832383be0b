import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** Heartbeat 0-4: REBALANCE_IN_PROGRESS tells the member to rejoin (v3 adds group.instance.id; v4 is flexible). */
export function heartbeatHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.Heartbeat,
    minVersion: 0,
    maxVersion: 4,
    handle(body, { header }) {
      const error = ctx.groups.heartbeat({
        groupId: body.groupId,
        generationId: body.generationId,
        memberId: body.memberId,
        groupInstanceId: header.apiVersion >= 3 ? (body.groupInstanceId ?? null) : null,
      });
      return { throttleTimeMs: 0, errorCode: kafkaErrorCode(error) };
    },
  });
}
