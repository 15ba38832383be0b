import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import { clientHostOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * JoinGroup 0-9 (librdkafka enables groups only if v0 is served). v0 has no rebalance
 * timeout: the session timeout stands in. From v4 a new member first gets MEMBER_ID_REQUIRED
 * with its id; v5 adds static membership (group.instance.id); v6 is the first flexible
 * version; v7 (KIP-559) answers with the protocol type, and from v7 an unknown protocol name
 * is null rather than ""; v8 (KIP-800) carries the member's reason for joining, which Kafka
 * only logs and this broker ignores; v9 adds SkipAssignment, which only KIP-848's server-side
 * assignors set, so it is always false here. Waits for the rebalance.
 */
export function joinGroupHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.JoinGroup,
    minVersion: 0,
    maxVersion: 9,
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
      const nullable = version >= 7;
      return {
        throttleTimeMs: 0,
        errorCode: kafkaErrorCode(result.error),
        generationId: result.generationId,
        ...(nullable ? { protocolType: result.protocolType } : {}),
        // As Kafka's JoinGroupResponse: "" before v7, null (not "") from v7.
        protocolName: nullable ? result.protocolName || null : (result.protocolName ?? ''),
        leader: result.leader,
        memberId: result.memberId,
        members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
      };
    },
  });
}
