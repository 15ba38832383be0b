import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** Every group here is a classic group: KIP-848's consumer groups are not implemented. */
const GROUP_TYPE = 'classic';

/**
 * ListGroups 0-5: every group this broker coordinates, with its protocol type. v3 is the
 * first flexible version. v4 (KIP-518) filters by state and gives each group's state; v5
 * (KIP-848) filters by type and gives each group's type, always "classic" here. Both filters
 * match case-insensitively, as Kafka's coordinator does; an empty filter keeps everything.
 */
export function listGroupsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.ListGroups,
    minVersion: 0,
    maxVersion: 5,
    handle(body, { header }) {
      const version = header.apiVersion;
      const states = new Set((version >= 4 ? body.statesFilter : []).map((s) => s.trim().toLowerCase()));
      const types = new Set((version >= 5 ? body.typesFilter : []).map((t) => t.toLowerCase()));
      const result = ctx.groups.listGroups();
      const groups = result.groups.filter((g) => (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has(GROUP_TYPE)));
      return {
        throttleTimeMs: 0,
        errorCode: kafkaErrorCode(result.error),
        groups: groups.map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          ...(version >= 4 ? { groupState: g.state } : {}),
          ...(version >= 5 ? { groupType: GROUP_TYPE } : {}),
        })),
      };
    },
  });
}
