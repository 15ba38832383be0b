import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, TidelogError } from '../../src/client/index.js';
import { createTopics, startTestBroker, type TestBroker } from '../server/fixtures.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker({ 'auto.create.topics.enable': 'false' });
  const raw = await broker.connect();
  await createTopics(raw, [{ name: 'three', partitions: 3 }]);
});
afterAll(async () => {
  await broker.stop();
});

describe('Cluster', () => {
  it('learns the brokers, a topic`s partitions and leaders, and the group coordinator', async () => {
    const cluster = await Cluster.connect({ brokers: [`127.0.0.1:${broker.broker.port}`] });
    try {
      const info = await cluster.topic('three');
      expect(info.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      expect(cluster.brokers.map((b) => b.port)).toEqual([broker.broker.port]);
      const leader = await cluster.leader('three', 2);
      expect(leader.closed).toBe(false);
      // One broker: the leader and the bootstrap share a connection; group requests get their own.
      const coordinator = await cluster.coordinator('g');
      expect(coordinator).not.toBe(leader);
      expect(coordinator.closed).toBe(false);
      expect(await cluster.anyConnection()).toBe(leader);
    } finally {
      await cluster.close();
    }
  });

  it('reconnects after the connection breaks', async () => {
    const cluster = await Cluster.connect({ port: broker.broker.port });
    try {
      const first = await cluster.leader('three', 0);
      first.destroy();
      const second = await cluster.leader('three', 0);
      expect(second).not.toBe(first);
      expect(second.closed).toBe(false);
    } finally {
      await cluster.close();
    }
  });

  it('rejects an unknown topic with its Kafka error and does not cache the failure', async () => {
    const cluster = await Cluster.connect({ port: broker.broker.port, retry: { retries: 0 } });
    try {
      const error = await cluster.topic('nope').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TidelogError);
      expect((error as TidelogError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
      await expect(cluster.leader('three', 3)).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
      const raw = await broker.connect();
      await createTopics(raw, [{ name: 'nope', partitions: 1 }]);
      expect((await cluster.topic('nope')).partitions).toHaveLength(1);
    } finally {
      await cluster.close();
    }
  });

  it('fails fast with NETWORK_EXCEPTION when no bootstrap broker answers, and rejects bad addresses', async () => {
    await expect(Cluster.connect({ brokers: '127.0.0.1:1', retry: { retries: 1, initialBackoffMs: 1 } })).rejects.toMatchObject({ code: 'NETWORK_EXCEPTION' });
    expect(() => new Cluster({ brokers: ['localhost'] })).toThrow(/host:port/);
    expect(() => new Cluster({})).toThrow(/brokers/);
  });

  it('refuses calls after close', async () => {
    const cluster = await Cluster.connect({ port: broker.broker.port });
    await cluster.close();
    await expect(cluster.topic('three')).rejects.toMatchObject({ code: 'NETWORK_EXCEPTION' });
  });
});
