import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** ListGroups 0-2: every group this broker coordinates, with its protocol type. */
export function listGroupsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.ListGroups,
    minVersion: 0,
    maxVersion: 2,
    handle() {
      const result = ctx.groups.listGroups();
      return { throttleTimeMs: 0, errorCode: kafkaErrorCode(result.error), groups: result.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })) };
    },
  });
}
