import { gunzipSync, gzipSync } from 'node:zlib';
import { TidelogError } from '../common/index.js';
import type { CompressionCodec } from './layout.js';

/** A codec for the records section of a batch. */
export interface Codec {
  compress(raw: Buffer): Buffer;
  decompress(compressed: Buffer): Buffer;
}

const codecs = new Map<CompressionCodec, Codec>([
  ['none', { compress: (raw) => raw, decompress: (bytes) => bytes }],
  ['gzip', { compress: (raw) => gzipSync(raw), decompress: (bytes) => gunzipSync(bytes) }],
]);

/** Lets an owner of a compression library plug it in (lz4, zstd, snappy). */
export function registerCodec(name: CompressionCodec, codec: Codec): void {
  codecs.set(name, codec);
}

export function codecFor(name: CompressionCodec): Codec {
  const codec = codecs.get(name);
  if (!codec) throw new TidelogError('UNSUPPORTED_COMPRESSION_TYPE', `compression codec ${name} is not available`);
  return codec;
}
