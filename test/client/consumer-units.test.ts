import { describe, expect, it } from 'vitest';
import { decodeBatches, wholeBatches, type DecodeContext } from '../../src/client/consumer/decode.js';
import { FetchBuffer, type Chunk } from '../../src/client/consumer/fetch-buffer.js';
import { Handout, Handouts } from '../../src/client/consumer/handouts.js';
import { PartitionState } from '../../src/client/consumer/partition-state.js';
import type { ConsumerBatch } from '../../src/client/consumer/types.js';
import { stringSerializer } from '../../src/client/index.js';
import { ATTRIBUTES, buildBatch, CONTROL_FLAG, CRC, crc32c, MAX_TIMESTAMP, TIMESTAMP_TYPE_MASK } from '../../src/record/index.js';

/*
 * The consumer's pure parts on exact bytes: the shapes a real broker rarely sends on demand
 * (control batches, LogAppendTime, a corrupt batch) and the bookkeeping behind pause and commits.
 */

function batchAt(baseOffset: bigint, values: string[], options: { compression?: 'gzip'; time?: number } = {}): Buffer {
  const batch = buildBatch(
    values.map((v, i) => ({ key: null, value: Buffer.from(v), timestamp: (options.time ?? 1000) + i })),
    { baseTimestamp: options.time ?? 1000, compression: options.compression },
  );
  batch.writeBigInt64BE(baseOffset, 0);
  return batch;
}

/** Sets attribute bits and recomputes the CRC, as a broker writing such a batch would. */
function withAttributes(batch: Buffer, bits: number): Buffer {
  batch.writeInt16BE(batch.readInt16BE(ATTRIBUTES) | bits, ATTRIBUTES);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES)), CRC);
  return batch;
}

const context: DecodeContext<Buffer, string> = { topic: 't', partition: 0, keyDeserializer: null, valueDeserializer: stringSerializer, checkCrcs: true };

describe('consumer decoding', () => {
  it('skips records below the position and control batches', () => {
    const bytes = Buffer.concat([
      batchAt(0n, ['a', 'b', 'c'], { compression: 'gzip' }),
      withAttributes(batchAt(3n, ['marker']), CONTROL_FLAG),
      batchAt(4n, ['d', 'e']),
    ]);
    const { records, failure } = decodeBatches(bytes, 1n, context);
    expect(failure).toBeNull();
    expect(records.map((r) => [r.offset, r.value])).toEqual([
      [1n, 'b'],
      [2n, 'c'],
      [4n, 'd'],
      [5n, 'e'],
    ]);
    expect(decodeBatches(bytes, 6n, context).records).toEqual([]);
  });

  it('trims a partial trailing batch and says where the whole ones end', () => {
    const whole = Buffer.concat([batchAt(10n, ['a', 'b']), batchAt(12n, ['c'])]);
    const cut = Buffer.concat([whole, batchAt(13n, ['d', 'e', 'f']).subarray(0, 40)]);
    expect(wholeBatches(cut)).toEqual({ bytes: whole, nextOffset: 13n });
    expect(wholeBatches(cut.subarray(whole.length))).toEqual({ bytes: Buffer.alloc(0), nextOffset: null });
  });

  it('gives every record of a LogAppendTime batch the broker time', () => {
    const batch = batchAt(0n, ['a', 'b'], { time: 5000 });
    batch.writeBigInt64BE(99_999n, MAX_TIMESTAMP);
    const { records } = decodeBatches(withAttributes(batch, TIMESTAMP_TYPE_MASK), 0n, context);
    expect(records.map((r) => r.timestamp)).toEqual([99_999, 99_999]);
  });

  it('stops at a batch whose CRC does not match, after the good ones (unless CRC checks are off)', () => {
    const bad = batchAt(2n, ['c', 'd']);
    bad.writeUInt8(bad.readUInt8(bad.length - 2) ^ 1, bad.length - 2);
    const bytes = Buffer.concat([batchAt(0n, ['a', 'b']), bad, batchAt(4n, ['e'])]);
    const decoded = decodeBatches(bytes, 1n, context);
    expect(decoded.records.map((r) => r.value)).toEqual(['b']);
    expect(decoded.failure).toMatchObject({ code: 'CORRUPT_MESSAGE', message: expect.stringContaining('offset 2') });
    expect(decoded.failedAt).toBe(2n);
    expect(decodeBatches(bytes, 1n, { ...context, checkCrcs: false }).records).toHaveLength(4);
  });

  it('stops at a record the deserializer rejects, with INVALID_RECORD naming its offset', () => {
    const picky = { deserialize: (b: Buffer) => { if (b.toString() === 'y') throw new Error('nope'); return b.toString(); } };
    const decoded = decodeBatches(batchAt(7n, ['x', 'y', 'z']), 0n, { ...context, valueDeserializer: picky });
    expect(decoded.records.map((r) => r.value)).toEqual(['x']);
    expect(decoded.failure).toMatchObject({ code: 'INVALID_RECORD', message: expect.stringContaining('offset 8') });
    expect(decoded.failedAt).toBe(8n);
  });
});

function chunk(state: PartitionState, offset: bigint): Chunk {
  return { state, epoch: state.epoch, fetchOffset: offset, nextOffset: offset + 1n, records: Buffer.alloc(0), highWatermark: 10n };
}

describe('consumer fetch buffer', () => {
  it('holds back chunks of a paused partition, in order, and drops stale ones', () => {
    const a = new PartitionState('t', 0);
    const b = new PartitionState('t', 1);
    const buffer = new FetchBuffer();
    buffer.push(chunk(a, 0n));
    buffer.push(chunk(b, 0n));
    buffer.push(chunk(a, 1n));
    a.paused = true;
    const current = (c: Chunk) => c.epoch === c.state.epoch;
    expect(buffer.take(current).map((c) => [c.state.partition, c.fetchOffset])).toEqual([[1, 0n]]);
    expect(buffer.hasReady).toBe(false);
    expect(a.bufferedChunks).toBe(2);
    a.paused = false;
    expect(buffer.take(current).map((c) => c.fetchOffset)).toEqual([0n, 1n]);
    buffer.push(chunk(b, 1n));
    b.moveTo(5n); // a seek: what was fetched before it is stale
    expect(buffer.take(current)).toEqual([]);
    expect(b.bufferedChunks).toBe(0);
  });

  it('wakes a waiter on notify and rejects it on abort', async () => {
    const buffer = new FetchBuffer();
    const woken = buffer.wait(60_000);
    buffer.notify();
    await expect(woken).resolves.toBeUndefined();
    const controller = new AbortController();
    const aborted = buffer.wait(60_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
  });
});

function handout(state: PartitionState, offsets: bigint[], nextOffset: bigint): Handout {
  const records = offsets.map((offset) => ({ topic: state.topic, partition: state.partition, offset, timestamp: 0, key: null, value: null, headers: [] }));
  const batch: ConsumerBatch<unknown, unknown> = { topic: state.topic, partition: state.partition, records, highWatermark: 0n, lastOffset: offsets[offsets.length - 1] ?? -1n };
  return new Handout(state, state.epoch, batch, nextOffset);
}

describe('consumer handouts', () => {
  it('commit only what is finished, in order per partition', () => {
    const state = new PartitionState('t', 0);
    state.moveTo(0n);
    const handouts = new Handouts();
    const first = handout(state, [0n, 1n, 2n], 3n);
    const controlOnly = handout(state, [], 5n);
    handouts.add(first);
    handouts.add(controlOnly);
    first.given = 2;
    first.done = 1;
    handouts.settle();
    // The empty handout after an unfinished one must not move consumed past records in use.
    expect(state.consumed).toBe(1n);
    handouts.finishGiven();
    handouts.settle();
    expect(state.consumed).toBe(2n);
    first.given = 3;
    handouts.finishGiven();
    handouts.settle();
    expect(state.consumed).toBe(5n);
  });

  it('rewind to the first record not given and keep what was given', () => {
    const state = new PartitionState('t', 0);
    state.moveTo(0n);
    const handouts = new Handouts();
    const h = handout(state, [0n, 1n, 2n, 3n], 4n);
    handouts.add(h);
    h.given = 2;
    h.done = 1;
    const rewound: bigint[] = [];
    handouts.rewindUngiven((s, offset) => {
      rewound.push(offset);
      s.epoch++;
    });
    expect(rewound).toEqual([2n]);
    handouts.finishGiven();
    handouts.settle();
    expect(state.consumed).toBe(2n);
  });
});
