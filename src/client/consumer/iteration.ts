import type { Handout } from './handouts.js';
import type { ConsumerBatch, ConsumerRecord, IterateOptions, PollOptions } from './types.js';

/**
 * The consumer's async iterators. Both hand out what `take` returns, mark each batch or record
 * finished when the application comes back for the next one (that is what gets committed),
 * and, when the loop ends early (break, throw, abort), give the records they took but never
 * handed out back to the consumer, which fetches them again. A closed consumer ends them.
 */
export interface Pollable {
  /** The next handouts; waits without limit; [] once closed. */
  take(options: PollOptions): Promise<Handout[]>;
  isClosed(): boolean;
  /** Everything given so far is finished (the application asked for more). */
  finishGiven(): void;
  /** The iteration is over: records taken but never given go back. */
  stopped(): void;
}

export async function* iterateBatches(consumer: Pollable, { signal }: IterateOptions): AsyncGenerator<ConsumerBatch<unknown, unknown>, void, undefined> {
  try {
    for (;;) {
      consumer.finishGiven();
      const taken = await consumer.take({ signal, maxWaitMs: Infinity });
      for (const handout of taken) {
        if (consumer.isClosed()) return;
        signal?.throwIfAborted();
        handout.giveAll();
        if (handout.end === 0) continue; // control records only: the position moves past them
        yield handout.batch;
        handout.done = handout.end;
      }
      if (consumer.isClosed()) return;
    }
  } finally {
    consumer.stopped();
  }
}

export async function* iterateRecords(consumer: Pollable, { signal }: IterateOptions): AsyncGenerator<ConsumerRecord<unknown, unknown>, void, undefined> {
  try {
    for (;;) {
      consumer.finishGiven();
      const taken = await consumer.take({ signal, maxWaitMs: Infinity });
      for (const handout of taken) {
        const records = handout.batch.records;
        if (handout.end === 0) handout.giveAll();
        for (let i = 0; i < handout.end; i++) {
          if (consumer.isClosed()) return;
          signal?.throwIfAborted();
          handout.giveRecord(i);
          yield records[i]!;
          handout.done = i + 1;
        }
      }
      if (consumer.isClosed()) return;
    }
  } finally {
    consumer.stopped();
  }
}
