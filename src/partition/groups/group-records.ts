/**
 * The records of `__consumer_offsets`, in Kafka's byte layout (apache/kafka
 * group-coordinator/src/main/resources/common/message/{OffsetCommitKey,OffsetCommitValue,
 * GroupMetadataKey,GroupMetadataValue}.json), so Kafka's tools could read our log.
 *
 * Every key and every value starts with an int16 version; the rest is big-endian, strings
 * are int16 length + UTF-8 (-1: null), bytes are int32 length + bytes, arrays are int32 count
 * + elements.
 *
 *   key v0/v1  OffsetCommitKey     group string, topic string, partition int32
 *   key v2     GroupMetadataKey    group string
 *
 *   OffsetCommitValue (we write v3)
 *     offset int64, leaderEpoch int32 (v3), metadata string, commitTimestamp int64,
 *     expireTimestamp int64 (v1 only)
 *   GroupMetadataValue (we write v3)
 *     protocolType string, generation int32, protocol nullable string, leader nullable string,
 *     currentStateTimestamp int64 (v2+), members [
 *       memberId string, groupInstanceId nullable string (v3+), clientId string,
 *       clientHost string, rebalanceTimeout int32 (v1+), sessionTimeout int32,
 *       subscription bytes, assignment bytes ]
 *
 * A null value is a tombstone: the key's offset or group is deleted. Reading accepts value
 * versions 0-3 (v4 is Kafka's first flexible version, which we never write); keys of other
 * versions (transactions, KIP-848 groups) are reported as unknown and skipped by the caller.
 */

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const OFFSET_COMMIT_VALUE_VERSION = 3;
export const GROUP_METADATA_VALUE_VERSION = 3;

export interface CommittedOffset {
  offset: bigint;
  /** -1: unknown (what the versions of OffsetCommit we serve carry). */
  leaderEpoch: number;
  /** Never null: a commit without metadata stores "", as Kafka does. */
  metadata: string;
  commitTimestamp: number;
}

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** The member's metadata for the group's protocol. */
  subscription: Buffer;
  assignment: Buffer;
}

/** A group as last persisted: after each completed assignment, and when it became empty. */
export interface StoredGroup {
  protocolType: string;
  generationId: number;
  protocolName: string | null;
  leaderId: string | null;
  /** When the group entered its current state (for an empty group, when it became empty); -1 unknown. */
  currentStateTimestamp: number;
  members: StoredMember[];
}

export type OffsetsRecord =
  | { kind: 'offset'; groupId: string; topic: string; partition: number; value: CommittedOffset | null }
  | { kind: 'group'; groupId: string; value: StoredGroup | null };

class Writer {
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int16(v: number): this {
    this.room(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  int64(v: bigint): this {
    this.room(8);
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
    return this;
  }

  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const length = Buffer.byteLength(v, 'utf8');
    if (length > 0x7fff) throw new RangeError(`a string of ${length} bytes does not fit an int16 length`);
    this.int16(length);
    this.room(length);
    this.pos += this.buf.write(v, this.pos, 'utf8');
    return this;
  }

  bytes(v: Buffer): this {
    this.int32(v.length);
    this.room(v.length);
    this.pos += v.copy(this.buf, this.pos);
    return this;
  }

  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

class Reader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RangeError('record runs past its end');
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    this.need(length);
    const v = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return v;
  }

  string(): string {
    const v = this.nullableString();
    if (v === null) throw new RangeError('null where a string is required');
    return v;
  }

  bytes(): Buffer {
    const length = this.int32();
    if (length < 0) return Buffer.alloc(0);
    this.need(length);
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return v;
  }
}

/** The record's key and value (null for a tombstone), as they go into a batch. */
export function encodeOffsetsRecord(record: OffsetsRecord): { key: Buffer; value: Buffer | null } {
  if (record.kind === 'offset') {
    const key = new Writer().int16(OFFSET_COMMIT_KEY_VERSION).string(record.groupId).string(record.topic).int32(record.partition).done();
    const v = record.value;
    if (!v) return { key, value: null };
    const value = new Writer().int16(OFFSET_COMMIT_VALUE_VERSION).int64(v.offset).int32(v.leaderEpoch).string(v.metadata).int64(BigInt(v.commitTimestamp)).done();
    return { key, value };
  }
  const key = new Writer().int16(GROUP_METADATA_KEY_VERSION).string(record.groupId).done();
  const g = record.value;
  if (!g) return { key, value: null };
  const w = new Writer()
    .int16(GROUP_METADATA_VALUE_VERSION)
    .string(g.protocolType)
    .int32(g.generationId)
    .string(g.protocolName)
    .string(g.leaderId)
    .int64(BigInt(g.currentStateTimestamp))
    .int32(g.members.length);
  for (const m of g.members) {
    w.string(m.memberId).string(m.groupInstanceId).string(m.clientId).string(m.clientHost);
    w.int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs).bytes(m.subscription).bytes(m.assignment);
  }
  return { key, value: w.done() };
}

/**
 * The record a key and value hold, or null for a key version this broker does not use.
 * Throws RangeError on bytes that do not parse, or a value version it cannot read.
 */
export function decodeOffsetsRecord(key: Buffer, value: Buffer | null): OffsetsRecord | null {
  const k = new Reader(key);
  const keyVersion = k.int16();
  if (keyVersion === 0 || keyVersion === OFFSET_COMMIT_KEY_VERSION) {
    const groupId = k.string();
    const topic = k.string();
    const partition = k.int32();
    return { kind: 'offset', groupId, topic, partition, value: value && decodeOffsetValue(value) };
  }
  if (keyVersion === GROUP_METADATA_KEY_VERSION) {
    return { kind: 'group', groupId: k.string(), value: value && decodeGroupValue(value) };
  }
  return null;
}

function decodeOffsetValue(value: Buffer): CommittedOffset {
  const r = new Reader(value);
  const version = r.int16();
  if (version < 0 || version > 3) throw new RangeError(`OffsetCommitValue version ${version} is not one this broker reads`);
  const offset = r.int64();
  const leaderEpoch = version >= 3 ? r.int32() : -1;
  const metadata = r.string();
  const commitTimestamp = Number(r.int64());
  if (version === 1) r.int64(); // expireTimestamp: offsets.retention.minutes decides instead
  return { offset, leaderEpoch, metadata, commitTimestamp };
}

function decodeGroupValue(value: Buffer): StoredGroup {
  const r = new Reader(value);
  const version = r.int16();
  if (version < 0 || version > 3) throw new RangeError(`GroupMetadataValue version ${version} is not one this broker reads`);
  const protocolType = r.string();
  const generationId = r.int32();
  const protocolName = r.nullableString();
  const leaderId = r.nullableString();
  const currentStateTimestamp = version >= 2 ? Number(r.int64()) : -1;
  const count = r.int32();
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = r.string();
    const groupInstanceId = version >= 3 ? r.nullableString() : null;
    const clientId = r.string();
    const clientHost = r.string();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : -1;
    const sessionTimeoutMs = r.int32();
    const subscription = r.bytes();
    const assignment = r.bytes();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs: rebalanceTimeoutMs < 0 ? sessionTimeoutMs : rebalanceTimeoutMs, sessionTimeoutMs, subscription, assignment });
  }
  return { protocolType, generationId, protocolName, leaderId, currentStateTimestamp, members };
}

/** Java's String.hashCode over UTF-16 code units, with int32 overflow. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's partition of `__consumer_offsets` for a group: Utils.abs(hashCode) % partitions (abs(MIN_VALUE) is 0). */
export function offsetsPartitionFor(groupId: string, partitions: number): number {
  const h = javaStringHashCode(groupId);
  return (h === -0x80000000 ? 0 : Math.abs(h)) % partitions;
}
