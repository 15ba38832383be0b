export { PartitionLog, type AppendOptions, type AppendResult, type LogOptions, type RetentionResult, type SegmentInfo } from './partition-log.js';
export { realFileSystem, type FileSystem, type LogFileHandle } from './fs.js';
export { FaultyFileSystem, type CrashTail } from './faulty-fs.js';
export { type RecoveryReport, type ScanPlacement } from './recovery.js';
export { closeScanPool } from './scan-pool.js';
export { partitionDirName, segmentFileName, parseSegmentFileName } from './file-names.js';
export { type RollReason } from './roll.js';
export { type RetentionReason } from './retention.js';
export { writeFileAtomically } from './atomic-file.js';
