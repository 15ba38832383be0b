import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_VERSIONS, Connection, isTidelogError, TidelogError } from '../../src/client/index.js';
import { API_KEYS, encodeResponse } from '../../src/protocol/index.js';
import { startTestBroker, type TestBroker } from '../server/fixtures.js';
import { startFakeBroker } from './fake-broker.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker();
});
afterAll(async () => {
  await broker.stop();
});

async function rejection(promise: Promise<unknown>): Promise<TidelogError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TidelogError);
  return error as TidelogError;
}

describe('Connection against the broker', () => {
  it('handshakes with ApiVersions v3 and picks min(our max, broker max) per API', async () => {
    const connection = await Connection.connect({ port: broker.broker.port });
    try {
      const advertised = new Map(connection.brokerVersions.map((r) => [r.apiKey, r]));
      expect(connection.versions.get(API_KEYS.ApiVersions)).toBe(3);
      for (const [name, ours] of Object.entries(CLIENT_VERSIONS)) {
        const key = API_KEYS[name as keyof typeof API_KEYS];
        expect(connection.versions.get(key), name).toBe(Math.min(ours.max, advertised.get(key)!.maxVersion));
      }
      expect(connection.versionOf(API_KEYS.Produce)).toBe(7);
      expect(() => connection.versionOf(API_KEYS.InitProducerId)).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_VERSION' })); // the broker does not advertise it
    } finally {
      await connection.close();
    }
  });

  it('pipelines many requests with a bounded number in flight and correlates every response', async () => {
    const connection = await Connection.connect({ port: broker.broker.port, maxInFlight: 2 });
    try {
      const responses = await Promise.all(Array.from({ length: 20 }, () => connection.request(API_KEYS.Metadata, { topics: [] })));
      expect(responses).toHaveLength(20);
      for (const r of responses) expect(r.brokers).toHaveLength(1);
    } finally {
      await connection.close();
    }
  });

  it('close waits for pending requests; later requests fail with NETWORK_EXCEPTION', async () => {
    const connection = await Connection.connect({ port: broker.broker.port });
    const pending = connection.request(API_KEYS.Metadata, { topics: [] });
    const closing = connection.close();
    await expect(pending).resolves.toMatchObject({ brokers: [expect.objectContaining({ port: broker.broker.port })] });
    await closing;
    expect(connection.closed).toBe(true);
    const error = await rejection(connection.request(API_KEYS.Metadata, { topics: [] }));
    expect(error.code).toBe('NETWORK_EXCEPTION');
    expect(error.retriable).toBe(true);
  });

  it('fails pending requests with NETWORK_EXCEPTION when the broker drops the connection', async () => {
    const other = await startTestBroker();
    const connection = await Connection.connect({ port: other.broker.port });
    await other.stop();
    const error = await rejection(connection.request(API_KEYS.Metadata, { topics: [] }));
    expect(error.code).toBe('NETWORK_EXCEPTION');
    expect(isTidelogError(error, 'NETWORK_EXCEPTION')).toBe(true);
  });

  it('reports a refused connection as NETWORK_EXCEPTION with the socket error as cause', async () => {
    const fake = await startFakeBroker(() => null);
    const port = fake.port;
    await fake.stop();
    const error = await rejection(Connection.connect({ port }));
    expect(error.code).toBe('NETWORK_EXCEPTION');
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('Connection against scripted peers', () => {
  it('falls back from ApiVersions v3 on UNSUPPORTED_VERSION to the version the broker lists', async () => {
    const seen: number[] = [];
    const fake = await startFakeBroker((header) => {
      if (header.apiKey !== API_KEYS.ApiVersions) return null;
      seen.push(header.apiVersion);
      if (header.apiVersion > 2) {
        // KIP-511: a v0 body with error 35 listing the ApiVersions range.
        return encodeResponse(API_KEYS.ApiVersions, 0, header.correlationId, { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }] });
      }
      return encodeResponse(API_KEYS.ApiVersions, header.apiVersion, header.correlationId, {
        errorCode: 0,
        apiKeys: [
          { apiKey: 18, minVersion: 0, maxVersion: 2 },
          { apiKey: 3, minVersion: 0, maxVersion: 5 },
        ],
        throttleTimeMs: 0,
      });
    });
    try {
      const connection = await Connection.connect({ port: fake.port });
      expect(seen).toEqual([3, 2]);
      expect(connection.versions.get(API_KEYS.ApiVersions)).toBe(2);
      expect(connection.versions.get(API_KEYS.Metadata)).toBe(5);
      expect(connection.versions.has(API_KEYS.Produce)).toBe(false);
      connection.destroy();
    } finally {
      await fake.stop();
    }
  });

  it('times out a silent request with REQUEST_TIMED_OUT and fails the rest with NETWORK_EXCEPTION', async () => {
    const fake = await startFakeBroker((header) =>
      header.apiKey === API_KEYS.ApiVersions
        ? encodeResponse(API_KEYS.ApiVersions, header.apiVersion, header.correlationId, {
            errorCode: 0,
            apiKeys: [
              { apiKey: 18, minVersion: 0, maxVersion: 3 },
              { apiKey: 3, minVersion: 0, maxVersion: 12 },
            ],
          })
        : null,
    );
    try {
      const connection = await Connection.connect({ port: fake.port, requestTimeoutMs: 5_000 });
      const first = connection.request(API_KEYS.Metadata, { topics: [] }, { timeoutMs: 100 });
      const second = connection.request(API_KEYS.Metadata, { topics: [] });
      const timedOut = await rejection(first);
      expect(timedOut.code).toBe('REQUEST_TIMED_OUT');
      expect(timedOut.retriable).toBe(true);
      expect((await rejection(second)).code).toBe('NETWORK_EXCEPTION');
      expect(connection.closed).toBe(true);
    } finally {
      await fake.stop();
    }
  });
});
