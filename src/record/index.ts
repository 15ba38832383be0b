export * from './layout.js';
export { crc32c } from './crc32c.js';
export { checkBatchIntegrity, validateClientBatch, type IntegrityProblem, type ValidatedBatch, type ValidationLimits } from './validate.js';
export { decodeRecords, readRecord, readRecordHeaders, recordsSection, emptyRecordFields, type DecodedRecord, type RecordFields, type RecordHeader } from './records.js';
export { buildBatch, writeBatchHeader, type BatchHeaderFields, type BatchOptions, type RecordInput } from './builder.js';
export { codecFor, registerCodec, type Codec } from './compression.js';
export * from './varint.js';
