export { GroupCoordinator, OFFSET_METADATA_MAX_BYTES, DEFAULT_RETENTION_CHECK_INTERVAL_MS, type GroupCoordinatorOptions } from './group-coordinator.js';
export { NEW_MEMBER_JOIN_TIMEOUT_MS } from './group-membership.js';
export type {
  CommitOffsetsParams,
  CommitOffsetsResult,
  DescribedGroup,
  DescribedMember,
  FetchedOffset,
  FetchOffsetsResult,
  HeartbeatParams,
  JoinGroupParams,
  LeaveGroupParams,
  LeaveGroupResult,
  ListedGroup,
  SyncGroupParams,
} from './group-api.js';
export { type GroupProtocol, type GroupState, type JoinGroupMember, type JoinGroupResult, type SyncGroupResult } from './group.js';
export { OffsetStore, OFFSETS_TOPIC, OFFSETS_TOPIC_CONFIGS, DEFAULT_COMPACTION_BYTES, type CompactionResult, type OffsetStoreOptions, type OffsetStoreStatus } from './offset-store.js';
export {
  decodeOffsetsRecord,
  encodeOffsetsRecord,
  javaStringHashCode,
  offsetsPartitionFor,
  type CommittedOffset,
  type OffsetsRecord,
  type StoredGroup,
  type StoredMember,
} from './group-records.js';
export { ManualScheduler, realScheduler, type ScheduledTask, type Scheduler } from './scheduler.js';
