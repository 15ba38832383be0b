import type { KafkaErrorName } from '../../common/index.js';
import type { GroupProtocol, GroupState } from './group.js';

/** The requests and answers of the group coordinator, independent of protocol versions. */

export interface JoinGroupParams {
  groupId: string;
  /** "" for a member joining for the first time. */
  memberId: string;
  /** Static membership (JoinGroup v5+): the member's identity across restarts. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** JoinGroup v0 has none: pass the session timeout. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  /** JoinGroup v4+: a new dynamic member first gets its id with MEMBER_ID_REQUIRED, then rejoins with it. */
  requireKnownMemberId: boolean;
}

export interface SyncGroupParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5+; null: not checked. */
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignment; empty from followers. */
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface HeartbeatParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupParams {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null }[];
}

export interface LeaveGroupResult {
  error: KafkaErrorName;
  members: { memberId: string; groupInstanceId: string | null; error: KafkaErrorName }[];
}

export interface CommitOffsetsParams {
  groupId: string;
  /** -1 with an empty member id: a standalone commit, accepted only while the group has no members. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** `leaderEpoch` (OffsetCommit v6+) is stored and given back by OffsetFetch v5+; -1 when left out. */
  topics: { name: string; partitions: { partitionIndex: number; offset: bigint; leaderEpoch?: number; metadata: string | null }[] }[];
}

export interface CommitOffsetsResult {
  topics: { name: string; partitions: { partitionIndex: number; error: KafkaErrorName }[] }[];
}

export interface FetchedOffset {
  partitionIndex: number;
  /** -1: nothing committed. */
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  error: KafkaErrorName;
}

export interface FetchOffsetsResult {
  error: KafkaErrorName;
  topics: { name: string; partitions: FetchedOffset[] }[];
}

export interface ListedGroup {
  groupId: string;
  /** "" for a group that only ever had standalone commits. */
  protocolType: string;
  state: GroupState;
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Only while Stable, as Kafka does; empty otherwise. */
  metadata: Buffer;
  assignment: Buffer;
}

export interface DescribedGroup {
  error: KafkaErrorName;
  groupId: string;
  /** 'Dead' for a group that does not exist. */
  state: GroupState;
  protocolType: string;
  /** The chosen protocol while Stable, else "". */
  protocolData: string;
  members: DescribedMember[];
}
