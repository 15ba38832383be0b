import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveTopicConfig, type TopicConfig } from '../../src/config/index.js';
import { closeScanPool, FaultyFileSystem, PartitionLog } from '../../src/log/index.js';
import { buildBatch, decodeRecords } from '../../src/record/index.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

/**
 * The log against the simplest model that could be right: an array of the batches
 * appended, each with the offset it got, minus whatever retention removed.
 */
interface ModelBatch {
  baseOffset: bigint;
  lastOffset: bigint;
  bytes: Buffer;
  timestamps: number[];
}

type Op =
  | { kind: 'append'; records: number; valueBytes: number; timestamps: number[]; durable: boolean }
  | { kind: 'read'; at: number; maxBytes: number }
  | { kind: 'timestamp'; at: number }
  | { kind: 'roll' }
  | { kind: 'retention'; keepBytes: number }
  | { kind: 'reopen'; clean: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.integer({ min: 1, max: 8 }).chain((records) =>
      fc.record({
        kind: fc.constant('append' as const),
        records: fc.constant(records),
        valueBytes: fc.integer({ min: 0, max: 120 }),
        timestamps: fc.array(fc.integer({ min: 1_000, max: 1_400 }), { minLength: records, maxLength: records }),
        durable: fc.boolean(),
      }),
    ),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), maxBytes: fc.integer({ min: 1, max: 3_000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('timestamp' as const), at: fc.integer({ min: 950, max: 1_450 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'roll' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retention' as const), keepBytes: fc.integer({ min: 0, max: 4_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), clean: fc.boolean() }) },
);

/** Like Kafka, one read serves batches from a single segment: the one that ends at `segmentEnd`. */
function expectedRead(model: ModelBatch[], offset: bigint, maxBytes: number, segmentEnd: bigint): Buffer {
  const start = model.findIndex((b) => b.lastOffset >= offset);
  if (start < 0) return Buffer.alloc(0);
  const parts = [model[start]!.bytes];
  let size = parts[0]!.length;
  for (let i = start + 1; i < model.length && model[i]!.baseOffset < segmentEnd && size + model[i]!.bytes.length <= maxBytes; i++) {
    parts.push(model[i]!.bytes);
    size += model[i]!.bytes.length;
  }
  return Buffer.concat(parts);
}

function expectedTimestampLookup(model: ModelBatch[], timestamp: number): { offset: bigint; timestamp: number } | null {
  for (const batch of model) {
    const i = batch.timestamps.findIndex((t) => t >= timestamp);
    if (i >= 0) return { offset: batch.baseOffset + BigInt(i), timestamp: batch.timestamps[i]! };
  }
  return null;
}

describe('PartitionLog against an in-memory model', () => {
  afterAll(() => closeScanPool());

  it('agrees with the model under random appends, reads, rolls, retention and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 600, max: 3_000 }), async (ops, segmentBytes) => {
        const { dir, cleanup } = await makeTempDir('tidelog-model-');
        let config: TopicConfig = resolveTopicConfig({ 'segment.bytes': String(segmentBytes), 'index.interval.bytes': '200', 'retention.ms': '-1' });
        // A killed process keeps what it wrote (the page cache survives it), so an unclean
        // stop is a crash that keeps unsynced bytes.
        let fs = new FaultyFileSystem();
        let log = await PartitionLog.open({ dir, config, fs });
        let model: ModelBatch[] = [];
        let nextOffset = 0n;
        try {
          for (const op of ops) {
            switch (op.kind) {
              case 'append': {
                const records = op.timestamps.map((timestamp, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(op.valueBytes, i), timestamp }));
                const batch = buildBatch(records);
                const result = await log.append(batch, { durable: op.durable });
                expect(result.baseOffset).toBe(nextOffset);
                expect(result.lastOffset).toBe(nextOffset + BigInt(op.records - 1));
                model.push({ baseOffset: result.baseOffset, lastOffset: result.lastOffset, bytes: Buffer.from(batch), timestamps: op.timestamps });
                nextOffset = result.lastOffset + 1n;
                break;
              }
              case 'read': {
                const start = log.logStartOffset;
                const offset = start + BigInt(Math.floor(op.at * Number(nextOffset - start)));
                const bytes = await log.read(offset, op.maxBytes);
                const segmentEnd = log.segmentInfos().find((seg) => seg.nextOffset > offset)?.nextOffset ?? nextOffset;
                expect(bytes.equals(expectedRead(model, offset, op.maxBytes, segmentEnd))).toBe(true);
                if (bytes.length > 0) expect(decodeRecords(bytes.subarray(0, bytes.readInt32BE(8) + 12)).some((r) => r.offset === offset)).toBe(true);
                break;
              }
              case 'timestamp':
                expect(await log.offsetForTimestamp(op.at)).toEqual(expectedTimestampLookup(model, op.at));
                break;
              case 'roll':
                await log.rollNow();
                break;
              case 'retention': {
                config = resolveTopicConfig({ ...configOverrides(config), 'retention.bytes': String(op.keepBytes) });
                log.setConfig(config);
                const before = log.segmentInfos();
                const result = await log.applyRetention();
                const after = log.segmentInfos();
                expect(after.length).toBe(before.length - result.deletedSegments);
                expect(after.at(-1)).toEqual(before.at(-1));
                if (result.deletedSegments > 0) expect(after.reduce((sum, s) => sum + s.size, 0)).toBeGreaterThanOrEqual(op.keepBytes);
                model = model.filter((b) => b.baseOffset >= log.logStartOffset);
                expect(model[0]?.baseOffset ?? nextOffset).toBe(log.logStartOffset);
                break;
              }
              case 'reopen':
                if (op.clean) await log.close();
                else await fs.crash('keep-unsynced');
                fs = new FaultyFileSystem();
                log = await PartitionLog.open({ dir, config, fs });
                expect(log.recoveryReport.cleanShutdown).toBe(op.clean);
                expect(log.recoveryReport.truncatedBytes).toBe(0);
                break;
            }
            expect(log.logEndOffset).toBe(nextOffset);
          }
          expect(log.logStartOffset).toBe(model[0]?.baseOffset ?? nextOffset);
        } finally {
          await log.close().catch(() => {});
          await cleanup();
        }
      }),
      { numRuns: 60 },
    );
  });
});

function configOverrides(config: TopicConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v === Infinity ? '9223372036854775807' : String(v)]));
}
