import { TidelogError } from '../../common/index.js';
import type { AppendResult } from '../../log/index.js';
import { API_KEYS, type ProduceResponsePartitionProduceResponse } from '../../protocol/index.js';
import { BATCH_LENGTH, LOG_OVERHEAD, MAGIC } from '../../record/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler, NO_RESPONSE } from '../handler.js';

const ACKS = new Set([0, 1, -1]);

/** The oldest Produce version whose records are RecordBatch v2 (magic 2); v0-2 carry message sets v0/v1. */
const FIRST_BATCH_VERSION = 3;

/** What v0-2 answer for every partition: their message sets are formats this broker does not store. */
function legacyFormat(): TidelogError {
  return new TidelogError('UNSUPPORTED_FOR_MESSAGE_FORMAT', 'Produce v0-2 carry message format v0/v1, which this broker does not store; send Produce v3+ with record batches v2');
}

/**
 * Produce v3+ carries exactly one batch per partition, as Kafka requires. The magic comes
 * first: a legacy message set holds one entry per message, and its Message magic sits at
 * the same position (16) as a batch's, so several messages would otherwise pass for
 * "more than one batch".
 */
function singleBatch(records: Buffer | null): Buffer {
  if (!records || records.length < LOG_OVERHEAD) throw new TidelogError('CORRUPT_MESSAGE', 'a partition in a produce request carried no record batch');
  const magic = records.length > MAGIC ? records.readInt8(MAGIC) : null;
  if (magic === 0 || magic === 1) throw new TidelogError('UNSUPPORTED_FOR_MESSAGE_FORMAT', `message format v${magic} is not supported; send record batches v2`);
  if (records.readInt32BE(BATCH_LENGTH) + LOG_OVERHEAD < records.length) {
    throw new TidelogError('INVALID_RECORD', 'produce requests v3 and later carry exactly one record batch per partition');
  }
  return records;
}

/**
 * Produce 0-7. Appends are issued in the order requests arrive, before any wait, so that
 * pipelined requests land in order. acks=-1 waits for fsync; acks=0 sends no response, but
 * its request still holds its place until its appends finish, which bounds what a client
 * can queue.
 *
 * v0-2 are advertised but answered with UNSUPPORTED_FOR_MESSAGE_FORMAT for every partition:
 * no client sends them (each uses its own maximum, 7 for all of ours), but librdkafka only
 * compresses with gzip, snappy or lz4 when the broker's Produce range reaches down to v0.
 */
export function produceHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.Produce,
    minVersion: 0,
    maxVersion: 7,
    async handle(body, { header }) {
      const legacy = header.apiVersion < FIRST_BATCH_VERSION;
      const acksValid = ACKS.has(body.acks);
      const pending = body.topicData.map((topic) => ({
        name: topic.name,
        partitions: topic.partitionData.map(({ index, records }) => ({ index, result: append(topic.name, index, records) })),
      }));

      function append(topic: string, partition: number, records: Buffer | null): Promise<AppendResult> {
        if (!acksValid) return Promise.reject(new TidelogError('INVALID_REQUIRED_ACKS', `acks must be 0, 1 or -1, not ${body.acks}`));
        if (legacy) return Promise.reject(legacyFormat());
        const durable = body.acks === -1;
        try {
          const batch = singleBatch(records);
          if (ctx.topics.hasTopic(topic)) return ctx.topics.partition(topic, partition).append(batch, { durable });
          return ctx.topics.getOrAutoCreateTopic(topic).then(() => ctx.topics.partition(topic, partition).append(batch, { durable }));
        } catch (error) {
          return Promise.reject(error);
        }
      }

      const responses = await Promise.all(
        pending.map(async (topic) => ({
          name: topic.name,
          partitionResponses: await Promise.all(
            topic.partitions.map(async ({ index, result }): Promise<ProduceResponsePartitionProduceResponse> => {
              try {
                const appended = await result;
                return { index, errorCode: 0, baseOffset: appended.baseOffset, logAppendTimeMs: -1n, logStartOffset: appended.logStartOffset };
              } catch (error) {
                return { index, errorCode: errorOf(error, ctx.logger).code, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n };
              }
            }),
          ),
        })),
      );
      if (body.acks === 0) return NO_RESPONSE;
      return { responses, throttleTimeMs: 0 };
    },
  });
}
