import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** DeleteGroups 0-2 (v2 is flexible): only empty groups; an unknown one is GROUP_ID_NOT_FOUND, one with members NON_EMPTY_GROUP. */
export function deleteGroupsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.DeleteGroups,
    minVersion: 0,
    maxVersion: 2,
    async handle(body) {
      const results = await Promise.all(body.groupsNames.map(async (groupId) => ({ groupId, errorCode: kafkaErrorCode(await ctx.groups.deleteGroup(groupId)) })));
      return { throttleTimeMs: 0, results };
    },
  });
}
