import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import { clientHostOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * JoinGroup 0-5 (librdkafka enables groups only if v0 is served). v0 has no rebalance
 * timeout: the session timeout stands in. From v4 a new member first gets MEMBER_ID_REQUIRED
 * with its id; v5 adds static membership (group.instance.id). Waits for the rebalance.
 */
export function joinGroupHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.JoinGroup,
    minVersion: 0,
    maxVersion: 5,
    async handle(body, { header, signal, remoteAddress }) {
      const version = header.apiVersion;
      const result = await ctx.groups.joinGroup(
        {
          groupId: body.groupId,
          memberId: body.memberId,
          groupInstanceId: version >= 5 ? (body.groupInstanceId ?? null) : null,
          clientId: header.clientId ?? '',
          clientHost: clientHostOf(remoteAddress),
          sessionTimeoutMs: body.sessionTimeoutMs,
          rebalanceTimeoutMs: version >= 1 ? body.rebalanceTimeoutMs! : body.sessionTimeoutMs,
          protocolType: body.protocolType,
          protocols: body.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
          requireKnownMemberId: version >= 4,
        },
        signal,
      );
      return {
        throttleTimeMs: 0,
        errorCode: kafkaErrorCode(result.error),
        generationId: result.generationId,
        protocolName: result.protocolName ?? '',
        leader: result.leader,
        memberId: result.memberId,
        members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
      };
    },
  });
}
