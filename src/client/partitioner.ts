/**
 * Key → partition, as Kafka's Java producer does, so that a key lands on the same partition
 * whichever client wrote it: `toPositive(murmur2(keyBytes)) % numPartitions`
 * (BuiltInPartitioner.partitionForKey; Utils.murmur2 and Utils.toPositive). Null keys have no
 * hash; they are spread round-robin per topic.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's Utils.murmur2: MurmurHash2, 32-bit, seed 0x9747b28c, as a signed int32. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  const rest = length % 4; // Java's switch falls through 3 → 2 → 1
  if (rest >= 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which fails on MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

export interface PartitionInput {
  topic: string;
  /** The serialized key; null when the message has no key. */
  key: Buffer | null;
  partitionCount: number;
}

/** Picks a partition in [0, partitionCount). Stateful partitioners keep their state per instance. */
export type Partitioner = (input: PartitionInput) => number;

/** The partition Kafka's default partitioner gives a non-null key. */
export function partitionForKey(key: Uint8Array, partitionCount: number): number {
  return toPositive(murmur2(key)) % partitionCount;
}

/** murmur2 for keys; round-robin per topic for null keys. */
export function defaultPartitioner(): Partitioner {
  const next = new Map<string, number>();
  return ({ topic, key, partitionCount }) => {
    if (key !== null) return partitionForKey(key, partitionCount);
    const counter = next.get(topic) ?? 0;
    next.set(topic, (counter + 1) | 0);
    return toPositive(counter) % partitionCount;
  };
}
