import { API_KEYS } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import { errorFromCode, TidelogError } from '../errors.js';
import type { TopicPartition } from '../group/assignors.js';
import { decodeAssignment, decodeSubscription } from '../group/consumer-protocol.js';
import { CONNECTION_ERRORS, COORDINATOR_ERRORS, retryOn, throwFailures, toCoordinator } from './requests.js';
import { checkGroupId, checkNames } from './validate.js';

/**
 * Groups: list (ListGroups, asked of every broker since each lists only the groups it
 * coordinates), describe (DescribeGroups) and delete (DeleteGroups), the last two sent to each
 * group's coordinator.
 *
 * A group the coordinator doesn't know is described as state "Dead" with no members, which is
 * what brokers before DescribeGroups v6 answer; deleting one fails with GROUP_ID_NOT_FOUND.
 */

export interface ListedGroup {
  groupId: string;
  /** "consumer" for Kafka consumers; "" for a group that only has committed offsets. */
  protocolType: string;
  /** e.g. "Stable", "Empty"; null from a broker before ListGroups v4. */
  state: string | null;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** The member's partitions, decoded for "consumer" groups while Stable; null otherwise (see rawAssignment). */
  assignment: TopicPartition[] | null;
  /** The topics the member subscribed to, decoded like `assignment`. */
  subscription: string[] | null;
  /** The assignment bytes as the coordinator holds them (empty unless Stable). */
  rawAssignment: Buffer;
  /** The member's metadata for the chosen protocol (empty unless Stable). */
  rawMetadata: Buffer;
}

export interface GroupDescription {
  groupId: string;
  /** "Empty", "PreparingRebalance", "CompletingRebalance", "Stable" or "Dead" (also: unknown group). */
  state: string;
  protocolType: string;
  /** The assignor the group chose ("range", ...); "" unless Stable. */
  protocol: string;
  members: MemberDescription[];
}

/** Every group of every broker, sorted by id; `states` keeps only groups in those states (ListGroups v4+). */
export async function listGroups(cluster: Cluster, options: { states?: readonly string[] } = {}): Promise<ListedGroup[]> {
  const states = options.states ?? [];
  if (!Array.isArray(states) || states.some((s) => typeof s !== 'string' || s.length === 0)) throw new TidelogError('INVALID_REQUEST', 'listGroups: states must be an array of state names');
  // Metadata with no topics just names the brokers.
  await retryOn(cluster, CONNECTION_ERRORS, () => cluster.refreshTopics([]));
  const perBroker = await Promise.all(
    cluster.brokers.map((broker) =>
      retryOn(cluster, new Set([...CONNECTION_ERRORS, 'COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE']), async () => {
        const connection = await cluster.connection(broker.nodeId);
        const version = connection.versionOf(API_KEYS.ListGroups);
        if (states.length > 0 && version < 4) throw new TidelogError('UNSUPPORTED_VERSION', `listGroups: filtering by state needs ListGroups v4; broker ${broker.nodeId} speaks v${version}`);
        const response = await connection.request(API_KEYS.ListGroups, version >= 4 ? { statesFilter: [...states] } : {});
        const error = errorFromCode(response.errorCode, `listGroups on broker ${broker.nodeId}`);
        if (error) throw error;
        return response.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: version >= 4 ? (g.groupState ?? null) : null }));
      }),
    ),
  );
  const byId = new Map(perBroker.flat().map((g) => [g.groupId, g]));
  return [...byId.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

/** Each group's state, protocol and members, in the order asked. */
export async function describeGroups(cluster: Cluster, groupIds: readonly string[]): Promise<GroupDescription[]> {
  const ids = checkNames(groupIds, 'describeGroups', checkGroupId);
  // One request per group: each may live on a different coordinator, and a coordinator error
  // for one group must not hold back the others.
  const described = await Promise.all(ids.map((groupId) => describeOne(cluster, groupId).then((d) => d, (error: unknown) => asFailure(groupId, error))));
  throwFailures('describeGroups', described.filter((d): d is { name: string; error: TidelogError } => 'error' in d));
  return described as GroupDescription[];
}

async function describeOne(cluster: Cluster, groupId: string): Promise<GroupDescription> {
  const group = await toCoordinator(cluster, groupId, async (connection) => {
    const response = await connection.request(API_KEYS.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false });
    const answer = response.groups.find((g) => g.groupId === groupId);
    if (answer === undefined) throw new TidelogError('UNKNOWN_SERVER_ERROR', `describeGroups: the coordinator left ${groupId} out of its answer`);
    const error = errorFromCode(answer.errorCode, `describeGroups: ${groupId}`);
    if (error) throw error;
    return answer;
  });
  const consumer = group.protocolType === 'consumer';
  return {
    groupId,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: consumer && m.memberAssignment.length > 0 ? attempt(() => decodeAssignment(m.memberAssignment).partitions) : null,
      subscription: consumer && m.memberMetadata.length > 0 ? attempt(() => decodeSubscription(m.memberMetadata).topics) : null,
      rawAssignment: m.memberAssignment,
      rawMetadata: m.memberMetadata,
    })),
  };
}

/** Deletes empty groups with their committed offsets: GROUP_ID_NOT_FOUND for an unknown one, NON_EMPTY_GROUP for one with members. */
export async function deleteGroups(cluster: Cluster, groupIds: readonly string[]): Promise<void> {
  const ids = checkNames(groupIds, 'deleteGroups', checkGroupId);
  const results = await Promise.all(
    ids.map((groupId) =>
      toCoordinator(cluster, groupId, async (connection) => {
        const response = await connection.request(API_KEYS.DeleteGroups, { groupsNames: [groupId] });
        const result = response.results.find((r) => r.groupId === groupId);
        const error = result === undefined ? new TidelogError('UNKNOWN_SERVER_ERROR', `deleteGroups: the coordinator left ${groupId} out of its answer`) : errorFromCode(result.errorCode, `deleteGroups: ${groupId}`);
        // The coordinator moving is worth another try; anything else is the group's answer.
        if (error && COORDINATOR_ERRORS.has(error.code)) throw error;
        return error;
      }).then((error) => (error ? { name: groupId, error } : null), (error: unknown) => asFailure(groupId, error)),
    ),
  );
  throwFailures('deleteGroups', results.filter((r): r is { name: string; error: TidelogError } => r !== null));
}

function asFailure(name: string, error: unknown): { name: string; error: TidelogError } {
  if (error instanceof TidelogError) return { name, error };
  throw error;
}

/** Decodes member data from other clients, which may not follow the consumer protocol to the letter: null rather than a failed describe. */
function attempt<T>(decode: () => T): T | null {
  try {
    return decode();
  } catch {
    return null;
  }
}
