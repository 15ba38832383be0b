import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_SIZE, FrameSizeError, FrameSplitter } from '../../src/protocol/index.js';

function frameOf(body: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(body.length);
  return Buffer.concat([prefix, body]);
}

/** Pushes `chunks` through a fresh splitter and returns copies of the frames it yields. */
function split(chunks: Buffer[], maxFrameSize?: number): Buffer[] {
  const splitter = new FrameSplitter(maxFrameSize === undefined ? {} : { maxFrameSize });
  const frames: Buffer[] = [];
  for (const chunk of chunks) splitter.push(chunk, (f) => frames.push(Buffer.from(f)));
  expect(splitter.bufferedBytes).toBe(0);
  return frames;
}

const bodies = [Buffer.from('hello'), Buffer.alloc(0), Buffer.alloc(300, 9), Buffer.from([1, 2, 3, 4]), Buffer.from('x')];
const stream = Buffer.concat(bodies.map(frameOf));

describe('FrameSplitter', () => {
  it('yields the same frames whatever byte boundary the stream is split at', () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(split([stream.subarray(0, i), stream.subarray(i)])).toEqual(bodies);
    }
  });

  it('yields the same frames one byte at a time', () => {
    const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(split(chunks)).toEqual(bodies);
  });

  it('yields the same frames for random splits of random frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (raw, cuts) => {
          const frames = raw.map((a) => Buffer.from(a));
          const all = Buffer.concat(frames.map(frameOf));
          const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let prev = 0;
          for (const p of [...points, all.length]) {
            chunks.push(all.subarray(prev, p));
            prev = p;
          }
          expect(split(chunks)).toEqual(frames);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is zero-copy when a frame lies within one chunk', () => {
    const splitter = new FrameSplitter();
    const frames: Buffer[] = [];
    splitter.push(stream, (f) => frames.push(f));
    expect(frames).toHaveLength(bodies.length);
    for (const f of frames) if (f.length > 0) expect(f.buffer).toBe(stream.buffer);
  });

  it('keeps a partial frame and completes it on a later push', () => {
    const splitter = new FrameSplitter();
    const frames: Buffer[] = [];
    splitter.push(stream.subarray(0, 7), (f) => frames.push(f));
    expect(frames).toEqual([]);
    expect(splitter.bufferedBytes).toBe(3);
    splitter.push(stream.subarray(7), (f) => frames.push(f));
    expect(frames).toEqual(bodies);
  });

  it('rejects an oversize frame from its size prefix, before the body arrives', () => {
    const splitter = new FrameSplitter({ maxFrameSize: 100 });
    const prefix = Buffer.from([0, 0, 0, 101]);
    splitter.push(prefix.subarray(0, 2), () => undefined);
    let error: unknown;
    try {
      splitter.push(prefix.subarray(2), () => undefined);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameSizeError);
    expect((error as FrameSizeError).code).toBe('INVALID_REQUEST');
    expect((error as FrameSizeError).size).toBe(101);
    // Broken for good: the connection must be closed.
    expect(() => splitter.push(Buffer.alloc(1), () => undefined)).toThrow(FrameSizeError);
    // Exactly the maximum is fine.
    expect(split([frameOf(Buffer.alloc(100))], 100)).toHaveLength(1);
  });

  it('rejects a negative size', () => {
    const splitter = new FrameSplitter();
    expect(() => splitter.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]), () => undefined)).toThrow(/negative/);
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(104_857_600);
  });

  it('delivers frames before a bad size prefix that follows them', () => {
    const frames: Buffer[] = [];
    const splitter = new FrameSplitter({ maxFrameSize: 10 });
    expect(() =>
      splitter.push(Buffer.concat([frameOf(Buffer.from('ok')), Buffer.from([0, 0, 1, 0])]), (f) => frames.push(f)),
    ).toThrow(FrameSizeError);
    expect(frames.map(String)).toEqual(['ok']);
  });

  it('stays consistent when the callback throws', () => {
    const splitter = new FrameSplitter();
    const frames: string[] = [];
    let first = true;
    const onFrame = (f: Buffer): void => {
      if (first) {
        first = false;
        throw new Error('handler failed');
      }
      frames.push(String(f));
    };
    const two = Buffer.concat([frameOf(Buffer.from('a')), frameOf(Buffer.from('b'))]);
    expect(() => splitter.push(two, onFrame)).toThrow('handler failed');
    splitter.push(Buffer.alloc(0), onFrame);
    expect(frames).toEqual(['b']);
  });

  it('is linear for a large frame arriving in many tiny chunks', () => {
    const body = Buffer.alloc(200_000, 3);
    const all = frameOf(body);
    const splitter = new FrameSplitter();
    const frames: Buffer[] = [];
    const start = performance.now();
    for (let i = 0; i < all.length; i += 2) splitter.push(all.subarray(i, i + 2), (f) => frames.push(f));
    expect(performance.now() - start).toBeLessThan(2000);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.equals(body)).toBe(true);
  });
});
