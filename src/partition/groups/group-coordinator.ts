import { systemClock, type Clock, type KafkaErrorName } from '../../common/index.js';
import type { BrokerConfig } from '../../config/index.js';
import type { TopicManager } from '../topic-manager.js';
import type {
  CommitOffsetsParams,
  CommitOffsetsResult,
  DescribedGroup,
  FetchedOffset,
  FetchOffsetsResult,
  HeartbeatParams,
  JoinGroupParams,
  LeaveGroupParams,
  LeaveGroupResult,
  ListedGroup,
  SyncGroupParams,
} from './group-api.js';
import { GroupMembership, storeError, type MembershipHost } from './group-membership.js';
import { EMPTY_BYTES, Group, Member, type JoinGroupResult, type SyncGroupResult } from './group.js';
import type { OffsetsRecord, StoredGroup } from './group-records.js';
import { OffsetStore } from './offset-store.js';
import { realScheduler, type ScheduledTask, type Scheduler } from './scheduler.js';

/** Kafka's offset.metadata.max.bytes. */
export const OFFSET_METADATA_MAX_BYTES = 4096;
/** Kafka's offsets.retention.check.interval.ms. */
export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 600_000;

export interface GroupCoordinatorOptions {
  topics: TopicManager;
  /** group.* and offsets.* settings; the topic manager's unless given. */
  config?: BrokerConfig;
  clock?: Clock;
  /** Real, unref'd timers unless given (tests pass a ManualScheduler over a ManualClock). */
  scheduler?: Scheduler;
  /** See OffsetStoreOptions.compactionBytes. */
  compactionBytes?: number;
  retentionCheckIntervalMs?: number;
  onWarning?: (message: string, cause?: unknown) => void;
}

type Status = 'loading' | 'ready' | 'failed' | 'closed';

/**
 * Kafka's classic group coordinator for a single broker, where every group is ours: the
 * groups (membership and rebalancing in group-membership.ts), their committed offsets, and
 * the OffsetStore that keeps both in __consumer_offsets. Until the store is loaded every
 * request is answered COORDINATOR_LOAD_IN_PROGRESS.
 */
export class GroupCoordinator implements MembershipHost {
  readonly store: OffsetStore;
  /** Every live group by id (shared with GroupMembership; not for callers to change). */
  readonly groups = new Map<string, Group>();
  private readonly membership: GroupMembership;
  private readonly topics: TopicManager;
  private readonly config: BrokerConfig;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private readonly retentionCheckIntervalMs: number;
  private status: Status = 'loading';
  private loading: Promise<void> | null = null;
  private retentionTask: ScheduledTask | null = null;
  /** Commits in flight per group: expiry leaves those groups alone, as Kafka's pendingOffsetCommits. */
  private readonly pendingCommits = new Map<string, number>();

  constructor(private readonly options: GroupCoordinatorOptions) {
    this.topics = options.topics;
    this.config = options.config ?? options.topics.brokerConfig;
    this.clock = options.clock ?? systemClock;
    this.scheduler = options.scheduler ?? realScheduler;
    this.retentionCheckIntervalMs = options.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS;
    this.store = new OffsetStore({
      topics: options.topics,
      clock: this.clock,
      numPartitions: this.config.values['offsets.topic.num.partitions'],
      compactionBytes: options.compactionBytes,
      onWarning: options.onWarning,
    });
    this.membership = new GroupMembership(this, {
      clock: this.clock,
      scheduler: this.scheduler,
      minSessionTimeoutMs: this.config.values['group.min.session.timeout.ms'],
      maxSessionTimeoutMs: this.config.values['group.max.session.timeout.ms'],
      initialRebalanceDelayMs: this.config.values['group.initial.rebalance.delay.ms'],
    });
  }

  warn(message: string, cause?: unknown): void {
    this.options.onWarning?.(message, cause);
  }

  // ---- Lifecycle --------------------------------------------------------------------------

  /**
   * Replays __consumer_offsets and restores the groups; until then every group request is
   * answered COORDINATOR_LOAD_IN_PROGRESS. Resolves when loaded (or when loading failed:
   * requests then get COORDINATOR_NOT_AVAILABLE). Idempotent.
   */
  start(): Promise<void> {
    this.loading ??= this.store.load().then(() => {
      if (this.status !== 'loading') return;
      if (this.store.status !== 'ready') {
        this.status = 'failed';
        return;
      }
      this.restoreGroups();
      this.status = 'ready';
      this.scheduleRetention();
    });
    return this.loading;
  }

  /** Loaded groups come back Stable (with their members, whose sessions start now) or Empty. */
  private restoreGroups(): void {
    for (const groupId of this.store.groupIds()) {
      const group = new Group(groupId);
      const stored = this.store.groupMetadata(groupId);
      if (stored) {
        group.protocolType = stored.protocolType;
        group.generationId = stored.generationId;
        if (stored.members.length > 0 && stored.protocolName !== null) {
          group.protocolName = stored.protocolName;
          for (const m of stored.members) {
            const member = new Member(m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs, stored.protocolType, [
              { name: stored.protocolName, metadata: m.subscription },
            ]);
            member.assignment = m.assignment;
            group.add(member);
          }
          if (stored.leaderId !== null && group.members.has(stored.leaderId)) group.leaderId = stored.leaderId;
          group.state = 'Stable';
          this.membership.startSessions(group);
        } else {
          group.emptySince = stored.currentStateTimestamp >= 0 ? stored.currentStateTimestamp : null;
        }
      }
      this.groups.set(groupId, group);
    }
  }

  /** Answers every waiting request NOT_COORDINATOR, cancels every timer, and waits for writes in flight. Idempotent. */
  async close(): Promise<void> {
    this.status = 'closed';
    this.retentionTask?.cancel();
    for (const group of this.groups.values()) this.membership.unload(group);
    const storeClosed = this.store.close(); // also stops a load under way
    await this.loading;
    await storeClosed;
  }

  /** Resolves once no offsets write is in flight (for tests). */
  idle(): Promise<void> {
    return this.store.idle();
  }

  /** Null when requests can be served, else the error to answer with. */
  unavailable(): KafkaErrorName | null {
    if (this.status === 'ready') return null;
    return this.status === 'loading' ? 'COORDINATOR_LOAD_IN_PROGRESS' : 'COORDINATOR_NOT_AVAILABLE';
  }

  /**
   * An expiry pass every retentionCheckIntervalMs from the start. Passes may overlap (a
   * slow write): a later one finds the groups already deleted, and at worst writes a
   * tombstone twice.
   */
  private scheduleRetention(): void {
    const tick = () => {
      if (this.status !== 'ready') return;
      this.retentionTask = this.scheduler.schedule(this.retentionCheckIntervalMs, tick);
      void this.expireOffsets();
    };
    this.retentionTask = this.scheduler.schedule(this.retentionCheckIntervalMs, tick);
  }

  /** Writes the group's metadata record: its generation, leader and members with their assignments. */
  persistGroup(group: Group, assignments?: ReadonlyMap<string, Buffer>): Promise<void> {
    const protocol = group.protocolName ?? '';
    const value: StoredGroup = {
      protocolType: group.protocolType ?? '',
      generationId: group.generationId,
      protocolName: group.protocolName,
      leaderId: group.leaderId,
      currentStateTimestamp: group.state === 'Empty' ? (group.emptySince ?? this.clock.now()) : this.clock.now(),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        sessionTimeoutMs: m.sessionTimeoutMs,
        subscription: m.metadataFor(protocol),
        assignment: assignments?.get(m.memberId) ?? m.assignment,
      })),
    };
    try {
      return this.store.write([{ kind: 'group', groupId: group.groupId, value }]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // ---- Membership (see group-membership.ts) ------------------------------------------------

  /** Resolves when the member is in the next generation (or with the reason it is not). */
  joinGroup(params: JoinGroupParams, signal?: AbortSignal): Promise<JoinGroupResult> {
    return this.membership.joinGroup(params, signal);
  }

  /** Resolves with the member's assignment once the leader's is persisted (or with the reason there is none). */
  syncGroup(params: SyncGroupParams, signal?: AbortSignal): Promise<SyncGroupResult> {
    return this.membership.syncGroup(params, signal);
  }

  heartbeat(params: HeartbeatParams): KafkaErrorName {
    return this.membership.heartbeat(params);
  }

  leaveGroup(params: LeaveGroupParams): LeaveGroupResult {
    return this.membership.leaveGroup(params);
  }

  // ---- Offsets ------------------------------------------------------------------------------

  /** Group-level checks of an OffsetCommit, as Kafka's ClassicGroup.validateOffsetCommit. */
  private validateCommit(group: Group | undefined, params: CommitOffsetsParams): KafkaErrorName {
    if (!group) return params.generationId < 0 ? 'NONE' : 'ILLEGAL_GENERATION';
    if (group.state === 'Dead') return 'COORDINATOR_NOT_AVAILABLE';
    if (params.generationId < 0 && group.state === 'Empty') return 'NONE';
    if (params.generationId >= 0 || params.memberId !== '' || params.groupInstanceId !== null) {
      const invalid = group.validateMember(params.memberId, params.groupInstanceId);
      if (invalid !== 'NONE') return invalid;
      if (params.generationId !== group.generationId) return 'ILLEGAL_GENERATION';
    } else if (group.state !== 'Empty') {
      return 'UNKNOWN_MEMBER_ID';
    }
    // During PreparingRebalance the current generation may still commit (before revoking), as in Kafka.
    if (group.state === 'CompletingRebalance') return 'REBALANCE_IN_PROGRESS';
    const member = group.members.get(params.memberId);
    if (member) this.membership.scheduleSession(group, member);
    return 'NONE';
  }

  /** OffsetCommit: answered once the accepted offsets are durable (and visible to OffsetFetch). */
  async commitOffsets(params: CommitOffsetsParams): Promise<CommitOffsetsResult> {
    const answer = (error: (partitionIndex: number, topic: string) => KafkaErrorName): CommitOffsetsResult => ({
      topics: params.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, error: error(p.partitionIndex, t.name) })) })),
    });
    const groupError = this.unavailable() ?? this.validateCommit(this.groups.get(params.groupId), params);
    if (groupError !== 'NONE') return answer(() => groupError);

    const errors = new Map<string, KafkaErrorName>();
    const records: OffsetsRecord[] = [];
    const commitTimestamp = this.clock.now();
    for (const topic of params.topics) {
      const described = this.topics.topic(topic.name);
      for (const p of topic.partitions) {
        const key = `${p.partitionIndex}:${topic.name}`;
        const metadata = p.metadata ?? '';
        if (Buffer.byteLength(metadata, 'utf8') > OFFSET_METADATA_MAX_BYTES) errors.set(key, 'OFFSET_METADATA_TOO_LARGE');
        else if (!described || p.partitionIndex < 0 || p.partitionIndex >= described.numPartitions) errors.set(key, 'UNKNOWN_TOPIC_OR_PARTITION');
        else {
          errors.set(key, 'NONE');
          records.push({ kind: 'offset', groupId: params.groupId, topic: topic.name, partition: p.partitionIndex, value: { offset: p.offset, leaderEpoch: p.leaderEpoch ?? -1, metadata, commitTimestamp } });
        }
      }
    }
    if (records.length > 0) {
      if (!this.groups.has(params.groupId)) this.groups.set(params.groupId, new Group(params.groupId));
      this.pendingCommits.set(params.groupId, (this.pendingCommits.get(params.groupId) ?? 0) + 1);
      try {
        await this.store.write(records);
        // Deleted meanwhile: the offsets just written bring it back, as a group without members.
        if (!this.groups.has(params.groupId) && this.status === 'ready') this.groups.set(params.groupId, new Group(params.groupId));
      } catch (error) {
        const code = storeError(error, 'INVALID_COMMIT_OFFSET_SIZE');
        for (const [key, value] of errors) if (value === 'NONE') errors.set(key, code);
      } finally {
        const left = this.pendingCommits.get(params.groupId)! - 1;
        if (left === 0) this.pendingCommits.delete(params.groupId);
        else this.pendingCommits.set(params.groupId, left);
      }
    }
    return answer((partitionIndex, topic) => errors.get(`${partitionIndex}:${topic}`)!);
  }

  /**
   * OffsetFetch: the committed offsets of the partitions asked for (-1 where nothing is
   * committed, and for groups that do not exist), or of every committed partition when
   * `topics` is null.
   */
  fetchOffsets(groupId: string, topics: readonly { name: string; partitionIndexes: readonly number[] }[] | null): FetchOffsetsResult {
    const none = (partitionIndex: number, error: KafkaErrorName): FetchedOffset => ({ partitionIndex, offset: -1n, leaderEpoch: -1, metadata: '', error });
    const unavailable = this.unavailable();
    if (unavailable) {
      return { error: unavailable, topics: (topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => none(p, unavailable)) })) };
    }
    const committed = this.store.offsets(groupId);
    const found = (topic: string, partitionIndex: number): FetchedOffset => {
      const c = committed.get(topic)?.get(partitionIndex);
      return c ? { partitionIndex, offset: c.offset, leaderEpoch: c.leaderEpoch, metadata: c.metadata, error: 'NONE' } : none(partitionIndex, 'NONE');
    };
    if (topics === null) {
      const names = [...committed.keys()].sort();
      return {
        error: 'NONE',
        topics: names.map((name) => ({ name, partitions: [...committed.get(name)!.keys()].sort((a, b) => a - b).map((p) => found(name, p)) })),
      };
    }
    return { error: 'NONE', topics: topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((p) => found(t.name, p)) })) };
  }

  /**
   * Kafka's offset expiry (KIP-211): only groups without members; an offset goes once
   * offsets.retention.minutes have passed since the later of its commit and the moment the
   * group became empty. A memberless group left with no offsets is deleted.
   */
  async expireOffsets(): Promise<{ expiredOffsets: number; deletedGroups: string[] }> {
    if (this.status !== 'ready') return { expiredOffsets: 0, deletedGroups: [] };
    const now = this.clock.now();
    const retentionMs = this.config.values['offsets.retention.minutes'] * 60_000;
    const records: OffsetsRecord[] = [];
    const deletedGroups: string[] = [];
    let expiredOffsets = 0;
    for (const group of [...this.groups.values()]) {
      if (group.state !== 'Empty' || this.pendingCommits.has(group.groupId)) continue;
      let kept = 0;
      for (const [topic, partitions] of this.store.offsets(group.groupId)) {
        for (const [partition, c] of partitions) {
          if (now - Math.max(group.emptySince ?? -Infinity, c.commitTimestamp) >= retentionMs) {
            records.push({ kind: 'offset', groupId: group.groupId, topic, partition, value: null });
            expiredOffsets++;
          } else {
            kept++;
          }
        }
      }
      if (kept === 0 && group.pendingMembers.size === 0) {
        group.transitionTo('Dead');
        this.groups.delete(group.groupId);
        deletedGroups.push(group.groupId);
        if (this.store.groupMetadata(group.groupId)) records.push({ kind: 'group', groupId: group.groupId, value: null });
      }
    }
    try {
      await this.store.write(records);
    } catch (error) {
      this.warn('could not write the tombstones of expired offsets; they are retried at the next check', error);
    }
    return { expiredOffsets, deletedGroups };
  }

  // ---- Admin ----------------------------------------------------------------------------------

  listGroups(): { error: KafkaErrorName; groups: ListedGroup[] } {
    const unavailable = this.unavailable();
    if (unavailable) return { error: unavailable, groups: [] };
    const groups = [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
    return { error: 'NONE', groups: groups.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0)) };
  }

  describeGroup(groupId: string): DescribedGroup {
    const dead = (error: KafkaErrorName): DescribedGroup => ({ error, groupId, state: 'Dead', protocolType: '', protocolData: '', members: [] });
    const unavailable = this.unavailable();
    if (unavailable) return dead(unavailable);
    const group = this.groups.get(groupId);
    if (!group) return dead('NONE');
    const stable = group.state === 'Stable';
    return {
      error: 'NONE',
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(group.protocolName ?? '') : EMPTY_BYTES,
        assignment: stable ? m.assignment : EMPTY_BYTES,
      })),
    };
  }

  /** DeleteGroups for one group: only an empty group can go; its offsets and metadata get tombstones. */
  async deleteGroup(groupId: string): Promise<KafkaErrorName> {
    const unavailable = this.unavailable();
    if (unavailable) return unavailable;
    const group = this.groups.get(groupId);
    if (!group || group.state === 'Dead') return 'GROUP_ID_NOT_FOUND';
    if (group.state !== 'Empty') return 'NON_EMPTY_GROUP';
    group.transitionTo('Dead');
    for (const task of group.pendingMembers.values()) task.cancel();
    this.groups.delete(groupId);
    const records: OffsetsRecord[] = [{ kind: 'group', groupId, value: null }];
    for (const [topic, partitions] of this.store.offsets(groupId)) {
      for (const partition of partitions.keys()) records.push({ kind: 'offset', groupId, topic, partition, value: null });
    }
    try {
      await this.store.write(records);
      return 'NONE';
    } catch (error) {
      return storeError(error);
    }
  }
}
