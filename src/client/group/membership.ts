import { API_KEYS, type Decoded, type JoinGroupResponse } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { errorFromCode, isTidelogError, TidelogError, type KafkaErrorName } from '../errors.js';
import { backoffMs } from '../retry.js';
import { delay, raceAbort, settleWithin, throwIfAborted } from './abort.js';
import { compareStrings, DEFAULT_ASSIGNORS, type Assignor, type TopicPartition } from './assignors.js';
import { commitOffsets, type OffsetToCommit } from './committed-offsets.js';
import { decodeAssignment, encodeSubscription } from './consumer-protocol.js';
import { HeartbeatLoop, type BeatOutcome } from './heartbeat.js';
import { assignAsLeader } from './leader.js';

/**
 * One consumer's membership in a classic consumer group (protocol type "consumer"), with
 * eager rebalancing as Kafka's range and roundrobin assignors use it: every rebalance revokes
 * everything, then assigns afresh.
 *
 * Joining: FindCoordinator (through the cluster's cache), JoinGroup with one protocol per
 * assignor (all carrying the same subscription), rejoining at once with the id the broker
 * gives on MEMBER_ID_REQUIRED; the leader runs the assignor the group chose over fresh
 * partition counts; then SyncGroup, heartbeats, and onPartitionsAssigned.
 *
 * Staying in: heartbeats every heartbeatIntervalMs. What their errors (and a commit's) mean:
 * - REBALANCE_IN_PROGRESS: rejoin; heartbeats go on until the rejoin starts, so the session
 *   holds while the consumer finishes its batch and commits;
 * - UNKNOWN_MEMBER_ID: the broker dropped us; rejoin as a new member (static members too:
 *   the broker finds them again by group.instance.id);
 * - ILLEGAL_GENERATION: rejoin under the same member id, as Kafka's client does, so the broker
 *   does not wait a session timeout for the member we were;
 * - FENCED_INSTANCE_ID: rejoin with the same ids; the JoinGroup then fails with
 *   FENCED_INSTANCE_ID (thrown to the caller) unless the other instance has gone;
 * - NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE: forget the coordinator and rejoin;
 * - a broken connection or a loading coordinator: beat again after backoff.
 * The consumer learns of these through `active` and `ensureActive`, which revokes
 * (onPartitionsRevoked, so it can commit with the old generation) before rejoining.
 *
 * Leaving: LeaveGroup, bounded by LEAVE_TIMEOUT_MS, so the group rebalances at once. A static
 * member (groupInstanceId) does not send it unless it is mid-join, as in Kafka (KIP-345): it
 * keeps its partitions across a restart within the session timeout.
 */

export interface GroupMembershipOptions {
  cluster: Cluster;
  groupId: string;
  topics: string[];
  /** In order of preference; default [range, roundrobin]. Members of a group must share one name. */
  assignors?: Assignor[];
  /** Default 45 000 (Kafka 3.x session.timeout.ms); the broker bounds it (group.min/max.session.timeout.ms). */
  sessionTimeoutMs?: number;
  /** Default 300 000 (max.poll.interval.ms): how long a rebalance waits for members to rejoin. */
  rebalanceTimeoutMs?: number;
  /** Default 3 000; below sessionTimeoutMs. */
  heartbeatIntervalMs?: number;
  /** Static membership (group.instance.id): needs JoinGroup v5+. */
  groupInstanceId?: string | null;
  /** Before rejoining, with the partitions held until now (only when there are some). */
  onPartitionsRevoked?(partitions: TopicPartition[]): Promise<void>;
  /** After every successful join, with the new assignment (possibly empty). */
  onPartitionsAssigned?(partitions: TopicPartition[]): Promise<void>;
}

export const PROTOCOL_TYPE = 'consumer';
/** Kafka's client gives JoinGroup and SyncGroup the rebalance timeout plus this much. */
const JOIN_SLACK_MS = 5_000;
/** Longest leave() waits for the LeaveGroup answer. */
export const LEAVE_TIMEOUT_MS = 5_000;
/** Join rounds in one rejoin before giving up: a guard against a livelock, far above what a healthy group needs. */
const MAX_JOIN_ROUNDS = 100;

/** A commit's errors that say something about the membership rather than the offsets. */
const MEMBERSHIP_ERRORS: ReadonlySet<KafkaErrorName> = new Set([
  'REBALANCE_IN_PROGRESS',
  'UNKNOWN_MEMBER_ID',
  'ILLEGAL_GENERATION',
  'FENCED_INSTANCE_ID',
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
]);

type RoundResult = 'joined' | 'again' | { backoff: TidelogError };

export class GroupMembership {
  readonly groupId: string;
  readonly topics: readonly string[];
  private readonly cluster: Cluster;
  private readonly assignors: readonly Assignor[];
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly groupInstanceId: string | null;
  private readonly heartbeat: HeartbeatLoop;
  /** Aborted by leave(): ends any join under way. */
  private readonly lifetime = new AbortController();

  private member = '';
  private generation = -1;
  private protocol: string | null = null;
  private leaderId = '';
  private owned: TopicPartition[] = [];
  /** Holds this generation's assignment (synced, heartbeating). */
  private joined = false;
  private rejoinNeeded = true;
  private rejoining: Promise<void> | null = null;
  private leaving: Promise<void> | null = null;

  constructor(private readonly options: GroupMembershipOptions) {
    const { groupId, topics } = options;
    if (typeof groupId !== 'string' || groupId === '') throw new TypeError('groupId must be a non-empty string');
    if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string' && t !== '')) {
      throw new TypeError('topics must be a non-empty array of topic names');
    }
    const assignors = options.assignors ?? DEFAULT_ASSIGNORS;
    if (assignors.length === 0 || new Set(assignors.map((a) => a.name)).size !== assignors.length) {
      throw new TypeError('assignors must be a non-empty list with distinct names');
    }
    this.sessionTimeoutMs = positive('sessionTimeoutMs', options.sessionTimeoutMs ?? 45_000);
    this.rebalanceTimeoutMs = positive('rebalanceTimeoutMs', options.rebalanceTimeoutMs ?? 300_000);
    const heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs ?? 3_000);
    if (heartbeatIntervalMs >= this.sessionTimeoutMs) throw new TypeError(`heartbeatIntervalMs (${heartbeatIntervalMs}) must be below sessionTimeoutMs (${this.sessionTimeoutMs})`);
    this.cluster = options.cluster;
    this.groupId = groupId;
    this.topics = Object.freeze([...new Set(topics)]);
    this.assignors = Object.freeze([...assignors]);
    this.groupInstanceId = options.groupInstanceId ?? null;
    this.heartbeat = new HeartbeatLoop(heartbeatIntervalMs, this.cluster.retry, (current) => this.beat(current));
  }

  /** The partitions this member holds (a copy); empty while not joined. */
  get assignment(): TopicPartition[] {
    return this.owned.map((p) => ({ ...p }));
  }

  /** -1 while not in a generation. */
  get generationId(): number {
    return this.generation;
  }

  /** '' until the coordinator gives one. */
  get memberId(): string {
    return this.member;
  }

  /** In the current generation, heartbeating, and nothing has asked for a rejoin. */
  get active(): boolean {
    return this.joined && !this.rejoinNeeded && this.leaving === null;
  }

  /** Whether this member assigned the partitions of the current generation. */
  get isLeader(): boolean {
    return this.joined && this.leaderId === this.member;
  }

  /** The assignor the group chose in the last join; null before. */
  get protocolName(): string | null {
    return this.protocol;
  }

  /** Joins (or rejoins) the group, starts heartbeating, and resolves with the assignment. */
  async join(signal?: AbortSignal): Promise<TopicPartition[]> {
    await this.ensureActive(signal);
    return this.assignment;
  }

  /**
   * Nothing if active; else revokes (onPartitionsRevoked) and rejoins. True if the assignment
   * changed. Concurrent calls share one rejoin. `signal` stops the waiting, and the rejoin
   * if this call started it.
   */
  async ensureActive(signal?: AbortSignal): Promise<boolean> {
    this.assertNotLeft();
    if (this.active) return false;
    const before = this.owned;
    this.rejoining ??= this.rejoin(signal).finally(() => {
      this.rejoining = null;
    });
    await raceAbort(this.rejoining, [signal]);
    return !samePartitions(before, this.owned);
  }

  /** Commits offsets as this member of this generation. Membership errors also schedule a rejoin. */
  async commit(offsets: OffsetToCommit[]): Promise<void> {
    this.assertNotLeft();
    const generationId = this.generation;
    const memberId = this.member;
    const wasJoined = this.joined;
    if (generationId < 0 || memberId === '') {
      const code = memberId === '' ? 'UNKNOWN_MEMBER_ID' : 'ILLEGAL_GENERATION';
      throw new TidelogError(code, `group ${this.groupId}: this consumer is not in a current generation of the group; rejoin (ensureActive) before committing`);
    }
    try {
      await commitOffsets(this.cluster, this.groupId, offsets, { generationId, memberId, groupInstanceId: this.groupInstanceId });
    } catch (error) {
      // A commit made mid-rejoin meets the rebalance that rejoin is completing; it is no reason for another.
      const rebalancing = isTidelogError(error, 'REBALANCE_IN_PROGRESS') && !(wasJoined && this.joined);
      if (isTidelogError(error) && MEMBERSHIP_ERRORS.has(error.code) && !rebalancing && this.onMembershipError(error, generationId, memberId) === 'stop') {
        this.heartbeat.stop();
      }
      throw error;
    }
  }

  /** Stops heartbeats and any join under way, and leaves the group. Idempotent; never rejects; bounded by LEAVE_TIMEOUT_MS. */
  leave(): Promise<void> {
    this.leaving ??= this.leaveOnce();
    return this.leaving;
  }

  private async leaveOnce(): Promise<void> {
    const midJoin = this.rejoining !== null;
    const memberId = this.member;
    this.heartbeat.stop();
    this.lifetime.abort(new TidelogError('UNKNOWN_MEMBER_ID', `left group ${this.groupId}`));
    this.joined = false;
    this.rejoinNeeded = true;
    this.owned = [];
    this.generation = -1;
    this.member = '';
    const isStatic = this.groupInstanceId !== null;
    if ((!isStatic && memberId !== '') || (isStatic && midJoin)) {
      await settleWithin(this.sendLeaveGroup(memberId), LEAVE_TIMEOUT_MS);
    }
  }

  private async sendLeaveGroup(memberId: string): Promise<void> {
    const connection = await this.cluster.coordinator(this.groupId);
    const version = connection.versionOf(API_KEYS.LeaveGroup);
    const body =
      version >= 3
        ? { groupId: this.groupId, members: [{ memberId, groupInstanceId: this.groupInstanceId, reason: 'the consumer is leaving the group' }] }
        : { groupId: this.groupId, memberId };
    await connection.request(API_KEYS.LeaveGroup, body, { timeoutMs: LEAVE_TIMEOUT_MS });
  }

  private assertNotLeft(): void {
    if (this.leaving !== null) throw new TidelogError('UNKNOWN_MEMBER_ID', `this consumer has left group ${this.groupId}`);
  }

  // ---- Joining ------------------------------------------------------------------------------

  private async rejoin(signal: AbortSignal | undefined): Promise<void> {
    const signals = [this.lifetime.signal, signal];
    this.joined = false;
    if (this.owned.length > 0) {
      const revoked = this.owned;
      // Revoked even if the callback throws: the next attempt goes straight to joining, as Kafka's does.
      this.owned = [];
      await this.options.onPartitionsRevoked?.(revoked);
    }
    let failures = 0;
    for (let round = 0; ; round++) {
      throwIfAborted(signals);
      if (round >= MAX_JOIN_ROUNDS) throw new TidelogError('REBALANCE_IN_PROGRESS', `group ${this.groupId}: no stable generation after ${round} join rounds`);
      let result: RoundResult;
      try {
        result = await this.joinRound(signals);
      } catch (error) {
        throwIfAborted(signals);
        if (!isTidelogError(error) || !error.retriable) throw error;
        result = { backoff: error };
      }
      if (result === 'joined') break;
      if (result === 'again') continue;
      failures++;
      if (failures > this.cluster.retry.retries) throw result.backoff;
      await delay(backoffMs(failures, this.cluster.retry), signals);
    }
    throwIfAborted(signals);
    this.joined = true;
    this.rejoinNeeded = false;
    this.heartbeat.start();
    await this.options.onPartitionsAssigned?.(this.assignment);
  }

  /** One JoinGroup and SyncGroup. Throws what can't be retried; retriable failures thrown by requests are the caller's to back off from. */
  private async joinRound(signals: (AbortSignal | undefined)[]): Promise<RoundResult> {
    const connection = await raceAbort(this.cluster.coordinator(this.groupId), signals);
    if (this.groupInstanceId !== null && connection.versionOf(API_KEYS.JoinGroup) < 5) {
      throw new TidelogError('UNSUPPORTED_VERSION', `static membership needs JoinGroup v5; the broker at ${connection.address} speaks v${connection.versionOf(API_KEYS.JoinGroup)}`);
    }
    // The parked JoinGroup keeps the session alive from here on.
    this.heartbeat.stop();
    const sentMemberId = this.member;
    const pending = connection.request(
      API_KEYS.JoinGroup,
      {
        groupId: this.groupId,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
        memberId: sentMemberId,
        groupInstanceId: this.groupInstanceId,
        protocolType: PROTOCOL_TYPE,
        protocols: this.protocols(),
      },
      { timeoutMs: this.waitingRequestTimeout(connection) },
    );
    this.adoptLateAnswer(pending, sentMemberId);
    const joined = await raceAbort(pending, signals);
    const joinError = errorFromCode(joined.errorCode, `JoinGroup for group ${this.groupId}`);
    if (joinError) return this.afterRoundError(joinError, joined.memberId);

    this.member = joined.memberId;
    this.generation = joined.generationId;
    this.protocol = joined.protocolName;
    this.leaderId = joined.leader;
    const assignments = joined.leader === joined.memberId && !joined.skipAssignment ? await raceAbort(this.assignAsLeader(joined), signals) : [];

    const synced = await raceAbort(
      connection.request(
        API_KEYS.SyncGroup,
        {
          groupId: this.groupId,
          generationId: joined.generationId,
          memberId: joined.memberId,
          groupInstanceId: this.groupInstanceId,
          protocolType: PROTOCOL_TYPE,
          protocolName: joined.protocolName,
          assignments,
        },
        { timeoutMs: this.waitingRequestTimeout(connection) },
      ),
      signals,
    );
    const syncError = errorFromCode(synced.errorCode, `SyncGroup for group ${this.groupId}`);
    if (syncError) return this.afterRoundError(syncError, joined.memberId);
    this.owned = decodeAssignment(synced.assignment).partitions;
    return 'joined';
  }

  private async assignAsLeader(joined: Decoded<JoinGroupResponse>): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.assignors.find((a) => a.name === joined.protocolName);
    if (assignor === undefined) {
      throw new TidelogError('INCONSISTENT_GROUP_PROTOCOL', `group ${this.groupId} chose assignor ${String(joined.protocolName)}, which this consumer does not have`);
    }
    const shares = await assignAsLeader(this.cluster, assignor, joined.members);
    return shares.map(({ memberId, assignment }) => ({ memberId, assignment }));
  }

  /** What a JoinGroup or SyncGroup error means for the next round. */
  private afterRoundError(error: TidelogError, memberId: string): RoundResult {
    switch (error.code) {
      case 'MEMBER_ID_REQUIRED':
        this.member = memberId;
        return 'again';
      case 'UNKNOWN_MEMBER_ID':
        this.member = '';
        this.generation = -1;
        return 'again';
      case 'ILLEGAL_GENERATION':
        this.generation = -1;
        return 'again';
      case 'REBALANCE_IN_PROGRESS':
        return 'again';
      case 'NOT_COORDINATOR':
      case 'COORDINATOR_NOT_AVAILABLE':
        this.cluster.invalidateCoordinator(this.groupId);
        return { backoff: error };
      default:
        if (error.retriable) return { backoff: error };
        throw error;
    }
  }

  /**
   * A JoinGroup whose caller stopped waiting (aborted) may still be answered with a member id.
   * The broker holds a rebalance for every id it handed out, until that member joins or its
   * session times out; so the id is either used by the next join, or given back at once with
   * LeaveGroup (when the member has left, or a later join already got another id).
   */
  private adoptLateAnswer(pending: Promise<Decoded<JoinGroupResponse>>, sentMemberId: string): void {
    pending.then(
      (response) => {
        const id = response.memberId;
        if ((response.errorCode !== 0 && response.errorCode !== 79) || id === '' || id === sentMemberId || id === this.member) return;
        if (this.leaving === null && this.member === sentMemberId) this.member = id;
        // A static member's LeaveGroup names its instance, which a later join may hold by now: only give that back on leave.
        else if (this.leaving !== null || this.groupInstanceId === null) void settleWithin(this.sendLeaveGroup(id), LEAVE_TIMEOUT_MS);
      },
      () => undefined,
    );
  }

  private protocols(): { name: string; metadata: Buffer }[] {
    // Eager rebalancing: owned partitions are revoked before joining, so none are reported.
    const metadata = encodeSubscription({ topics: this.topics });
    return this.assignors.map((a) => ({ name: a.name, metadata }));
  }

  /** JoinGroup and SyncGroup wait for the other members, up to the rebalance timeout. */
  private waitingRequestTimeout(connection: Connection): number {
    return Math.max(connection.requestTimeoutMs, this.rebalanceTimeoutMs + JOIN_SLACK_MS);
  }

  // ---- Heartbeats ---------------------------------------------------------------------------

  private async beat(current: () => boolean): Promise<BeatOutcome> {
    const generationId = this.generation;
    const memberId = this.member;
    if (generationId < 0 || memberId === '') return 'stop';
    let error: TidelogError | null;
    try {
      const connection = await this.cluster.coordinator(this.groupId);
      const response = await connection.request(
        API_KEYS.Heartbeat,
        { groupId: this.groupId, generationId, memberId, groupInstanceId: this.groupInstanceId },
        { timeoutMs: Math.min(connection.requestTimeoutMs, this.sessionTimeoutMs) },
      );
      error = errorFromCode(response.errorCode, `Heartbeat for group ${this.groupId}`);
    } catch (caught) {
      if (!isTidelogError(caught)) return 'retry';
      error = caught;
    }
    // Stopped meanwhile (a rejoin began, or leave): the answer is about a membership we no longer rely on.
    if (error === null || !current()) return 'ok';
    return this.onMembershipError(error, generationId, memberId);
  }

  /** A heartbeat's or commit's error, for the member (generationId, memberId) that sent it. */
  private onMembershipError(error: TidelogError, generationId: number, memberId: string): BeatOutcome {
    // An answer to a generation we have left behind says nothing about the current one.
    if (generationId !== this.generation || memberId !== this.member) return 'ok';
    const code: KafkaErrorName = error.code;
    switch (code) {
      case 'REBALANCE_IN_PROGRESS':
        this.rejoinNeeded = true;
        return 'ok';
      case 'UNKNOWN_MEMBER_ID':
        this.member = '';
        this.generation = -1;
        this.rejoinNeeded = true;
        return 'stop';
      case 'ILLEGAL_GENERATION':
        this.generation = -1;
        this.rejoinNeeded = true;
        return 'stop';
      case 'FENCED_INSTANCE_ID':
        this.rejoinNeeded = true;
        return 'stop';
      case 'NOT_COORDINATOR':
      case 'COORDINATOR_NOT_AVAILABLE':
        this.cluster.invalidateCoordinator(this.groupId);
        this.rejoinNeeded = true;
        return 'stop';
      default:
        if (error.retriable) return 'retry';
        // Anything else (an authorization failure, say): the rejoin will meet it and throw it to the consumer.
        this.rejoinNeeded = true;
        return 'stop';
    }
  }
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

function samePartitions(a: readonly TopicPartition[], b: readonly TopicPartition[]): boolean {
  if (a.length !== b.length) return false;
  const key = (p: TopicPartition) => `${p.partition}:${p.topic}`;
  const left = a.map(key).sort(compareStrings);
  const right = b.map(key).sort(compareStrings);
  return left.every((k, i) => k === right[i]);
}
