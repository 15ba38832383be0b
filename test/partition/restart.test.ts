import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOPICS_FILE } from '../../src/partition/index.js';
import { makeBatch, splitBatches } from '../helpers/log-fixtures.js';
import { failsWith, useDataDir } from './fixtures.js';

describe('TopicManager: restarts', () => {
  const data = useDataDir();

  it('keeps topics, ids, configs, the cluster id and the data across a restart', async () => {
    const first = await data.open();
    expect(first.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const created = await first.createTopic({ name: 'kept', numPartitions: 3, configs: { 'retention.bytes': '123456' } });
    await first.createTopic({ name: '__consumer_offsets', numPartitions: 1 }, { origin: 'broker' });
    await first.createPartitions('kept', 4);
    for (let seq = 0; seq < 3; seq++) await first.partition('kept', 2).append(makeBatch(seq));
    await first.deleteTopic('__consumer_offsets', { origin: 'broker' });
    await first.createTopic({ name: '__consumer_offsets', numPartitions: 2 }, { origin: 'broker' });
    await first.close();
    await first.close(); // idempotent
    expect((await readFile(join(data.dir, 'kept-2', '.clean-shutdown'))).length).toBe(0);
    await failsWith(first.createTopic({ name: 'late' }), 'KAFKA_STORAGE_ERROR');

    const second = await data.open();
    expect(second.clusterId).toBe(first.clusterId);
    expect(second.listTopics()).toEqual([
      { name: '__consumer_offsets', topicId: expect.stringMatching(/^[0-9a-f]{32}$/), internal: true, numPartitions: 2, replicationFactor: 1, configs: {} },
      { name: 'kept', topicId: created.topicId, internal: false, numPartitions: 4, replicationFactor: 1, configs: { 'retention.bytes': '123456' } },
    ]);
    expect(second.effectiveConfig('kept')['retention.bytes']).toBe(123456);
    expect(second.recoveryReports).toHaveLength(6);
    expect(second.recoveryReports.every((r) => r.report.cleanShutdown)).toBe(true);
    const partition = second.partition('kept', 2);
    expect(partition.highWatermark).toBe(1n + 2n + 3n);
    expect(splitBatches(await partition.read(0n, 1 << 20))).toHaveLength(3);
    expect(second.topicNameById(created.topicId)).toBe('kept');
    await second.close();

    // A partition directory lost outside Tidelog comes back empty, with a warning.
    await rm(join(data.dir, 'kept-0'), { recursive: true });
    const third = await data.open();
    expect(third.partition('kept', 0).logEndOffset).toBe(0n);
    expect(data.warnings.some((w) => w.includes('kept-0 is missing'))).toBe(true);
  });

  it('removes orphan partition directories at start, and leaves foreign ones alone', async () => {
    const first = await data.open();
    await first.createTopic({ name: 'live', numPartitions: 1 });
    await first.close();
    // A delete interrupted after unregistering, a create interrupted before registering, and a stranger.
    await mkdir(join(data.dir, 'dead-0'));
    await writeFile(join(data.dir, 'dead-0', '00000000000000000000.log'), Buffer.alloc(10));
    await writeFile(join(data.dir, 'dead-0', 'recovery-point-offset-checkpoint'), '0\n');
    await mkdir(join(data.dir, 'live-1'));
    await mkdir(join(data.dir, 'notes-1'));
    await writeFile(join(data.dir, 'notes-1', 'README.txt'), 'mine');
    await writeFile(join(data.dir, 'file-0'), 'a file, not a directory');

    const second = await data.open();
    expect(await data.entries()).toEqual(['file-0', 'live-0', 'meta.msgpack', 'notes-1', 'topics.msgpack']);
    expect(data.warnings.filter((w) => w.startsWith('removed'))).toHaveLength(2);
    expect(data.warnings.some((w) => w.includes('notes-1') && w.includes('left alone'))).toBe(true);
    // A new topic never inherits what an orphan left behind.
    await second.createTopic({ name: 'live2', numPartitions: 1 });
    expect(second.partition('live2', 0).logEndOffset).toBe(0n);
  });

  it('changes nothing when the registry cannot be written', async () => {
    const topics = await data.open();
    await topics.createTopic({ name: 'stays', numPartitions: 1 });
    // The registry's temp file cannot be opened: every registry write fails.
    await mkdir(join(data.dir, `${TOPICS_FILE}.tmp`));
    await failsWith(topics.createTopic({ name: 'new', numPartitions: 2 }), 'KAFKA_STORAGE_ERROR');
    await failsWith(topics.createPartitions('stays', 3), 'KAFKA_STORAGE_ERROR');
    await failsWith(topics.deleteTopic('stays'), 'KAFKA_STORAGE_ERROR');
    expect(topics.listTopics().map((t) => [t.name, t.numPartitions])).toEqual([['stays', 1]]);
    expect(await data.entries()).toEqual(['meta.msgpack', 'stays-0', `${TOPICS_FILE}`, `${TOPICS_FILE}.tmp`]);
    await rm(join(data.dir, `${TOPICS_FILE}.tmp`), { recursive: true });
    await topics.createTopic({ name: 'new', numPartitions: 2 });
    expect(topics.partition('new', 1).logEndOffset).toBe(0n);
  });

  it('refuses to start over partition directories without a topic registry', async () => {
    const first = await data.open();
    await first.createTopic({ name: 'x', numPartitions: 1 });
    await first.partition('x', 0).append(makeBatch(0));
    await first.close();
    await rm(join(data.dir, TOPICS_FILE));
    expect(await failsWith(data.open(), 'KAFKA_STORAGE_ERROR')).toContain('no topic registry');
    expect(await data.entries()).toContain('x-0');
  });

  it('reports a damaged registry instead of guessing', async () => {
    await (await data.open()).close();
    await writeFile(join(data.dir, TOPICS_FILE), Buffer.from([0xc1]));
    await failsWith(data.open(), 'KAFKA_STORAGE_ERROR');
  });
});
