import { isTidelogError, type KafkaErrorName } from '../common/index.js';
import { emptySlice, type LogSlice } from '../log/index.js';
import type { DelayedFetches, WaitPosition } from './delayed-fetch.js';
import type { Partition } from './partition.js';

export interface FetchPartitionRequest {
  topic: string;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  /** Answered in this order. */
  partitions: readonly FetchPartitionRequest[];
  minBytes: number;
  /** The response-level limit (Fetch v3+); unlimited when left out. */
  maxBytes?: number;
  maxWaitMs: number;
  /** Abandons the wait (connection closed); the answer is then whatever the last read found. */
  signal?: AbortSignal;
}

export interface FetchPartitionResult {
  topic: string;
  partition: number;
  error: KafkaErrorName;
  errorMessage: string | null;
  /** -1 when `error` is set, as Kafka answers. */
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  /** Whole batches as stored; empty when there is nothing (or no room) to return. */
  records: Buffer;
  /**
   * Hands the buffer behind `records` back for reuse: call it once nothing reads `records`
   * any more (the response that carries them is written), or never.
   */
  release(): void;
}

interface ReadPass {
  results: FetchPartitionResult[];
  bytes: number;
  failed: boolean;
  /** Where each partition would wait, or null when one has more data than it returned. */
  positions: WaitPosition[] | null;
}

const NOTHING_TO_RELEASE = (): void => {};

/** Hands back the buffers of a pass whose answer is thrown away. */
function releaseAll(results: readonly FetchPartitionResult[]): void {
  for (const result of results) result.release();
}

function failure(request: FetchPartitionRequest, error: unknown): FetchPartitionResult {
  const known = isTidelogError(error);
  return {
    topic: request.topic,
    partition: request.partition,
    error: known ? error.code : 'UNKNOWN_SERVER_ERROR',
    errorMessage: error instanceof Error ? error.message : String(error),
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    records: Buffer.alloc(0),
    release: NOTHING_TO_RELEASE,
  };
}

/**
 * Reads every partition once, within partitionMaxBytes and the response's maxBytes. As in
 * Kafka (KIP-74), the first partition that returns data returns at least one whole batch
 * even past the limits; later ones return nothing rather than exceed them.
 */
async function readOnce(lookup: (topic: string, partition: number) => Partition, request: FetchRequest): Promise<ReadPass> {
  const pass: ReadPass = { results: [], bytes: 0, failed: false, positions: [] };
  const responseLimit = request.maxBytes ?? Infinity;
  for (const wanted of request.partitions) {
    let partition: Partition;
    let slice: LogSlice;
    try {
      partition = lookup(wanted.topic, wanted.partition);
      const limit = Math.min(wanted.partitionMaxBytes, responseLimit - pass.bytes);
      slice = pass.bytes > 0 && limit <= 0 ? emptySlice(wanted.fetchOffset) : await partition.readSlice(wanted.fetchOffset, Math.max(limit, 0));
      if (pass.bytes > 0 && slice.records.length > limit) {
        slice.release();
        slice = emptySlice(wanted.fetchOffset);
      }
    } catch (error) {
      pass.results.push(failure(wanted, error));
      pass.failed = true;
      continue;
    }
    const highWatermark = partition.highWatermark;
    pass.results.push({
      topic: wanted.topic,
      partition: wanted.partition,
      error: 'NONE',
      errorMessage: null,
      highWatermark,
      lastStableOffset: partition.lastStableOffset,
      logStartOffset: partition.logStartOffset,
      records: slice.records,
      release: slice.release,
    });
    pass.bytes += slice.records.length;
    if (slice.nextOffset < highWatermark) pass.positions = null;
    else pass.positions?.push({ partition, fromOffset: slice.nextOffset });
  }
  return pass;
}

/**
 * Kafka's Fetch for one request: reads at once, and unless that already holds minBytes
 * (or a partition failed, or some partition has more than it could return) waits, without
 * polling, for appends to bring minBytes or for maxWaitMs to pass, then reads again.
 */
export async function fetchRecords(lookup: (topic: string, partition: number) => Partition, delayed: DelayedFetches, request: FetchRequest): Promise<FetchPartitionResult[]> {
  const deadline = Date.now() + request.maxWaitMs;
  for (;;) {
    const pass = await readOnce(lookup, request);
    const remaining = deadline - Date.now();
    if (pass.bytes >= request.minBytes || pass.failed || pass.positions === null || pass.positions.length === 0 || remaining <= 0) return pass.results;
    const outcome = await delayed.wait({ positions: pass.positions, minBytes: request.minBytes - pass.bytes, maxWaitMs: remaining, signal: request.signal });
    if (outcome === 'aborted') return pass.results;
    releaseAll(pass.results);
    if (outcome === 'timeout') return (await readOnce(lookup, request)).results;
  }
}
