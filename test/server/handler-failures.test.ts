import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, TidelogError } from '../../src/common/index.js';
import { API_KEYS } from '../../src/protocol/index.js';
import { Connection } from '../../src/server/connection.js';
import { apiVersionsHandler } from '../../src/server/handlers/api-versions.js';
import { defineHandler, HandlerRegistry, NO_RESPONSE } from '../../src/server/index.js';
import { RawClient } from './raw-client.js';

/*
 * What a connection does when a handler breaks its contract (throws, rejects, or returns a
 * body that cannot be encoded): the connection closes, but only after every earlier request
 * is answered, and nothing escapes to the process. Handlers here are stand-ins served by a
 * real Connection over loopback, since the broker's own handlers are not supposed to fail.
 */

const logged: string[] = [];
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
let server: Server;
let port: number;
const connections = new Set<Connection>();

/** Metadata stand-in: the first topic name says how to behave. */
const metadata = defineHandler({
  apiKey: API_KEYS.Metadata,
  minVersion: 0,
  maxVersion: 6,
  async handle(body, { signal }) {
    const how = body.topics?.[0]?.name ?? 'ok';
    if (how === 'throw-sync') throw new Error('sync failure');
    await new Promise((resolve) => setImmediate(resolve));
    if (how === 'reject') throw new TidelogError('UNKNOWN_SERVER_ERROR', 'async failure');
    if (how === 'unencodable') return { brokers: 'not an array' } as never;
    if (how === 'silent') return NO_RESPONSE as never;
    if (how === 'slow') {
      // Waits until the connection gives up on it (or 60 s): a long poll stand-in.
      await new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const timer = setTimeout(resolve, 60_000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return { throttleTimeMs: 0, brokers: [], clusterId: null, controllerId: 0, topics: [] };
  },
});

/** A handler whose handle() throws before returning a promise. */
const syncThrower = defineHandler({
  apiKey: API_KEYS.ListOffsets,
  minVersion: 1,
  maxVersion: 3,
  handle() {
    throw new Error('thrown synchronously');
  },
});

beforeAll(async () => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const registry: HandlerRegistry = new HandlerRegistry([apiVersionsHandler(() => registry.ranges()), metadata, syncThrower]);
  const logger = createLogger('debug', (line) => logged.push(line));
  server = createServer((socket) => {
    const connection = new Connection(socket, registry, { maxRequestBytes: 1 << 20, maxInFlight: 16, maxQueuedResponseBytes: 1 << 20, logger });
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  });
  port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
});

afterAll(async () => {
  for (const connection of connections) connection.close();
  await new Promise((resolve) => server.close(resolve));
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

async function pipeline(failing: Buffer | ((client: RawClient) => Buffer)) {
  const client = await RawClient.connect(port);
  const before = client.frame(API_KEYS.Metadata, 1, { topics: [{ name: 'slow' }] });
  const ok = client.frame(API_KEYS.ApiVersions, 0, {});
  const bad = typeof failing === 'function' ? failing(client) : failing;
  const after = client.frame(API_KEYS.ApiVersions, 0, {});
  client.writeRaw(Buffer.concat([before.bytes, ok.bytes, bad, after.bytes]));
  expect(await client.waitForClose()).toBe(true);
  return { ids: client.receivedIds(), before: before.correlationId, ok: ok.correlationId, after: after.correlationId };
}

describe('a failing handler closes its connection after the earlier answers', () => {
  it.each(['throw-sync', 'reject', 'unencodable'])('%s', async (how) => {
    const { ids, before, ok } = await pipeline((client) => client.frame(API_KEYS.Metadata, 1, { topics: [{ name: how }] }).bytes);
    // The earlier requests are answered (the slow one cut short), the failing one and those after it are not.
    expect(ids).toEqual([before, ok]);
    expect(logged.some((line) => line.includes('handler failed'))).toBe(true);
    expect(crashes).toEqual([]);
  });

  it('a handler that throws synchronously', async () => {
    const { ids, before, ok } = await pipeline((client) => client.frame(API_KEYS.ListOffsets, 1, { replicaId: -1, topics: [] }).bytes);
    expect(ids).toEqual([before, ok]);
    expect(crashes).toEqual([]);
  });

  it('an unsupported request behind a long wait cuts the wait short and is answered in order', async () => {
    const { ids, before, ok } = await pipeline((client) => {
      const frame = client.frame(API_KEYS.ApiVersions, 0, {}).bytes;
      frame.writeInt16BE(API_KEYS.Fetch, 4);
      return frame;
    });
    expect(ids).toEqual([before, ok]);
  });

  it('a request that gets no response keeps its place, and the connection stays usable', async () => {
    const client = await RawClient.connect(port);
    const silent = client.frame(API_KEYS.Metadata, 1, { topics: [{ name: 'silent' }] });
    const ok = client.frame(API_KEYS.ApiVersions, 0, {});
    client.writeRaw(Buffer.concat([silent.bytes, ok.bytes]));
    await client.responseFrame(ok.correlationId);
    expect(client.receivedIds()).toEqual([ok.correlationId]);
    expect(client.closed).toBe(false);
    client.destroy();
  });
});
