import { compress, decompress } from 'zstd-napi';
import type { Codec } from '../compression.js';

/** Kafka's default level (compression.zstd.level), and zstd's own. */
const LEVEL = 3;

/**
 * Zstandard: plain zstd frames (RFC 8878), nothing Kafka-specific. The decoder takes frames
 * with or without a content size (Java's ZstdOutputStream streams without one) and several
 * frames back to back.
 */
export const zstdCodec: Codec = {
  compress: (raw) => compress(raw, { compressionLevel: LEVEL }),
  decompress: (compressed) => decompress(compressed),
};
