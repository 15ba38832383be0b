import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * DescribeGroups 0-2. A group that does not exist is described as Dead with no error, as
 * Kafka does before v6; member metadata and assignments are given only while Stable.
 */
export function describeGroupsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.DescribeGroups,
    minVersion: 0,
    maxVersion: 2,
    handle(body) {
      return {
        throttleTimeMs: 0,
        groups: body.groups.map((groupId) => {
          const g = ctx.groups.describeGroup(groupId);
          return {
            errorCode: kafkaErrorCode(g.error),
            groupId: g.groupId,
            groupState: g.state,
            protocolType: g.protocolType,
            protocolData: g.protocolData,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              memberMetadata: m.metadata,
              memberAssignment: m.assignment,
            })),
          };
        }),
      };
    },
  });
}
