import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import type { Codec } from '../compression.js';

/**
 * LZ4 as Kafka frames it: the LZ4 frame format (magic 0x184D2204), one frame per batch. Since
 * KIP-57, magic-2 batches carry a correct descriptor checksum (HC) and Kafka's reader rejects a
 * wrong one; the frame must also have independent blocks, version 01 and a block size of
 * 64 KB to 4 MB. lz4-napi's encoder (lz4_flex) writes exactly that, without content size or
 * checksums, which the frame format leaves optional. Its decoder takes every frame option
 * librdkafka and Java may write (content size, block or content checksums).
 */
export const lz4Codec: Codec = {
  compress: (raw) => compressFrameSync(raw),
  decompress: (compressed) => decompressFrameSync(compressed),
};
