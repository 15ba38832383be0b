import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/common/index.js';
import { LIST_OFFSETS_TIMESTAMP } from '../../src/partition/index.js';
import { BASE_TIME, makeBatch, splitBatches } from '../helpers/log-fixtures.js';
import { failsWith, useDataDir } from './fixtures.js';

describe('Partition: produce, read, offsets, retention', () => {
  const data = useDataDir();

  it('appends, reads, and reports the offsets of a single-replica partition', async () => {
    const topics = await data.open();
    await topics.createTopic({ name: 't', numPartitions: 2 });
    const partition = topics.partition('t', 1);
    expect([partition.logStartOffset, partition.highWatermark, partition.lastStableOffset]).toEqual([0n, 0n, 0n]);
    const first = await partition.append(makeBatch(0), { durable: true }); // 1 record
    const second = await partition.append(makeBatch(1)); // 2 records
    expect([first.baseOffset, second.baseOffset, second.lastOffset]).toEqual([0n, 1n, 2n]);
    expect([partition.highWatermark, partition.lastStableOffset, partition.logEndOffset]).toEqual([3n, 3n, 3n]);
    expect(splitBatches(await partition.read(0n, 1 << 20))).toHaveLength(2);
    expect((await partition.read(3n, 1 << 20)).length).toBe(0);
    await failsWith(partition.read(4n, 100), 'OFFSET_OUT_OF_RANGE');
    expect(topics.partition('t', 0).logEndOffset).toBe(0n);
  });

  it('answers ListOffsets: latest, earliest, max timestamp, by timestamp', async () => {
    const topics = await data.open();
    await topics.createTopic({ name: 't' });
    const partition = topics.partition('t', 0);
    expect(await partition.listOffset(LIST_OFFSETS_TIMESTAMP.MAX_TIMESTAMP)).toEqual({ offset: -1n, timestamp: -1n });
    for (let seq = 0; seq < 6; seq++) await partition.append(makeBatch(seq));
    // makeBatch: seq s has 1 + s%3 records stamped BASE_TIME + 10s (+i), batch 4 stepping back 25 ms.
    expect(await partition.listOffset(LIST_OFFSETS_TIMESTAMP.LATEST)).toEqual({ offset: partition.highWatermark, timestamp: -1n });
    expect(await partition.listOffset(LIST_OFFSETS_TIMESTAMP.EARLIEST)).toEqual({ offset: 0n, timestamp: -1n });
    expect(await partition.listOffset(LIST_OFFSETS_TIMESTAMP.EARLIEST_LOCAL)).toEqual({ offset: 0n, timestamp: -1n });
    expect(await partition.listOffset(BigInt(BASE_TIME))).toEqual({ offset: 0n, timestamp: BigInt(BASE_TIME) });
    const max = await partition.listOffset(LIST_OFFSETS_TIMESTAMP.MAX_TIMESTAMP);
    expect(max.timestamp).toBe(BigInt(BASE_TIME + 50 + 2));
    expect(await partition.listOffset(BigInt(BASE_TIME + 1_000_000))).toEqual({ offset: -1n, timestamp: -1n });
    await failsWith(partition.listOffset(-7n), 'INVALID_REQUEST');
  });

  it('runs retention on every log, on demand and on its schedule', async () => {
    const clock = new ManualClock(BASE_TIME);
    const topics = await data.open({ 'log.retention.check.interval.ms': '20', 'log.retention.ms': '1000' }, { clock });
    await topics.createTopic({ name: 'r', numPartitions: 2, configs: { 'segment.bytes': '200' } });
    for (const p of [0, 1]) for (let seq = 0; seq < 8; seq++) await topics.partition('r', p).append(makeBatch(seq));
    const segments = topics.partition('r', 0).log.segmentInfos().length;
    expect(segments).toBeGreaterThan(2);
    expect(await topics.runRetention()).toEqual({ deletedSegments: 0, deletedBytes: 0 });
    clock.advance(10_000);
    const scheduledPass = () => topics.partition('r', 1).log.segmentInfos().length === 1;
    await expect.poll(scheduledPass, { timeout: 2000, interval: 10 }).toBe(true);
    expect(topics.partition('r', 0).log.segmentInfos()).toHaveLength(1);
    expect(topics.partition('r', 0).logStartOffset).toBeGreaterThan(0n);
    expect(await topics.runRetention()).toEqual({ deletedSegments: 0, deletedBytes: 0 });
  });
});
