/**
 * RecordBatch v2 (magic 2), Kafka's on-disk and on-wire unit. Big-endian:
 *
 *   0 BaseOffset int64           set by the broker at append
 *   8 BatchLength int32          bytes after this field (total size - 12)
 *  12 PartitionLeaderEpoch int32 set by the broker; not covered by the CRC
 *  16 Magic int8 = 2
 *  17 CRC uint32                 CRC-32C of bytes [21, end)
 *  21 Attributes int16           bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control
 *  23 LastOffsetDelta int32
 *  27 BaseTimestamp int64
 *  35 MaxTimestamp int64
 *  43 ProducerId int64
 *  51 ProducerEpoch int16
 *  53 BaseSequence int32
 *  57 RecordsCount int32
 *  61 Records
 *
 * BaseOffset and PartitionLeaderEpoch lie outside the CRC, which is what lets a broker
 * stamp offsets into a client's batch without decoding or re-checksumming it.
 */
export const BASE_OFFSET = 0;
export const BATCH_LENGTH = 8;
export const PARTITION_LEADER_EPOCH = 12;
export const MAGIC = 16;
export const CRC = 17;
export const ATTRIBUTES = 21;
export const LAST_OFFSET_DELTA = 23;
export const BASE_TIMESTAMP = 27;
export const MAX_TIMESTAMP = 35;
export const PRODUCER_ID = 43;
export const PRODUCER_EPOCH = 51;
export const BASE_SEQUENCE = 53;
export const RECORDS_COUNT = 57;
export const RECORDS = 61;

/** Bytes before BatchLength's count starts: BaseOffset and BatchLength itself. */
export const LOG_OVERHEAD = 12;
/** The smallest possible batch: a header and no records. */
export const BATCH_HEADER_SIZE = RECORDS;
export const CURRENT_MAGIC = 2;

export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG = 0x10;
export const CONTROL_FLAG = 0x20;

export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
export const COMPRESSION_CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The header fields of one batch, read without touching its records. */
export interface BatchHeader {
  baseOffset: bigint;
  /** Total size in bytes, BaseOffset to the end of the last record. */
  sizeInBytes: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
}

export function readBatchHeader(buf: Buffer, pos = 0): BatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(pos + BASE_OFFSET),
    sizeInBytes: buf.readInt32BE(pos + BATCH_LENGTH) + LOG_OVERHEAD,
    partitionLeaderEpoch: buf.readInt32BE(pos + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(pos + MAGIC),
    crc: buf.readUInt32BE(pos + CRC),
    attributes: buf.readInt16BE(pos + ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(pos + LAST_OFFSET_DELTA),
    baseTimestamp: buf.readBigInt64BE(pos + BASE_TIMESTAMP),
    maxTimestamp: buf.readBigInt64BE(pos + MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(pos + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BASE_SEQUENCE),
    recordsCount: buf.readInt32BE(pos + RECORDS_COUNT),
  };
}

export function compressionOf(attributes: number): CompressionCodec {
  return COMPRESSION_CODECS[attributes & COMPRESSION_MASK] ?? 'none';
}
