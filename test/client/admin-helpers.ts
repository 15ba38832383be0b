import { expect } from 'vitest';
import { API_KEYS } from '../../src/protocol/index.js';
import { buildBatch } from '../../src/record/index.js';
import { produceBody } from '../server/fixtures.js';
import type { RawClient } from '../server/raw-client.js';

/**
 * Fills partitions for the admin and list-offsets tests with raw Produce requests, so these
 * tests depend on the broker and the record layer only, not on the Producer's API.
 */

/** Appends one batch of records with the given CreateTime timestamps; resolves with the base offset. */
export async function produceAt(raw: RawClient, topic: string, partition: number, timestamps: readonly number[]): Promise<bigint> {
  const batch = buildBatch(timestamps.map((timestamp, i) => ({ key: null, value: Buffer.from(`${topic}-${partition}-${i}`), timestamp })));
  const response = await raw.request(API_KEYS.Produce, 7, produceBody(topic, partition, batch));
  const answer = response.responses[0]?.partitionResponses[0];
  expect(answer?.errorCode).toBe(0);
  return answer!.baseOffset;
}

/** Appends `count` records stamped 1_700_000_000_000. */
export function produceCount(raw: RawClient, topic: string, partition: number, count: number): Promise<bigint> {
  return produceAt(raw, topic, partition, Array.from({ length: count }, () => 1_700_000_000_000));
}
