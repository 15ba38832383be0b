/**
 * Child process for the kill -9 test: opens the log in `dir` (recovering it), checks it
 * holds exactly batches 0..startSeq-1 of the deterministic stream, then appends batch
 * startSeq, startSeq+1, ... with a window of appends in flight, every tenth one durable,
 * and prints `ack <seq> <baseOffset>` for each acknowledged append. It runs until it is
 * killed; a deadline makes sure an orphan never outlives the test for long.
 *
 * Usage: node --import tsx appender-child.ts <dir> <startSeq>
 */
import { resolveTopicConfig } from '../../src/config/index.js';
import { PartitionLog } from '../../src/log/index.js';
import { expectedStream, makeBatch } from '../helpers/batches.js';
import { CHILD_CONFIG } from './child-config.js';

const WINDOW = 16;
const DEADLINE_MS = 30_000;

async function main(): Promise<void> {
  const [dir, startArg] = process.argv.slice(2);
  if (!dir || startArg === undefined) throw new Error('usage: appender-child <dir> <startSeq>');
  const startSeq = Number(startArg);
  const deadline = setTimeout(() => process.exit(3), DEADLINE_MS);
  deadline.unref();
  process.stdout.on('error', () => process.exit(4)); // the parent went away

  const log = await PartitionLog.open({ dir, config: resolveTopicConfig(CHILD_CONFIG) });
  const expectedEnd = startSeq === 0 ? 0n : expectedStream(startSeq).at(-1)!.lastOffset + 1n;
  if (log.logEndOffset !== expectedEnd) throw new Error(`log ends at ${log.logEndOffset}, expected ${expectedEnd}`);
  process.stdout.write(`ready ${log.logEndOffset}\n`);

  let seq = startSeq;
  const inFlight = new Set<Promise<void>>();
  for (;;) {
    while (inFlight.size < WINDOW) {
      const mine = seq++;
      const p: Promise<void> = log.append(makeBatch(mine), { durable: mine % 10 === 0 }).then((result) => {
        process.stdout.write(`ack ${mine} ${result.baseOffset}\n`);
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
    await Promise.race(inFlight);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(2);
});
