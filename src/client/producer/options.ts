import { codecFor, type CompressionCodec } from '../../record/index.js';
import type { ClusterOptions } from '../cluster.js';
import { TidelogError } from '../errors.js';
import type { Partitioner } from '../partitioner.js';
import type { Serializer } from '../serializers.js';

/**
 * The producer's settings, named after Kafka's producer configs where one exists (in
 * parentheses), with Kafka's defaults, checked once at `Producer.create`.
 */

export type Acks = 0 | 1 | -1;

export type Compression = CompressionCodec;

export interface ProducerOptions<K, V> extends ClusterOptions {
  keySerializer: Serializer<K>;
  valueSerializer: Serializer<V>;
  /** Default: defaultPartitioner() (murmur2 of the key, round-robin without one). */
  partitioner?: Partitioner;
  /** Default -1, all in-sync replicas (acks). */
  acks?: Acks;
  /** How long a partial batch waits for more records; default 0: it goes once the current task ends (linger.ms). */
  lingerMs?: number;
  /**
   * A partition's batch is sent once it holds this many bytes, header included; default 16 384
   * (batch.size). Bigger batches cost fewer requests: 1 MiB suits bulk loads (the broker's
   * max.message.bytes is 1 MiB + 12 by default). A record larger than this goes in a batch of its own.
   */
  batchSize?: number;
  /** Largest Produce request, and so largest record; default 1 048 576 (max.request.size). */
  maxRequestSize?: number;
  /**
   * Bytes of records held until acknowledged, open batches included; default 32 MiB
   * (buffer.memory). A send that would go over waits for space.
   */
  bufferMemory?: number;
  /** How long a send may wait for buffer space or for its topic's metadata; default 60 000 (max.block.ms). */
  maxBlockMs?: number;
  /** The broker's wait for acks (Produce timeout_ms); default 30 000. */
  ackTimeoutMs?: number;
  /**
   * Resends of a batch that failed with a retriable error; default unlimited (retries), bounded by
   * `deliveryTimeoutMs`. Backoff between them: `retry.initialBackoffMs` doubling to `retry.maxBackoffMs`.
   */
  retries?: number;
  /** Upper bound from a send to its records' success or failure, retries included; default 120 000 (delivery.timeout.ms). */
  deliveryTimeoutMs?: number;
  /** Codec for the records of each batch; default 'none' (compression.type). */
  compression?: Compression;
}

export interface ProducerConfig {
  acks: Acks;
  lingerMs: number;
  batchSize: number;
  maxRequestSize: number;
  bufferMemory: number;
  maxBlockMs: number;
  ackTimeoutMs: number;
  retries: number;
  deliveryTimeoutMs: number;
  compression: Compression;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export function checkAcks(acks: unknown): Acks {
  if (acks !== 0 && acks !== 1 && acks !== -1) {
    throw new TidelogError('INVALID_REQUIRED_ACKS', `acks must be 0, 1 or -1 (all), not ${JSON.stringify(acks)}`);
  }
  return acks;
}

/** Fills in defaults and rejects values Kafka would reject, with INVALID_CONFIG (or INVALID_REQUIRED_ACKS, UNSUPPORTED_COMPRESSION_TYPE). */
export function resolveConfig<K, V>(options: ProducerOptions<K, V>): ProducerConfig {
  for (const name of ['keySerializer', 'valueSerializer'] as const) {
    if (typeof options[name]?.serialize !== 'function') throw new TypeError(`Producer: ${name} must be a Serializer (an object with serialize and deserialize)`);
  }
  if (options.partitioner !== undefined && typeof options.partitioner !== 'function') throw new TypeError('Producer: partitioner must be a function');
  const config: ProducerConfig = {
    acks: checkAcks(options.acks ?? -1),
    lingerMs: integer('lingerMs', options.lingerMs ?? 0, 0),
    batchSize: integer('batchSize', options.batchSize ?? 16_384, 1),
    maxRequestSize: integer('maxRequestSize', options.maxRequestSize ?? 1_048_576, 1),
    bufferMemory: integer('bufferMemory', options.bufferMemory ?? 32 * 1024 * 1024, 1),
    maxBlockMs: integer('maxBlockMs', options.maxBlockMs ?? 60_000, 0),
    ackTimeoutMs: integer('ackTimeoutMs', options.ackTimeoutMs ?? 30_000, 0),
    retries: options.retries === undefined ? Infinity : integer('retries', options.retries, 0),
    deliveryTimeoutMs: integer('deliveryTimeoutMs', options.deliveryTimeoutMs ?? 120_000, 1),
    compression: options.compression ?? 'none',
    initialBackoffMs: integer('retry.initialBackoffMs', options.retry?.initialBackoffMs ?? 100, 0),
    maxBackoffMs: integer('retry.maxBackoffMs', options.retry?.maxBackoffMs ?? 1000, 0),
  };
  // Fails now, with UNSUPPORTED_COMPRESSION_TYPE, rather than on every batch.
  codecFor(config.compression);
  return config;
}

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TidelogError('INVALID_CONFIG', `Producer option ${name} must be an integer ≥ ${min}, not ${JSON.stringify(value)}`);
  }
  return value;
}
