import { RECORDS } from '../../record/index.js';
import { ProducerBatch } from './batch.js';
import { maxRecordSize } from './record-bytes.js';
import type { BufferMemory } from './memory.js';
import type { Acks, ProducerConfig } from './options.js';
import type { PreparedRecords } from './prepare.js';
import type { SendCall } from './send-call.js';

/**
 * Per partition, the batches not yet sent, oldest first; the last one takes new records until
 * it is full. A partial batch becomes due when its linger window ends: one timer per window,
 * armed by the first batch opened after the previous window fired, whatever the number of
 * batches or records in it.
 */

export class PartitionQueue {
  /** Waiting to be sent, in sequence order (retries go back in their place). */
  readonly batches: ProducerBatch[] = [];
  private nextSequence = 0;
  /** Initial capacity of the next batch: what the last one needed. */
  capacityHint: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    batchSize: number,
  ) {
    this.capacityHint = Math.min(batchSize, 16 * 1024);
  }

  /** The batch taking records at `acks`, or null; a batch at another acks level is closed to new ones. */
  open(acks: Acks): ProducerBatch | null {
    const last = this.batches[this.batches.length - 1];
    if (last === undefined || last.full) return null;
    if (last.acks === acks) return last;
    last.full = true;
    return null;
  }

  newBatch(acks: Acks, buf: Buffer, baseTimestamp: number, deliveryTimeoutMs: number): ProducerBatch {
    const batch = new ProducerBatch(this.topic, this.partition, acks, this.nextSequence++, buf, baseTimestamp, deliveryTimeoutMs);
    this.batches.push(batch);
    return batch;
  }

  /** Puts a batch back for a retry, before every later batch of the partition. */
  reinsert(batch: ProducerBatch): void {
    let index = 0;
    while (index < this.batches.length && this.batches[index]!.sequence < batch.sequence) index++;
    this.batches.splice(index, 0, batch);
  }
}

export class Accumulator {
  private readonly topics = new Map<string, PartitionQueue[]>();
  /** Queues that hold batches to send. */
  readonly waiting = new Set<PartitionQueue>();
  /** Batches not yet settled: queued, in flight, or awaiting a retry. */
  private readonly held = new Set<ProducerBatch>();
  /** Flushes waiting for batches to settle. */
  private readonly flushes: { batches: Set<ProducerBatch>; done: () => void }[] = [];
  /** Some batch filled up since the sender last looked. */
  fullSinceDrain = false;
  private lingerTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private readonly pool: Buffer[] = [];
  private pooledBytes = 0;
  private readonly maxPooledBytes: number;

  constructor(
    private readonly config: ProducerConfig,
    private readonly memory: BufferMemory,
    /** Batches became due: drain. */
    private readonly onDue: () => void,
  ) {
    this.maxPooledBytes = Math.floor(config.bufferMemory / 2);
  }

  /** The topic's queues, one per partition. */
  queues(topic: string, partitionCount: number): PartitionQueue[] {
    let queues = this.topics.get(topic);
    if (queues === undefined) this.topics.set(topic, (queues = []));
    while (queues.length < partitionCount) queues.push(new PartitionQueue(topic, queues.length, this.config.batchSize));
    return queues;
  }

  /**
   * Appends records `from`.. of `records` until done, or until buffer memory runs short; returns
   * the index of the first record not appended and, then, the bytes it needs. The hot loop of
   * the producer: nothing allocated per record, memory taken once per call of this method.
   */
  append(call: SendCall, acks: Acks, queues: PartitionQueue[], records: PreparedRecords, from: number, perMessage: SendCall['perMessage']): { next: number; needed: number } {
    const { partitions, count } = records;
    const batchSize = this.config.batchSize;
    const budget = this.memory.available(call);
    let taken = 0;
    let i = from;
    while (i < count) {
      const queue = queues[partitions[i]!]!;
      let batch = queue.open(acks);
      if (batch !== null) {
        const next = batch.appendRun(call, records, i, batchSize, budget - taken, perMessage);
        taken += batch.runBytes;
        if (batch.size >= batchSize) this.markFull(batch, queue);
        if (next > i) {
          i = next;
          continue;
        }
        // Record i did not fit: the buffer (grow it), the batch (start another) or the memory (wait).
        const size = batch.recordSize(records, i);
        if (batch.size + size > batchSize) this.markFull(batch, queue);
        else if (batch.size + size > batch.capacity) {
          this.grow(batch, size);
          continue;
        } else break;
      }
      // A new batch, where record i is the first: its bound is close to its size.
      const bound = maxRecordSize(records, i);
      if (taken + RECORDS + bound > budget) break;
      batch = queue.newBatch(acks, this.allocate(Math.max(queue.capacityHint, RECORDS + bound)), records.timestamps === null ? records.now : records.timestamps[i]!, this.config.deliveryTimeoutMs);
      this.held.add(batch);
      this.waiting.add(queue);
      this.armLinger();
      taken += RECORDS;
      i = batch.appendRun(call, records, i, Math.max(batchSize, RECORDS + bound), budget - taken, perMessage);
      taken += batch.runBytes;
      if (batch.size >= batchSize) this.markFull(batch, queue);
    }
    this.memory.take(taken);
    if (i === count) return { next: count, needed: 0 };
    // Enough for the record in a batch of its own, which the memory bound always allows.
    return { next: i, needed: RECORDS + maxRecordSize(records, i) };
  }

  get heldBatches(): number {
    return this.held.size;
  }

  /** `batch` was acknowledged or failed for good. */
  settle(batch: ProducerBatch): void {
    this.held.delete(batch);
    this.recycle(batch.buf);
    for (let i = this.flushes.length - 1; i >= 0; i--) {
      const flush = this.flushes[i]!;
      if (flush.batches.delete(batch) && flush.batches.size === 0) {
        this.flushes.splice(i, 1);
        flush.done();
      }
    }
  }

  /** Resolves once every batch held now is settled. */
  settled(): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    return new Promise((done) => this.flushes.push({ batches: new Set(this.held), done }));
  }

  /**
   * A batch's buffer goes back to the pool once the batch is settled: nothing reads it any more,
   * since its request was answered (so written in full), or written (acks=0), or its connection
   * is gone, or it was never sent.
   */
  private recycle(buf: Buffer): void {
    if (buf.length === this.config.batchSize && this.pooledBytes + buf.length <= this.maxPooledBytes) {
      this.pool.push(buf);
      this.pooledBytes += buf.length;
    }
  }

  /**
   * A buffer for a batch: a pooled one when it is batchSize bytes, as most are once traffic
   * fills batches. Reusing them spares the page faults of fresh memory, which cost as much as
   * encoding the records.
   */
  private grow(batch: ProducerBatch, size: number): void {
    batch.moveTo(this.allocate(Math.min(this.config.batchSize, Math.max(batch.size + size, batch.capacity * 2))));
  }

  private allocate(capacity: number): Buffer {
    if (capacity === this.config.batchSize) {
      const pooled = this.pool.pop();
      if (pooled !== undefined) {
        this.pooledBytes -= pooled.length;
        return pooled;
      }
    }
    return Buffer.allocUnsafeSlow(capacity);
  }

  /** Every partial batch is due now (linger over, flush, memory shortage). */
  allDue(): void {
    for (const queue of this.waiting) {
      const last = queue.batches[queue.batches.length - 1];
      if (last !== undefined) last.due = true;
    }
  }

  /** The producer is closing: no timer may keep the process alive. */
  stop(): void {
    this.clearLinger();
  }

  private markFull(batch: ProducerBatch, queue: PartitionQueue): void {
    batch.full = true;
    this.fullSinceDrain = true;
    // A batch that filled up predicts the next will: start it at full size.
    queue.capacityHint = this.config.batchSize;
  }

  private armLinger(): void {
    if (this.lingerTimer !== null) return;
    const fire = () => {
      this.lingerTimer = null;
      this.allDue();
      this.onDue();
    };
    this.lingerTimer = this.config.lingerMs === 0 ? setImmediate(fire) : setTimeout(fire, this.config.lingerMs);
  }

  private clearLinger(): void {
    if (this.lingerTimer === null) return;
    if (this.config.lingerMs === 0) clearImmediate(this.lingerTimer as NodeJS.Immediate);
    else clearTimeout(this.lingerTimer as NodeJS.Timeout);
    this.lingerTimer = null;
  }
}
