import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pack, unpack } from 'msgpackr';
import { TidelogError } from '../common/index.js';
import { writeFileAtomically, type FileSystem } from '../log/index.js';

/**
 * The broker's own metadata, beside the partition directories in the data dir. Both files
 * are msgpack maps, replaced atomically (temp file, fsync, rename, fsync the directory),
 * so a crash leaves the old content or the new, never a mix:
 *
 *   meta.msgpack    { version: 1, clusterId: string }        written once, at the first start
 *   topics.msgpack  { version: 1, topics: TopicRecord[] }    rewritten on every topic change
 *
 * The topic registry is the truth: a partition directory it does not list is an orphan,
 * left by a create or delete that a crash interrupted, and is removed at start. So a
 * create makes its directories before it registers the topic, and a delete unregisters
 * the topic before it removes them.
 */
export const BROKER_METADATA_FILE = 'meta.msgpack';
export const TOPICS_FILE = 'topics.msgpack';
const VERSION = 1;

export interface TopicRecord {
  name: string;
  /** 16 random bytes, fixed at creation (Kafka's topic id). */
  topicId: Buffer;
  partitions: number;
  /** Topic-level overrides only; defaults come from the broker at each start. */
  configs: Record<string, string>;
  internal: boolean;
}

export interface BrokerMetadata {
  clusterId: string;
}

function damaged(path: string, what: string, cause?: unknown): TidelogError {
  return new TidelogError('KAFKA_STORAGE_ERROR', `${path} is damaged: ${what}`, { cause });
}

async function readMsgpack(fs: FileSystem, path: string): Promise<Record<string, unknown> | null> {
  if (!(await fs.exists(path))) return null;
  let value: unknown;
  try {
    value = unpack(await fs.readFile(path));
  } catch (cause) {
    throw damaged(path, 'not msgpack', cause);
  }
  if (typeof value !== 'object' || value === null) throw damaged(path, 'not a map');
  const record = value as Record<string, unknown>;
  if (record['version'] !== VERSION) throw damaged(path, `unknown version ${String(record['version'])}`);
  return record;
}

export async function readBrokerMetadata(fs: FileSystem, dataDir: string): Promise<BrokerMetadata | null> {
  const path = join(dataDir, BROKER_METADATA_FILE);
  const record = await readMsgpack(fs, path);
  if (!record) return null;
  if (typeof record['clusterId'] !== 'string' || record['clusterId'] === '') throw damaged(path, 'no cluster id');
  return { clusterId: record['clusterId'] };
}

export function writeBrokerMetadata(fs: FileSystem, dataDir: string, metadata: BrokerMetadata): Promise<void> {
  return writeFileAtomically(fs, join(dataDir, BROKER_METADATA_FILE), pack({ version: VERSION, clusterId: metadata.clusterId }));
}

export async function readTopicRecords(fs: FileSystem, dataDir: string): Promise<TopicRecord[] | null> {
  const path = join(dataDir, TOPICS_FILE);
  const record = await readMsgpack(fs, path);
  if (!record) return null;
  if (!Array.isArray(record['topics'])) throw damaged(path, 'no topic list');
  return record['topics'].map((t: unknown) => {
    const topic = t as Partial<TopicRecord> | null;
    const ok =
      topic !== null &&
      typeof topic.name === 'string' &&
      topic.topicId instanceof Uint8Array &&
      topic.topicId.length === 16 &&
      Number.isInteger(topic.partitions) &&
      topic.partitions! >= 1 &&
      typeof topic.configs === 'object' &&
      topic.configs !== null &&
      typeof topic.internal === 'boolean';
    if (!ok) throw damaged(path, `malformed topic entry ${JSON.stringify((t as { name?: unknown } | null)?.name)}`);
    return { name: topic.name!, topicId: Buffer.from(topic.topicId!), partitions: topic.partitions!, configs: { ...topic.configs! }, internal: topic.internal! };
  });
}

export function writeTopicRecords(fs: FileSystem, dataDir: string, topics: readonly TopicRecord[]): Promise<void> {
  return writeFileAtomically(fs, join(dataDir, TOPICS_FILE), pack({ version: VERSION, topics }));
}

/** A random id as Kafka's Uuid makes them: not all zeros, not the reserved 1, no '-' leading its base64 form. */
export function newTopicId(taken: (id: Buffer) => boolean = () => false): Buffer {
  for (;;) {
    const id = randomBytes(16);
    const reserved = id.subarray(0, 15).every((b) => b === 0) && id[15]! <= 1;
    if (!reserved && !id.toString('base64url').startsWith('-') && !taken(id)) return id;
  }
}

/** Kafka's cluster id: a random Uuid in URL-safe base64, 22 characters. */
export function newClusterId(): string {
  return newTopicId().toString('base64url');
}
