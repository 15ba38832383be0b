import { Kafka, logLevel } from 'kafkajs';

/**
 * One kafkajs 2.2.4 group member in its own process, for groups-kafkajs.test.ts to SIGKILL
 * (so it never sends LeaveGroup). Run with `node --import tsx groups-kafkajs-member.ts '<json>'`
 * where json is {broker, groupId, topic, sessionTimeout, commitEvery, delayMs}.
 *
 * It prints one JSON line per event on stdout, which is synchronous for pipes on Linux, so a
 * line is out before the next step runs:
 *   {"type":"join","memberId":..,"partitions":[..]}     after each JoinGroup/SyncGroup
 *   {"type":"processed","partition":p,"offset":o}        before the record counts as processed
 *   {"type":"committed","offsets":{"p":next,...}}        after the broker acknowledged a commit
 * Auto-commit is off: it commits (offset + 1 of the last record processed of each partition)
 * after every `commitEvery` records, and nowhere else, so what the broker holds is exactly
 * the last acknowledged commit, or one in flight when the process is killed.
 */

interface Args {
  broker: string;
  groupId: string;
  topic: string;
  sessionTimeout: number;
  commitEvery: number;
  delayMs: number;
}

const args = JSON.parse(process.argv[2]!) as Args;
const emit = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);

const kafka = new Kafka({ clientId: 'groups-killed-member', brokers: [args.broker], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
const consumer = kafka.consumer({ groupId: args.groupId, sessionTimeout: args.sessionTimeout, heartbeatInterval: 300, maxWaitTimeInMs: 100 });
consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => emit({ type: 'join', memberId: payload.memberId, partitions: payload.memberAssignment[args.topic] ?? [] }));
consumer.on(consumer.events.CRASH, ({ payload }) => emit({ type: 'crash', error: String(payload.error) }));

const next = new Map<number, string>();
let processed = 0;
await consumer.connect();
await consumer.subscribe({ topic: args.topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    emit({ type: 'processed', partition, offset: Number(message.offset) });
    next.set(partition, String(Number(message.offset) + 1));
    processed++;
    if (args.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, args.delayMs));
    if (processed % args.commitEvery === 0) {
      const offsets = [...next].map(([p, offset]) => ({ topic: args.topic, partition: p, offset }));
      await consumer.commitOffsets(offsets);
      emit({ type: 'committed', offsets: Object.fromEntries(offsets.map((o) => [o.partition, Number(o.offset)])) });
    }
  },
});
emit({ type: 'running' });
