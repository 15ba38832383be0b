import { TidelogError } from '../common/index.js';
import { crc32c } from './crc32c.js';
import {
  ATTRIBUTES,
  BASE_SEQUENCE,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  COMPRESSION_CODECS,
  COMPRESSION_MASK,
  CONTROL_FLAG,
  CRC,
  CURRENT_MAGIC,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  PRODUCER_ID,
  RECORDS_COUNT,
} from './layout.js';

/** Why bytes at a position are not a whole, intact batch; null when they are. */
export type IntegrityProblem = 'truncated' | 'bad-length' | 'bad-magic' | 'bad-crc';

/**
 * Whether `buf[pos, limit)` starts with a whole batch whose length, magic and CRC hold.
 * This is what recovery trusts: nothing about the records themselves.
 */
export function checkBatchIntegrity(buf: Buffer, pos: number, limit = buf.length): IntegrityProblem | null {
  if (limit - pos < LOG_OVERHEAD) return 'truncated';
  const batchLength = buf.readInt32BE(pos + BATCH_LENGTH);
  if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) return 'bad-length';
  if (limit - pos < BATCH_HEADER_SIZE) return 'truncated';
  if (buf[pos + MAGIC] !== CURRENT_MAGIC) return 'bad-magic';
  const end = pos + LOG_OVERHEAD + batchLength;
  if (end > limit) return 'truncated';
  if (crc32c(buf.subarray(pos + ATTRIBUTES, end)) !== buf.readUInt32BE(pos + CRC)) return 'bad-crc';
  return null;
}

export interface ValidationLimits {
  /** `max.message.bytes`: the largest batch accepted. */
  maxMessageBytes: number;
}

/** What append needs to know about a batch it has accepted. */
export interface ValidatedBatch {
  recordsCount: number;
  sizeInBytes: number;
}

/**
 * Checks a batch a client sent for one partition, in order of cost, and throws a
 * TidelogError carrying the Kafka error code for the first failure.
 */
export function validateClientBatch(batch: Buffer, limits: ValidationLimits): ValidatedBatch {
  if (batch.length < BATCH_HEADER_SIZE) {
    throw new TidelogError('CORRUPT_MESSAGE', `record batch of ${batch.length} bytes is shorter than a batch header`);
  }
  const magic = batch.readInt8(MAGIC);
  if (magic !== CURRENT_MAGIC) {
    if (magic === 0 || magic === 1) {
      throw new TidelogError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `message format v${magic} is not supported; send record batches v2`);
    }
    throw new TidelogError('CORRUPT_MESSAGE', `unknown record batch magic ${magic}`);
  }
  const sizeInBytes = batch.readInt32BE(BATCH_LENGTH) + LOG_OVERHEAD;
  if (sizeInBytes !== batch.length) {
    throw new TidelogError('CORRUPT_MESSAGE', `batch length field says ${sizeInBytes} bytes but ${batch.length} were sent`);
  }
  if (sizeInBytes > limits.maxMessageBytes) {
    throw new TidelogError('MESSAGE_TOO_LARGE', `batch of ${sizeInBytes} bytes exceeds max.message.bytes ${limits.maxMessageBytes}`);
  }
  const crc = crc32c(batch.subarray(ATTRIBUTES));
  if (crc !== batch.readUInt32BE(CRC)) {
    throw new TidelogError('CORRUPT_MESSAGE', 'record batch CRC-32C does not match its contents');
  }
  const recordsCount = batch.readInt32BE(RECORDS_COUNT);
  const lastOffsetDelta = batch.readInt32BE(LAST_OFFSET_DELTA);
  if (recordsCount <= 0 || lastOffsetDelta + 1 !== recordsCount) {
    throw new TidelogError('INVALID_RECORD', `batch claims ${recordsCount} records but a last offset delta of ${lastOffsetDelta}`);
  }
  const codecId = batch.readInt16BE(ATTRIBUTES) & COMPRESSION_MASK;
  if (COMPRESSION_CODECS[codecId] === undefined) {
    throw new TidelogError('UNSUPPORTED_COMPRESSION_TYPE', `compression codec id ${codecId} is not one of Kafka's (0-4)`);
  }
  if ((batch.readInt16BE(ATTRIBUTES) & CONTROL_FLAG) !== 0) {
    throw new TidelogError('INVALID_RECORD', 'clients may not produce control batches');
  }
  if (batch.readBigInt64BE(PRODUCER_ID) >= 0n && batch.readInt32BE(BASE_SEQUENCE) < 0) {
    throw new TidelogError('INVALID_RECORD', 'an idempotent batch needs a base sequence');
  }
  return { recordsCount, sizeInBytes };
}
