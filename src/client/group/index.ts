/**
 * The client side of Kafka's classic consumer group protocol: assignors, the "consumer"
 * protocol's subscription and assignment bytes, a member's lifecycle (GroupMembership), and
 * committed offsets.
 */
export { rangeAssignor, roundRobinAssignor, DEFAULT_ASSIGNORS, type Assignor, type AssignorMember, type TopicPartition } from './assignors.js';
export {
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
  ConsumerProtocolSubscriptionSchema,
  ConsumerProtocolAssignmentSchema,
  SUBSCRIPTION_VERSION,
  ASSIGNMENT_VERSION,
  type Subscription,
  type Assignment,
  type ConsumerProtocolSubscription,
  type ConsumerProtocolAssignment,
} from './consumer-protocol.js';
export { GroupMembership, LEAVE_TIMEOUT_MS, type GroupMembershipOptions } from './membership.js';
export { fetchCommittedOffsets, commitOffsets, type CommittedOffset, type OffsetToCommit, type CommittingMember } from './committed-offsets.js';
