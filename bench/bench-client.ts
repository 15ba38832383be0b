/**
 * What the client suite asks of a Kafka client, so that every workload drives ours and
 * kafkajs through the same code: set-up (connecting, metadata) happens before the clock
 * starts, the timed calls are each client's fastest public way to do the job.
 */

/** Every record in the suite: no key, a value of VALUE_BYTES bytes. */
export interface BenchMessage {
  value: Buffer;
}

export type BenchAcks = 1 | -1;

export interface BenchProducer {
  /** Sends `messages` to partition 0 of the producer's topic; resolves once the broker acknowledged all of them. */
  send(messages: BenchMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface BenchConsumer {
  /**
   * Reads partition 0 of the topic from offset 0 until `count` records have been handed to
   * the application, calling `progress` with each delivery's record count. Resolves with the
   * seconds from the first request for records (after any group join) to the last record.
   */
  readAll(count: number, progress: (records: number) => void): Promise<number>;
  close(): Promise<void>;
}

export interface BenchClient {
  readonly name: 'tidelog' | 'kafkajs';
  /** A connected producer for `topic`, with its metadata already loaded. */
  producer(port: number, topic: string, acks: BenchAcks): Promise<BenchProducer>;
  /** A connected consumer of `topic`, partition 0, positioned at the beginning; each call is a fresh one (for kafkajs, a fresh group). */
  consumer(port: number, topic: string): Promise<BenchConsumer>;
}

/** Bytes requested per partition per fetch, for both clients: Kafka's max.partition.fetch.bytes default. */
export const FETCH_PARTITION_MAX_BYTES = Number(process.env.BENCH_FETCH_BYTES ?? 1 << 20);

/** A read that has not finished in this long has hung: fail rather than wait forever. */
export const READ_TIMEOUT_MS = 120_000;
