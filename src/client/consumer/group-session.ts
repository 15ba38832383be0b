import { TidelogError } from '../errors.js';
import { GroupMembership, type GroupMembershipOptions, type TopicPartition } from '../group/index.js';

/**
 * The consumer's side of a group membership: builds the GroupMembership for a subscription,
 * joins on the first poll, rejoins when the group asks (each poll checks), and hands the
 * consumer every revoke and assignment through its two callbacks. GroupMembership does the
 * protocol; this only wires it to the consumer's life.
 */
export interface GroupSessionOptions extends Omit<GroupMembershipOptions, 'onPartitionsRevoked' | 'onPartitionsAssigned'> {
  /** Commit what was consumed and let go of the partitions; must not throw. */
  onRevoked(partitions: TopicPartition[]): Promise<void>;
  /** Take the new assignment (all of it). */
  onAssigned(partitions: TopicPartition[]): Promise<void>;
}

export class GroupSession {
  readonly membership: GroupMembership;
  readonly topics: readonly string[];

  constructor(options: GroupSessionOptions) {
    try {
      this.membership = new GroupMembership({
        cluster: options.cluster,
        groupId: options.groupId,
        topics: options.topics,
        assignors: options.assignors,
        sessionTimeoutMs: options.sessionTimeoutMs,
        rebalanceTimeoutMs: options.rebalanceTimeoutMs,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        groupInstanceId: options.groupInstanceId,
        onPartitionsRevoked: (partitions) => options.onRevoked(partitions),
        onPartitionsAssigned: (partitions) => options.onAssigned(partitions),
      });
    } catch (error) {
      if (error instanceof TypeError) throw new TidelogError('INVALID_CONFIG', `Consumer: ${error.message}`, { cause: error });
      throw error;
    }
    this.topics = this.membership.topics;
  }

  /** Joins or rejoins if the group needs it; true if the assignment may have changed. */
  async ensureActive(signal?: AbortSignal): Promise<boolean> {
    if (this.membership.active) return false;
    return this.membership.ensureActive(signal);
  }

  commit(offsets: { topic: string; partition: number; offset: bigint }[]): Promise<void> {
    return this.membership.commit(offsets);
  }

  leave(): Promise<void> {
    return this.membership.leave();
  }
}
