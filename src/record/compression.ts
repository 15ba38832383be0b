import { gunzipSync, gzipSync } from 'node:zlib';
import { isTidelogError, TidelogError } from '../common/index.js';
import { lz4Codec } from './codecs/lz4.js';
import { snappyCodec } from './codecs/snappy.js';
import { zstdCodec } from './codecs/zstd.js';
import type { CompressionCodec } from './layout.js';

/**
 * A codec for the records section of a batch. Sync on purpose: the broker decompresses inside
 * reads it already holds (a timestamp lookup within a batch), and batches are small.
 */
export interface Codec {
  compress(raw: Buffer): Buffer;
  decompress(compressed: Buffer): Buffer;
}

const codecs = new Map<CompressionCodec, Codec>();

/**
 * Plugs a codec in, replacing any registered under that name. Whatever its library throws on
 * bad input reaches callers as CORRUPT_MESSAGE, the error Kafka gives for such a batch.
 */
export function registerCodec(name: CompressionCodec, codec: Codec): void {
  codecs.set(name, {
    compress: (raw) => codec.compress(raw),
    decompress(compressed) {
      try {
        return codec.decompress(compressed);
      } catch (error) {
        if (isTidelogError(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new TidelogError('CORRUPT_MESSAGE', `cannot decompress ${name} records: ${reason}`, { cause: error });
      }
    },
  });
}

export function codecFor(name: CompressionCodec): Codec {
  const codec = codecs.get(name);
  if (!codec) throw new TidelogError('UNSUPPORTED_COMPRESSION_TYPE', `compression codec ${name} is not available`);
  return codec;
}

// Each Kafka codec, byte-compatible with what Kafka's Java client and librdkafka write and read.
registerCodec('none', { compress: (raw) => raw, decompress: (bytes) => bytes });
registerCodec('gzip', { compress: (raw) => gzipSync(raw), decompress: (bytes) => gunzipSync(bytes) });
registerCodec('snappy', snappyCodec);
registerCodec('lz4', lz4Codec);
registerCodec('zstd', zstdCodec);
