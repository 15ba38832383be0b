import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/** "Authorized operations were not requested" (v3+). */
const OPERATIONS_NOT_REQUESTED = -2147483648;
/** What Kafka answers without an authorizer: every operation a group supports (AclOperation READ 3, DELETE 6, DESCRIBE 8). */
const GROUP_OPERATIONS = [3, 6, 8].reduce((bits, op) => bits | (1 << op), 0);

/**
 * DescribeGroups 0-5. A group that does not exist is described as Dead with no error, as
 * Kafka does before v6; member metadata and assignments are given only while Stable. v3
 * can ask for the authorized operations, given (as Kafka without an authorizer does) for
 * every group described without an error; v4 gives each member's group.instance.id; v5 is
 * the first flexible version.
 */
export function describeGroupsHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.DescribeGroups,
    minVersion: 0,
    maxVersion: 5,
    handle(body, { header }) {
      const withOperations = header.apiVersion >= 3 && body.includeAuthorizedOperations === true;
      return {
        throttleTimeMs: 0,
        groups: body.groups.map((groupId) => {
          const g = ctx.groups.describeGroup(groupId);
          const errorCode = kafkaErrorCode(g.error);
          return {
            errorCode,
            groupId: g.groupId,
            groupState: g.state,
            protocolType: g.protocolType,
            protocolData: g.protocolData,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              memberMetadata: m.metadata,
              memberAssignment: m.assignment,
            })),
            authorizedOperations: withOperations && errorCode === 0 ? GROUP_OPERATIONS : OPERATIONS_NOT_REQUESTED,
          };
        }),
      };
    },
  });
}
