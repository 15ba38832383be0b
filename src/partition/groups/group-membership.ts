import { randomUUID } from 'node:crypto';
import { isTidelogError, type Clock, type KafkaErrorName } from '../../common/index.js';
import type { HeartbeatParams, JoinGroupParams, LeaveGroupParams, LeaveGroupResult, SyncGroupParams } from './group-api.js';
import { EMPTY_BYTES, Group, joinError, Member, syncError, type JoinGroupResult, type SyncGroupResult } from './group.js';
import type { Scheduler } from './scheduler.js';

/** Kafka's group.new.member.join.timeout: how long a new member's parked JoinGroup keeps it in a rebalance. */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 300_000;

/** What membership needs from the coordinator around it. */
export interface MembershipHost {
  readonly groups: Map<string, Group>;
  /** Null when requests can be served, else the error to answer with. */
  unavailable(): KafkaErrorName | null;
  /** Persists the group's metadata (with these assignments, else the members' own). */
  persistGroup(group: Group, assignments?: ReadonlyMap<string, Buffer>): Promise<void>;
  warn(message: string, cause?: unknown): void;
}

export interface MembershipSettings {
  clock: Clock;
  scheduler: Scheduler;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
}

/** The error a client gets when the log refused a write. */
export function storeError(error: unknown, messageTooLarge: KafkaErrorName = 'UNKNOWN_SERVER_ERROR'): KafkaErrorName {
  if (isTidelogError(error, 'MESSAGE_TOO_LARGE') || isTidelogError(error, 'RECORD_LIST_TOO_LARGE')) return messageTooLarge;
  if (isTidelogError(error, 'COORDINATOR_LOAD_IN_PROGRESS')) return 'COORDINATOR_LOAD_IN_PROGRESS';
  return 'COORDINATOR_NOT_AVAILABLE';
}

/**
 * Group membership as Kafka's classic GroupCoordinator runs it: JoinGroup, SyncGroup,
 * Heartbeat and LeaveGroup, and the timers behind them. A rebalance waits for every member
 * to rejoin, or for the longest rebalance timeout, and then drops the laggards; the first
 * rebalance of an empty group first waits group.initial.rebalance.delay.ms for more members
 * (Kafka's InitialDelayedJoin); members that stop heartbeating are removed after their
 * session timeout; members that never send SyncGroup are removed after the rebalance
 * timeout; the leader's assignment is persisted before any member gets it.
 *
 * JoinGroup and SyncGroup may wait: they take an AbortSignal, and when it fires the request
 * is answered NOT_COORDINATOR at once while the member stays, as it would in Kafka after a
 * lost connection (its session or the rebalance timeout removes it if it does not return).
 */
export class GroupMembership {
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;

  constructor(
    private readonly host: MembershipHost,
    private readonly settings: MembershipSettings,
  ) {
    this.clock = settings.clock;
    this.scheduler = settings.scheduler;
  }

  private get sessionTimeoutRange(): [number, number] {
    return [this.settings.minSessionTimeoutMs, this.settings.maxSessionTimeoutMs];
  }

  private get initialRebalanceDelayMs(): number {
    return this.settings.initialRebalanceDelayMs;
  }

  /** Starts the session timers of a group's members (a group loaded with members). */
  startSessions(group: Group): void {
    for (const member of group.members.values()) this.scheduleSession(group, member);
  }

  /** Cancels every timer of a group and answers its waiting requests NOT_COORDINATOR. */
  unload(group: Group): void {
    group.joinTimer?.cancel();
    group.syncTimer?.cancel();
    for (const task of group.pendingMembers.values()) task.cancel();
    for (const member of group.members.values()) {
      member.sessionTimer?.cancel();
      member.answerJoin(joinError('NOT_COORDINATOR', member.memberId));
      member.answerSync(syncError('NOT_COORDINATOR'));
    }
  }

  // ---- Timers -----------------------------------------------------------------------------

  scheduleSession(group: Group, member: Member, timeoutMs = member.sessionTimeoutMs): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.scheduler.schedule(timeoutMs, () => this.onSessionExpired(group, member));
  }

  /** A member parked in JoinGroup or SyncGroup is alive: that request is its heartbeat (unless it is new). */
  private onSessionExpired(group: Group, member: Member): void {
    member.sessionTimer = null;
    if (this.host.unavailable() !== null || this.host.groups.get(group.groupId) !== group || group.members.get(member.memberId) !== member) return;
    if (!member.isNew && (member.awaitingJoin || member.awaitingSync)) return this.scheduleSession(group, member);
    this.removeMemberAndUpdateGroup(group, member);
  }

  // ---- JoinGroup --------------------------------------------------------------------------

  /** Resolves when the member is in the next generation (or with the reason it is not). */
  joinGroup(params: JoinGroupParams, signal?: AbortSignal): Promise<JoinGroupResult> {
    return parked(signal, joinError('NOT_COORDINATOR', params.memberId), (respond) => this.join(params, respond));
  }

  private join(params: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    const fail = (error: KafkaErrorName) => respond(joinError(error, params.memberId));
    const unavailable = this.host.unavailable();
    if (unavailable) return fail(unavailable);
    if (params.groupId === '') return fail('INVALID_GROUP_ID');
    const [minSession, maxSession] = this.sessionTimeoutRange;
    if (params.sessionTimeoutMs < minSession || params.sessionTimeoutMs > maxSession) return fail('INVALID_SESSION_TIMEOUT');
    const isNewMember = params.memberId === '';
    let group = this.host.groups.get(params.groupId);
    if (!group) {
      if (!isNewMember) return fail('UNKNOWN_MEMBER_ID');
      group = new Group(params.groupId);
      this.host.groups.set(params.groupId, group);
    }
    if (group.state === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    if (!group.supportsProtocols(params.protocolType, params.protocols)) return fail('INCONSISTENT_GROUP_PROTOCOL');
    if (isNewMember) this.joinNewMember(group, params, respond);
    else this.joinExistingMember(group, params, respond);
    this.tryCompleteJoin(group);
  }

  private joinNewMember(group: Group, params: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    const memberId = `${params.groupInstanceId ?? params.clientId}-${randomUUID()}`;
    if (params.groupInstanceId !== null) {
      const existing = group.staticMemberId(params.groupInstanceId);
      if (existing !== undefined) return this.replaceStaticMember(group, existing, memberId, params, respond);
      return this.addMemberAndRebalance(group, memberId, params, respond);
    }
    if (params.requireKnownMemberId) {
      // The id is held for one session timeout; a rebalance waits for it meanwhile.
      group.pendingMembers.set(
        memberId,
        this.scheduler.schedule(params.sessionTimeoutMs, () => {
          if (group.pendingMembers.delete(memberId)) this.tryCompleteJoin(group);
        }),
      );
      return respond(joinError('MEMBER_ID_REQUIRED', memberId));
    }
    this.addMemberAndRebalance(group, memberId, params, respond);
  }

  private joinExistingMember(group: Group, params: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    const { memberId } = params;
    const pending = group.pendingMembers.get(memberId);
    if (pending) {
      pending.cancel();
      group.pendingMembers.delete(memberId);
      return this.addMemberAndRebalance(group, memberId, params, respond);
    }
    const invalid = group.validateMember(memberId, params.groupInstanceId);
    if (invalid !== 'NONE') return respond(joinError(invalid, memberId));
    const member = group.members.get(memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, params, respond);
      case 'CompletingRebalance':
        // Same metadata: it missed the JoinGroup answer; give it again.
        if (member.matches(params.protocols)) return respond(group.joinResult(memberId, group.isLeader(memberId)));
        return this.updateMemberAndRebalance(group, member, params, respond);
      case 'Stable':
        // The leader rejoining forces a rebalance (it may have seen topics change), as does new metadata.
        if (group.isLeader(memberId) || !member.matches(params.protocols)) return this.updateMemberAndRebalance(group, member, params, respond);
        return respond(group.joinResult(memberId, false));
      default:
        return respond(joinError('UNKNOWN_MEMBER_ID', memberId));
    }
  }

  private addMemberAndRebalance(group: Group, memberId: string, params: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    const member = new Member(memberId, params.groupInstanceId, params.clientId, params.clientHost, params.rebalanceTimeoutMs, params.sessionTimeoutMs, params.protocolType, params.protocols);
    member.isNew = true;
    member.joinWaiter = respond;
    if (group.initialDelayActive) group.newMemberAdded = true;
    group.add(member);
    // A new member cannot heartbeat: a parked join that is never completed drops it after this.
    this.scheduleSession(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group);
  }

  private updateMemberAndRebalance(group: Group, member: Member, params: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    member.answerJoin(joinError('REBALANCE_IN_PROGRESS', member.memberId)); // an earlier JoinGroup of the same member
    member.protocols = params.protocols;
    member.rebalanceTimeoutMs = params.rebalanceTimeoutMs;
    member.sessionTimeoutMs = params.sessionTimeoutMs;
    member.joinWaiter = respond;
    this.maybePrepareRebalance(group);
  }

  /**
   * A static member rejoins with a new member id: the old id is fenced and the member keeps
   * its place and assignment. In a Stable group whose protocol would not change there is no
   * rebalance: the new id is persisted and the member gets the current generation.
   */
  private replaceStaticMember(group: Group, oldMemberId: string, newMemberId: string, params: JoinGroupParams, respond: (result: JoinGroupResult) => void): void {
    const old = group.members.get(oldMemberId)!;
    old.answerJoin(joinError('FENCED_INSTANCE_ID', oldMemberId));
    old.answerSync(syncError('FENCED_INSTANCE_ID'));
    // Kafka answers a Stable takeover with the leader as it was before, so a replaced leader's
    // new instance does not think it leads and compute an assignment over no members.
    const leaderBefore = group.leaderId;
    const member = group.replaceStaticMember(params.groupInstanceId!, oldMemberId, newMemberId);
    member.protocols = params.protocols;
    member.rebalanceTimeoutMs = params.rebalanceTimeoutMs;
    member.sessionTimeoutMs = params.sessionTimeoutMs;
    member.clientId = params.clientId;
    member.clientHost = params.clientHost;
    member.joinWaiter = respond;
    this.scheduleSession(group, member);
    switch (group.state) {
      case 'Stable': {
        if (group.selectProtocol() !== group.protocolName) return this.prepareRebalance(group);
        const generationId = group.generationId;
        // Meanwhile the member counts as joined: a rebalance that starts answers it instead.
        this.host.persistGroup(group).then(
          () => {
            if (member.joinWaiter === respond && group.state === 'Stable' && group.generationId === generationId) member.answerJoin(group.joinResult(newMemberId, false, leaderBefore));
          },
          (error) => {
            if (member.joinWaiter === respond) member.answerJoin(joinError(storeError(error), newMemberId));
          },
        );
        return;
      }
      case 'CompletingRebalance':
        // The leader may have assigned to the old id: rebalance so the new one gets its share.
        return this.prepareRebalance(group);
      case 'PreparingRebalance':
        return;
      default:
        throw new Error(`group ${group.groupId}: a static member cannot be replaced in state ${group.state}`);
    }
  }

  // ---- Rebalancing ------------------------------------------------------------------------

  private maybePrepareRebalance(group: Group): void {
    if (group.canRebalance) this.prepareRebalance(group);
  }

  private prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) {
        member.assignment = EMPTY_BYTES;
        this.answerSync(group, member, syncError('REBALANCE_IN_PROGRESS'));
      }
    }
    group.syncTimer?.cancel();
    group.syncTimer = null;
    group.pendingSync.clear();
    group.joinTimer?.cancel();
    const fromEmpty = group.state === 'Empty';
    group.transitionTo('PreparingRebalance');
    const delay = this.initialRebalanceDelayMs;
    if (fromEmpty && delay > 0) {
      group.initialDelayActive = true;
      group.newMemberAdded = false;
      this.armInitialDelay(group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
      return;
    }
    group.joinTimer = this.scheduler.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group));
    this.tryCompleteJoin(group);
  }

  /** Kafka's InitialDelayedJoin: wait `delayMs`; if members kept coming, wait again, up to the rebalance timeout. */
  private armInitialDelay(group: Group, delayMs: number, remainingMs: number): void {
    group.joinTimer = this.scheduler.schedule(delayMs, () => {
      group.joinTimer = null;
      if (group.newMemberAdded && remainingMs > 0) {
        group.newMemberAdded = false;
        const next = Math.min(this.initialRebalanceDelayMs, remainingMs);
        return this.armInitialDelay(group, next, remainingMs - next);
      }
      group.initialDelayActive = false;
      this.completeJoin(group);
    });
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state === 'PreparingRebalance' && !group.initialDelayActive && group.allMembersJoined()) this.completeJoin(group);
  }

  /**
   * Ends the join phase: members that did not rejoin are dropped, the generation advances,
   * and every member gets its JoinGroup answer (the leader with everyone's metadata).
   */
  private completeJoin(group: Group): void {
    group.joinTimer?.cancel();
    group.joinTimer = null;
    group.initialDelayActive = false;
    if (group.state !== 'PreparingRebalance' || this.host.unavailable() !== null) return;
    for (const member of [...group.members.values()]) if (!member.awaitingJoin) this.dropMember(group, member);
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transitionTo('Empty');
      group.emptySince = this.clock.now();
      this.host.persistGroup(group).catch((error) => this.host.warn(`could not persist empty group ${group.groupId}`, error));
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance');
    for (const member of group.members.values()) {
      member.isNew = false;
      member.answerJoin(group.joinResult(member.memberId, group.isLeader(member.memberId)));
      this.scheduleSession(group, member);
      group.pendingSync.add(member.memberId);
    }
    const generationId = group.generationId;
    group.syncTimer = this.scheduler.schedule(group.rebalanceTimeoutMs(), () => this.expirePendingSync(group, generationId));
  }

  /** Members that got this generation's JoinGroup answer but never sent SyncGroup within the rebalance timeout are dropped. */
  private expirePendingSync(group: Group, generationId: number): void {
    group.syncTimer = null;
    if (group.generationId !== generationId || (group.state !== 'CompletingRebalance' && group.state !== 'Stable') || group.pendingSync.size === 0) return;
    for (const memberId of [...group.pendingSync]) {
      const member = group.members.get(memberId);
      if (member) this.dropMember(group, member);
    }
    this.prepareRebalance(group);
  }

  /**
   * Answers a member's parked SyncGroup and gives it a full session from now: it was alive
   * while parked, and its next heartbeat can only come after this answer (as Kafka's
   * propagateAssignment does).
   */
  private answerSync(group: Group, member: Member, result: SyncGroupResult): void {
    if (!member.awaitingSync) return;
    member.answerSync(result);
    this.scheduleSession(group, member);
  }

  private markSynced(group: Group, memberId: string): void {
    group.pendingSync.delete(memberId);
    if (group.pendingSync.size === 0) {
      group.syncTimer?.cancel();
      group.syncTimer = null;
    }
  }

  /** Removes a member without reacting: its waiting requests get UNKNOWN_MEMBER_ID. */
  private dropMember(group: Group, member: Member): void {
    member.answerJoin(joinError('UNKNOWN_MEMBER_ID', member.memberId));
    member.answerSync(syncError('UNKNOWN_MEMBER_ID'));
    member.sessionTimer?.cancel();
    member.sessionTimer = null;
    group.remove(member.memberId);
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member): void {
    this.dropMember(group, member);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else this.tryCompleteJoin(group);
  }

  // ---- SyncGroup, Heartbeat, LeaveGroup ------------------------------------------------------

  /** Resolves with the member's assignment once the leader's is persisted (or with the reason there is none). */
  syncGroup(params: SyncGroupParams, signal?: AbortSignal): Promise<SyncGroupResult> {
    return parked(signal, syncError('NOT_COORDINATOR'), (respond) => this.sync(params, respond));
  }

  private sync(params: SyncGroupParams, respond: (result: SyncGroupResult) => void): void {
    const fail = (error: KafkaErrorName) => respond(syncError(error));
    const unavailable = this.host.unavailable();
    if (unavailable) return fail(unavailable);
    if (params.groupId === '') return fail('INVALID_GROUP_ID');
    const group = this.host.groups.get(params.groupId);
    if (!group) return fail('UNKNOWN_MEMBER_ID');
    if (group.state === 'Dead') return fail('COORDINATOR_NOT_AVAILABLE');
    const invalid = group.validateMember(params.memberId, params.groupInstanceId);
    if (invalid !== 'NONE') return fail(invalid);
    if (params.generationId !== group.generationId) return fail('ILLEGAL_GENERATION');
    // SyncGroup v5+ (KIP-559): as Kafka, only a value both sides have can be inconsistent.
    const differs = (given: string | null, own: string | null) => given !== null && own !== null && given !== own;
    if (differs(params.protocolType, group.protocolType) || differs(params.protocolName, group.protocolName)) return fail('INCONSISTENT_GROUP_PROTOCOL');
    const member = group.members.get(params.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        return fail('REBALANCE_IN_PROGRESS');
      case 'CompletingRebalance':
        member.answerSync(syncError('REBALANCE_IN_PROGRESS')); // an earlier SyncGroup of the same member
        member.syncWaiter = respond;
        this.markSynced(group, member.memberId);
        this.scheduleSession(group, member);
        if (group.isLeader(member.memberId)) this.completeAssignment(group, params.assignments);
        return;
      case 'Stable':
        this.markSynced(group, member.memberId);
        this.scheduleSession(group, member);
        return respond({ error: 'NONE', protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
      default:
        return fail('UNKNOWN_MEMBER_ID');
    }
  }

  /** The leader's assignment: persisted first, then handed to every member waiting in SyncGroup. */
  private completeAssignment(group: Group, assignments: SyncGroupParams['assignments']): void {
    const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    const planned = new Map([...group.members.keys()].map((id) => [id, given.get(id) ?? EMPTY_BYTES]));
    const generationId = group.generationId;
    const current = () => group.state === 'CompletingRebalance' && group.generationId === generationId;
    this.host.persistGroup(group, planned).then(
      () => {
        if (!current()) return;
        for (const member of group.members.values()) member.assignment = planned.get(member.memberId) ?? EMPTY_BYTES;
        group.transitionTo('Stable');
        for (const member of group.members.values()) {
          this.answerSync(group, member, { error: 'NONE', protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
        }
      },
      (error) => {
        this.host.warn(`could not persist the assignment of group ${group.groupId}`, error);
        if (!current()) return;
        const code = storeError(error);
        for (const member of group.members.values()) this.answerSync(group, member, syncError(code));
        this.prepareRebalance(group);
      },
    );
  }

  heartbeat(params: HeartbeatParams): KafkaErrorName {
    const unavailable = this.host.unavailable();
    if (unavailable) return unavailable;
    if (params.groupId === '') return 'INVALID_GROUP_ID';
    const group = this.host.groups.get(params.groupId);
    if (!group) return 'UNKNOWN_MEMBER_ID';
    if (group.state === 'Dead') return 'COORDINATOR_NOT_AVAILABLE';
    const invalid = group.validateMember(params.memberId, params.groupInstanceId);
    if (invalid !== 'NONE') return invalid;
    if (params.generationId !== group.generationId) return 'ILLEGAL_GENERATION';
    const member = group.members.get(params.memberId)!;
    switch (group.state) {
      case 'PreparingRebalance':
        this.scheduleSession(group, member);
        return 'REBALANCE_IN_PROGRESS';
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleSession(group, member);
        return 'NONE';
      default:
        return 'UNKNOWN_MEMBER_ID';
    }
  }

  leaveGroup(params: LeaveGroupParams): LeaveGroupResult {
    const all = (error: KafkaErrorName, perMember: KafkaErrorName): LeaveGroupResult => ({
      error,
      members: params.members.map((m) => ({ ...m, error: perMember })),
    });
    const unavailable = this.host.unavailable();
    if (unavailable) return all(unavailable, unavailable);
    if (params.groupId === '') return all('INVALID_GROUP_ID', 'INVALID_GROUP_ID');
    const group = this.host.groups.get(params.groupId);
    if (!group) return all('NONE', 'UNKNOWN_MEMBER_ID');
    if (group.state === 'Dead') return all('COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_NOT_AVAILABLE');
    const members = params.members.map(({ memberId, groupInstanceId }) => {
      const leave = (error: KafkaErrorName) => ({ memberId, groupInstanceId, error });
      if (groupInstanceId !== null) {
        const existing = group.staticMemberId(groupInstanceId);
        if (existing === undefined) return leave('UNKNOWN_MEMBER_ID');
        if (memberId !== '' && memberId !== existing) return leave('FENCED_INSTANCE_ID');
        this.removeMemberAndUpdateGroup(group, group.members.get(existing)!);
        return leave('NONE');
      }
      const pending = group.pendingMembers.get(memberId);
      if (pending) {
        pending.cancel();
        group.pendingMembers.delete(memberId);
        this.tryCompleteJoin(group);
        return leave('NONE');
      }
      const member = group.members.get(memberId);
      if (!member) return leave('UNKNOWN_MEMBER_ID');
      this.removeMemberAndUpdateGroup(group, member);
      return leave('NONE');
    });
    return { error: 'NONE', members };
  }
}

/**
 * A request that may wait: `start` gets a respond function that settles the promise once.
 * When `signal` fires first, the promise settles with `onAbort`, and a later respond does nothing.
 */
function parked<T>(signal: AbortSignal | undefined, onAbort: T, start: (respond: (result: T) => void) => void): Promise<T> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(onAbort);
    let settled = false;
    const abort = () => respond(onAbort);
    const respond = (result: T) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', abort);
      resolve(result);
    };
    signal?.addEventListener('abort', abort, { once: true });
    start(respond);
  });
}
