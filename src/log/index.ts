export { PartitionLog, type AppendOptions, type AppendResult, type LogOptions, type RetentionResult, type SegmentInfo } from './partition-log.js';
export { realFileSystem, type FileSystem, type LogFileHandle } from './fs.js';
export { FaultyFileSystem, type CrashTail } from './faulty-fs.js';
export { type RecoveryReport, type ScanPlacement } from './recovery.js';
export { closeScanPool } from './scan-pool.js';
export { CLEAN_SHUTDOWN_FILE, partitionDirName, parseSegmentFileName, RECOVERY_POINT_FILE, segmentFileName, TEMP_SUFFIX } from './file-names.js';
export { type RollReason } from './roll.js';
export { type RetentionReason } from './retention.js';
export { writeFileAtomically } from './atomic-file.js';
