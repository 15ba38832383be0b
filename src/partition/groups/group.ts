import type { KafkaErrorName } from '../../common/index.js';
import type { ScheduledTask } from './scheduler.js';

/**
 * One classic consumer group's membership and its state machine, as Kafka's GroupMetadata
 * (ClassicGroup) has it. No I/O and no timers of its own: the coordinator drives it and keeps
 * the timer handles here. Transitions outside Kafka's table throw, because they are bugs.
 *
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance
 *     ▲                 │      ▲                                       │ leader's SyncGroup
 *     └─ no member left ┘      └──── join, leave, expiry ◀──── Stable ◀┘
 *   any ──deleted / expired──▶ Dead
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

const VALID_PREVIOUS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
};

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

/** What a JoinGroup gets back. On error only `error` and `memberId` mean anything. */
export interface JoinGroupResult {
  error: KafkaErrorName;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  /** Every member with its metadata for the chosen protocol, for the leader only. */
  members: JoinGroupMember[];
}

export interface SyncGroupResult {
  error: KafkaErrorName;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export const EMPTY_BYTES = Buffer.alloc(0);

export function joinError(error: KafkaErrorName, memberId: string): JoinGroupResult {
  return { error, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, members: [] };
}

export function syncError(error: KafkaErrorName): SyncGroupResult {
  return { error, protocolType: null, protocolName: null, assignment: EMPTY_BYTES };
}

export class Member {
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  joinWaiter: ((result: JoinGroupResult) => void) | null = null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  syncWaiter: ((result: SyncGroupResult) => void) | null = null;
  assignment: Buffer = EMPTY_BYTES;
  /** Added in the rebalance under way: it has no generation yet. */
  isNew = false;
  sessionTimer: ScheduledTask | null = null;

  constructor(
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: GroupProtocol[],
  ) {}

  get awaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  get awaitingSync(): boolean {
    return this.syncWaiter !== null;
  }

  metadataFor(protocolName: string): Buffer {
    return this.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY_BYTES;
  }

  /** The same protocols, in the same order, with the same metadata. */
  matches(protocols: readonly GroupProtocol[]): boolean {
    return protocols.length === this.protocols.length && protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** Answers a waiting JoinGroup, if any. */
  answerJoin(result: JoinGroupResult): void {
    const waiter = this.joinWaiter;
    this.joinWaiter = null;
    waiter?.(result);
  }

  /** Answers a waiting SyncGroup, if any. */
  answerSync(result: SyncGroupResult): void {
    const waiter = this.syncWaiter;
    this.syncWaiter = null;
    waiter?.(result);
  }
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  /** Set by the first member and kept while the group lives, as Kafka does. */
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** In join order: the leader is the first member still present. */
  readonly members = new Map<string, Member>();
  private readonly staticMembers = new Map<string, string>();
  /** Ids handed out with MEMBER_ID_REQUIRED, not yet used to join, with their expiry. */
  readonly pendingMembers = new Map<string, ScheduledTask>();
  /** Members of this generation that have not sent SyncGroup yet. */
  readonly pendingSync = new Set<string>();
  /** When the group last became empty (KIP-211: its offsets expire from then); null if it never had members. */
  emptySince: number | null = null;
  /** True while the first rebalance of an empty group waits group.initial.rebalance.delay.ms for more members. */
  initialDelayActive = false;
  newMemberAdded = false;
  joinTimer: ScheduledTask | null = null;
  syncTimer: ScheduledTask | null = null;

  constructor(readonly groupId: string) {}

  transitionTo(state: GroupState): void {
    if (!VALID_PREVIOUS[state].includes(this.state)) throw new Error(`group ${this.groupId}: illegal transition ${this.state} -> ${state}`);
    this.state = state;
  }

  get canRebalance(): boolean {
    return this.state === 'Stable' || this.state === 'CompletingRebalance' || this.state === 'Empty';
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  add(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.leaderId ??= member.memberId;
  }

  remove(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (!member) return undefined;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) this.staticMembers.delete(member.groupInstanceId);
    this.pendingSync.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  /** A static member comes back under a new member id: same member, same place, same assignment. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): Member {
    const member = this.members.get(oldMemberId);
    if (!member || member.groupInstanceId !== groupInstanceId) throw new Error(`group ${this.groupId}: no static member ${groupInstanceId} as ${oldMemberId}`);
    const entries = [...this.members.entries()].map(([id, m]): [string, Member] => (id === oldMemberId ? [newMemberId, m] : [id, m]));
    this.members.clear();
    for (const [id, m] of entries) this.members.set(id, m);
    member.memberId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSync.delete(oldMemberId)) this.pendingSync.add(newMemberId);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    return member;
  }

  /** UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID unless (memberId, groupInstanceId) is a current member; else NONE. */
  validateMember(memberId: string, groupInstanceId: string | null): KafkaErrorName {
    if (groupInstanceId !== null) {
      const existing = this.staticMembers.get(groupInstanceId);
      if (existing === undefined) return 'UNKNOWN_MEMBER_ID';
      if (existing !== memberId) return 'FENCED_INSTANCE_ID';
      return 'NONE';
    }
    return this.members.has(memberId) ? 'NONE' : 'UNKNOWN_MEMBER_ID';
  }

  /**
   * Whether a member with these protocols may join: an empty group takes any non-empty
   * protocol type with at least one protocol; otherwise the type must match and one protocol
   * must be supported by every current member.
   */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    if (this.protocolType !== protocolType) return false;
    return protocols.some((p) => [...this.members.values()].every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /**
   * The protocol for the next generation: among those every member supports, the one most
   * members list first (among those); ties go to the earlier in the first member's list.
   */
  selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    if (candidates.length === 0) throw new Error(`group ${this.groupId}: members share no protocol`);
    const votes = new Map<string, number>(candidates.map((c) => [c, 0]));
    for (const m of members) {
      const choice = m.protocols.find((p) => votes.has(p.name))!.name;
      votes.set(choice, votes.get(choice)! + 1);
    }
    let best = candidates[0]!;
    for (const c of candidates) if (votes.get(c)! > votes.get(best)!) best = c;
    return best;
  }

  /** The longest rebalance timeout of any member: how long a rebalance waits for laggards. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Every member has rejoined, and no id handed out with MEMBER_ID_REQUIRED is still unused. */
  allMembersJoined(): boolean {
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return this.pendingMembers.size === 0;
  }

  /** The members the leader assigns to, with their metadata for the chosen protocol. */
  memberMetadata(): JoinGroupMember[] {
    const protocol = this.protocolName ?? '';
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocol) }));
  }

  /** The JoinGroup answer for a member of the current generation. */
  joinResult(memberId: string, withMembers: boolean, leader = this.leaderId): JoinGroupResult {
    return {
      error: 'NONE',
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: leader ?? '',
      memberId,
      members: withMembers ? this.memberMetadata() : [],
    };
  }
}
