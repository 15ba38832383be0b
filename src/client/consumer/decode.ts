import {
  ATTRIBUTES,
  BASE_TIMESTAMP,
  BATCH_LENGTH,
  codecFor,
  compressionOf,
  CONTROL_FLAG,
  CRC,
  crc32c,
  CURRENT_MAGIC,
  emptyRecordFields,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  RECORDS,
  readRecord,
  readRecordHeaders,
  RECORDS_COUNT,
  TIMESTAMP_TYPE_MASK,
  type RecordHeader,
} from '../../record/index.js';
import { TidelogError } from '../errors.js';
import type { Deserializer } from './options.js';
import type { ConsumerRecord } from './types.js';

/**
 * Record batches as a Fetch returns them, to the records an application sees.
 *
 * - A response may start with a batch that begins before the fetch offset (the broker
 *   answers with whole batches, and compressed ones can't be split): records below the
 *   position are skipped.
 * - It may end with a partial batch, cut by the byte limits: `wholeBatches` trims it before
 *   the chunk is buffered, and the next Fetch starts where the whole ones end.
 * - Control batches (transaction markers, attribute bit 5) carry no application records.
 * - Compressed batches are decompressed through the record layer's codec registry.
 */

export interface WholeBatches {
  /** The whole batches, a view of `records`. */
  bytes: Buffer;
  /** The offset after the last whole batch; null if there is none. */
  nextOffset: bigint | null;
}

/** The whole batches at the front of a partition's records, and where they end. */
export function wholeBatches(records: Buffer): WholeBatches {
  let pos = 0;
  let nextOffset: bigint | null = null;
  let lastStart = -1;
  while (pos + RECORDS <= records.length) {
    const size = records.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    if (size < RECORDS || pos + size > records.length) break;
    lastStart = pos;
    pos += size;
  }
  if (lastStart >= 0) nextOffset = records.readBigInt64BE(lastStart) + BigInt(records.readInt32BE(lastStart + LAST_OFFSET_DELTA)) + 1n;
  return { bytes: records.subarray(0, pos), nextOffset };
}

export interface DecodeContext<K, V> {
  topic: string;
  partition: number;
  keyDeserializer: Deserializer<K> | null;
  valueDeserializer: Deserializer<V> | null;
  checkCrcs: boolean;
}

const NO_HEADERS: readonly RecordHeader[] = Object.freeze([]);

export interface Decoded<K, V> {
  /** The records read, up to the first that could not be (if any). */
  records: ConsumerRecord<K, V>[];
  /** Why reading stopped early, or null if every batch was read. */
  failure: TidelogError | null;
  /** With a failure: the offset of the record (or start of the batch) that could not be read. */
  failedAt: bigint;
}

/**
 * The records at or after `from` in `bytes` (whole batches), deserialized. A batch that can't
 * be read (CRC, format, compression, layout) or a record the deserializer rejects stops the
 * reading there: what came before is returned with the failure, so the application gets every
 * good record up to the bad one, as Kafka's consumer does.
 */
export function decodeBatches<K, V>(bytes: Buffer, from: bigint, context: DecodeContext<K, V>): Decoded<K, V> {
  const { topic, partition } = context;
  const records: ConsumerRecord<K, V>[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const size = bytes.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD;
    const batch = bytes.subarray(pos, pos + size);
    pos += size;
    const attributes = batch.readInt16BE(ATTRIBUTES);
    const baseOffset = batch.readBigInt64BE(0);
    if (baseOffset + BigInt(batch.readInt32BE(LAST_OFFSET_DELTA)) < from) continue;
    const readBefore = records.length;
    try {
      const magic = batch.readInt8(MAGIC);
      if (magic !== CURRENT_MAGIC) throw new TidelogError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `${topic}-${partition}: the record batch at offset ${baseOffset} has magic ${magic}; only v2 is supported`);
      if ((attributes & CONTROL_FLAG) !== 0) continue;
      if (context.checkCrcs && crc32c(batch.subarray(ATTRIBUTES)) !== batch.readUInt32BE(CRC)) {
        throw new TidelogError('CORRUPT_MESSAGE', `${topic}-${partition}: the record batch at offset ${baseOffset} fails its CRC-32C check`);
      }
      const compression = compressionOf(attributes);
      const section = batch.subarray(RECORDS);
      const body = compression === 'none' ? section : codecFor(compression).decompress(section);
      readRecords(body, batch, baseOffset, from, context, records);
    } catch (error) {
      if (error instanceof RecordRejected) return { records, failure: error.error, failedAt: error.offset };
      records.length = readBefore; // none of a batch that can't be read
      const failure =
        error instanceof RangeError
          ? new TidelogError('CORRUPT_MESSAGE', `${topic}-${partition}: malformed record in the batch at offset ${baseOffset}: ${error.message}`, { cause: error })
          : error instanceof TidelogError
            ? error
            : new TidelogError('CORRUPT_MESSAGE', `${topic}-${partition}: cannot read the batch at offset ${baseOffset}: ${String(error)}`, { cause: error });
      return { records, failure, failedAt: baseOffset > from ? baseOffset : from };
    }
  }
  return { records, failure: null, failedAt: -1n };
}

/** A record the deserializer rejected, and where. */
class RecordRejected {
  constructor(
    readonly error: TidelogError,
    readonly offset: bigint,
  ) {}
}

/*
 * The records of one batch, straight into ConsumerRecords: this is the consumer's hot loop.
 * src/record's readRecord walks each record into one reused RecordFields (no per-field
 * objects); here come one BigInt per record (its offset, from a double while offsets fit in
 * 2^53) and one frozen empty array shared by records without headers. Keys and values are
 * views of the fetched (or decompressed) bytes unless a deserializer makes something else.
 * Records below the position are stepped over without building anything.
 */

function readRecords<K, V>(body: Buffer, batch: Buffer, baseOffset: bigint, from: bigint, context: DecodeContext<K, V>, out: ConsumerRecord<K, V>[]): void {
  const { topic, partition, keyDeserializer, valueDeserializer } = context;
  const count = batch.readInt32BE(RECORDS_COUNT);
  const logAppendTime = (batch.readInt16BE(ATTRIBUTES) & TIMESTAMP_TYPE_MASK) !== 0 ? Number(batch.readBigInt64BE(MAX_TIMESTAMP)) : -1;
  const baseTimestamp = Number(batch.readBigInt64BE(BASE_TIMESTAMP));
  const smallBase = baseOffset >= 0n && baseOffset < MAX_SAFE ? Number(baseOffset) : -1;
  // Records below the position: only in the first batch of a fetch; compare deltas, not BigInts.
  const firstDelta = from > baseOffset ? Number(from - baseOffset) : 0;
  const limit = body.length;
  const fields = emptyRecordFields();
  let pos = 0;
  for (let i = 0; i < count; i++) {
    pos = readRecord(body, pos, limit, fields);
    const offsetDelta = fields.offsetDelta;
    if (offsetDelta < firstDelta) continue;
    const keyBytes = fields.key;
    const valueBytes = fields.value;
    const headers = fields.headerCount === 0 ? NO_HEADERS : readRecordHeaders(body, fields);
    const offset = smallBase >= 0 ? BigInt(smallBase + offsetDelta) : baseOffset + BigInt(offsetDelta);
    let key: K | null = null;
    let value: V | null = null;
    try {
      if (keyBytes !== null) key = keyDeserializer === null ? (keyBytes as K) : keyDeserializer.deserialize(keyBytes);
      if (valueBytes !== null) value = valueDeserializer === null ? (valueBytes as V) : valueDeserializer.deserialize(valueBytes);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new RecordRejected(new TidelogError('INVALID_RECORD', `${topic}-${partition}: cannot deserialize the record at offset ${offset}: ${reason}`, { cause: error }), offset);
    }
    out.push({ topic, partition, offset, timestamp: logAppendTime >= 0 ? logAppendTime : baseTimestamp + fields.timestampDelta, key, value, headers });
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
