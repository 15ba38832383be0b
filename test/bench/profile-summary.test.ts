import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from '../../bench/profile-summary.js';

/** profile-summary's arithmetic on a hand-made profile: self time per function and module, idle apart. */

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const producer = pathToFileURL(`${REPO}dist/src/client/producer.js`).href;
const kafkajs = pathToFileURL(`${REPO}node_modules/kafkajs/src/producer/index.js`).href;

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' });
const profile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('send', producer, 44) },
    { id: 4, callFrame: frame('(garbage collector)') },
    { id: 5, callFrame: frame('send', kafkajs, 9) },
  ],
  startTime: 0,
  endTime: 10_000,
  // Each sample is charged the time until the next one (the last: none): 1 ms idle, 3 ms ours, 2 ms GC, 4 ms kafkajs.
  samples: [2, 3, 3, 4, 5, 5],
  timeDeltas: [0, 1_000, 1_000, 2_000, 2_000, 4_000],
};

describe('profile-summary', () => {
  it('charges each sample the time to the next and groups self time by function and by module', () => {
    const summary = summarize(profile);
    expect(summary.totalMs).toBe(10);
    expect(summary.idleMs).toBe(1);
    expect(summary.functions).toEqual([
      { name: 'send', where: 'node_modules/kafkajs/src/producer/index.js:10', selfMs: 4 },
      { name: 'send', where: 'dist/src/client/producer.js:45', selfMs: 3 },
      { name: '(garbage collector)', where: '', selfMs: 2 },
    ]);
    expect(summary.modules).toEqual([
      { module: 'kafkajs', selfMs: 4 },
      { module: 'src/client', selfMs: 3 },
      { module: '(garbage collector)', selfMs: 2 },
    ]);
  });

  it('prints shares of the busy time', () => {
    const text = formatSummary('p', summarize(profile), 5);
    expect(text).toContain('10% idle');
    expect(text).toMatch(/33\.3%\s+3 ms {2}src\/client/);
  });
});
