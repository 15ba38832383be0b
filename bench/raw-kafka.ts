import { API_KEYS, decodeResponse, encodeRequest, type ApiKey, type RequestBodies } from '../src/protocol/index.js';
import { BASE_OFFSET, BATCH_LENGTH, LAST_OFFSET_DELTA, LOG_OVERHEAD } from '../src/record/index.js';
import { pipeline, RawConnection } from './raw-connection.js';

/**
 * The few Kafka requests benchmarks send over a RawConnection to set up and load a broker
 * (pre-encoded, so that encoding is not timed), and the checks on their answers.
 */
export const PRODUCE_VERSION = 7;
const CLIENT_ID = 'tidelog-bench';

export function request<K extends ApiKey>(apiKey: K, apiVersion: number, correlationId: number, body: RequestBodies[K]): Buffer {
  return encodeRequest({ apiKey, apiVersion, correlationId, clientId: CLIENT_ID }, body);
}

export function produceRequest(topic: string, batch: Buffer, acks: number, correlationId: number): Buffer {
  return request(API_KEYS.Produce, PRODUCE_VERSION, correlationId, { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
}

export function checkProduced(frame: Buffer): void {
  const { body } = decodeResponse(API_KEYS.Produce, PRODUCE_VERSION, frame);
  const errorCode = body.responses[0]?.partitionResponses[0]?.errorCode;
  if (errorCode !== 0) throw new Error(`produce failed with error code ${errorCode}`);
}

export async function createTopic(conn: RawConnection, name: string): Promise<void> {
  const frame = request(API_KEYS.CreateTopics, 4, 0, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false });
  const { body } = decodeResponse(API_KEYS.CreateTopics, 4, await conn.request(frame, 0));
  const result = body.topics[0];
  if (result?.errorCode !== 0) throw new Error(`creating ${name} failed with error code ${result?.errorCode}: ${result?.errorMessage}`);
}

export async function deleteTopic(conn: RawConnection, name: string): Promise<void> {
  const frame = request(API_KEYS.DeleteTopics, 1, 0, { topicNames: [name], timeoutMs: 30_000 });
  const { body } = decodeResponse(API_KEYS.DeleteTopics, 1, await conn.request(frame, 0));
  if (body.responses[0]?.errorCode !== 0) throw new Error(`deleting ${name} failed with error code ${body.responses[0]?.errorCode}`);
}

/** One past the last offset of back-to-back batches. */
export function nextOffsetAfter(records: Buffer): bigint {
  let position = 0;
  let next = -1n;
  while (position + LOG_OVERHEAD <= records.length) {
    next = records.readBigInt64BE(position + BASE_OFFSET) + BigInt(records.readInt32BE(position + LAST_OFFSET_DELTA)) + 1n;
    position += LOG_OVERHEAD + records.readInt32BE(position + BATCH_LENGTH);
  }
  return next;
}

/** Creates `topic` (one partition) and fills it with `batches`, pipelined on one connection with acks=1. */
export async function loadTopic(port: number, topic: string, batches: Buffer[], window = 16): Promise<void> {
  const conn = await RawConnection.open(port);
  try {
    await createTopic(conn, topic);
    await pipeline([conn], batches.map((batch, i) => produceRequest(topic, batch, 1, i)), window, checkProduced);
  } finally {
    conn.close();
  }
}
