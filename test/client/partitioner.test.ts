import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultPartitioner, murmur2, partitionForKey, toPositive } from '../../src/client/index.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

describe('murmur2', () => {
  it("matches Kafka's UtilsTest.testMurmur2 vectors", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of vectors) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it("agrees with kafkajs's murmur2 on fixed and random keys of every tail length", () => {
    for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'key-1', 'ключ', '🙂🙂', 'x'.repeat(1000)]) {
      expect(murmur2(Buffer.from(key))).toBe(kafkajsMurmur2(Buffer.from(key)));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const key = Buffer.from(bytes);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }),
      { numRuns: 500 },
    );
  });

  it('toPositive clears the sign bit, including for MIN_VALUE', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-0x80000000)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });
});

describe('defaultPartitioner', () => {
  it('hashes keys with murmur2 and spreads null keys round-robin per topic', () => {
    const partitioner = defaultPartitioner();
    const key = Buffer.from('foobar');
    expect(partitioner({ topic: 't', key, partitionCount: 7 })).toBe(toPositive(-790332482) % 7);
    expect(partitionForKey(key, 7)).toBe(toPositive(-790332482) % 7);
    const nulls = Array.from({ length: 6 }, () => partitioner({ topic: 'a', key: null, partitionCount: 3 }));
    expect(nulls).toEqual([0, 1, 2, 0, 1, 2]);
    expect(partitioner({ topic: 'b', key: null, partitionCount: 3 })).toBe(0);
  });
});
