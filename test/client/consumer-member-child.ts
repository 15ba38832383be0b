import { Consumer, stringSerializer } from '../../src/client/index.js';

/*
 * A group member in its own process, for the consumer's crash test (the test SIGKILLs it).
 * Arguments: port topic groupId delayMs. It reads with small fetches, and for every batch prints
 *   {"records":[[partition, offset, value], ...]}
 * then takes delayMs over it, commits its positions and prints
 *   {"committed":[[partition, offset], ...]}
 * once the commit is acknowledged. It prints {"assigned":[...]} after each rebalance.
 */
const [portArg, topic, groupId, delayArg] = process.argv.slice(2);
const delayMs = Number(delayArg ?? 0);
const consumer = await Consumer.create({
  port: Number(portArg),
  clientId: 'crash-child',
  groupId,
  valueDeserializer: stringSerializer,
  autoOffsetReset: 'earliest',
  autoCommit: false,
  maxPartitionBytes: 2048,
  maxWaitMs: 100,
  sessionTimeoutMs: 2000,
  heartbeatIntervalMs: 300,
  rebalanceTimeoutMs: 5000,
});
await consumer.subscribe(topic!);
let assigned = '';
for await (const batch of consumer) {
  const now = JSON.stringify(consumer.assignment());
  if (now !== assigned) {
    assigned = now;
    process.stdout.write(`${JSON.stringify({ assigned: consumer.assignment() })}\n`);
  }
  process.stdout.write(`${JSON.stringify({ records: batch.records.map((r) => [r.partition, Number(r.offset), r.value]) })}\n`);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  await consumer.commit();
  const committed = consumer.assignment().map((tp) => [tp.partition, Number(consumer.position(tp) ?? -1n)]);
  process.stdout.write(`${JSON.stringify({ committed })}\n`);
}
