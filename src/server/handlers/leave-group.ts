import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * LeaveGroup 0-5. v0-2 name one member and carry one error; v3 names several (by member id
 * or group.instance.id) and answers each, with the top-level error for the group itself.
 * v4 is the first flexible version; v5 (KIP-800) gives each member a reason for leaving,
 * which Kafka only logs and this broker ignores.
 */
export function leaveGroupHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.LeaveGroup,
    minVersion: 0,
    maxVersion: 5,
    handle(body, { header }) {
      const batched = header.apiVersion >= 3;
      const members = batched ? body.members!.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null })) : [{ memberId: body.memberId!, groupInstanceId: null }];
      const result = ctx.groups.leaveGroup({ groupId: body.groupId, members });
      if (!batched) {
        const error = result.error !== 'NONE' ? result.error : result.members[0]!.error;
        return { throttleTimeMs: 0, errorCode: kafkaErrorCode(error) };
      }
      return {
        throttleTimeMs: 0,
        errorCode: kafkaErrorCode(result.error),
        members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: kafkaErrorCode(m.error) })),
      };
    },
  });
}
