import { connect, createServer, type Server, type Socket } from 'node:net';
import { FrameSplitter, peekCorrelationId, peekRequestHeader, type RequestHeaderPrefix } from '../../src/protocol/index.js';

/**
 * A TCP proxy in front of a real broker, for the producer's failure paths: it passes frames
 * through, and a test's `onRequest` may instead answer a request itself (say, NOT_LEADER for a
 * Produce), swallow it and cut the connection (the broker never sees it), or let it through and
 * cut the connection before the answer comes back (the broker wrote it, the client can't know).
 * The broker must advertise the proxy's port (`advertised.port`) so that clients come back here.
 */

export type RequestAction =
  | { kind: 'forward' }
  /** Answer with this frame (size prefix included); the broker never sees the request. */
  | { kind: 'reply'; frame: Buffer }
  /** Drop the request and close the client's connection. */
  | { kind: 'cut' }
  /** Forward the request, then drop its response and close the client's connection. */
  | { kind: 'cut-after-write' };

export interface ProducerProxy {
  port: number;
  /** Where to forward to; set once the broker runs. */
  target: number;
  /** Requests seen, by API key. */
  seen: Map<number, number>;
  onRequest: (header: RequestHeaderPrefix, frame: Buffer) => RequestAction;
  stop(): Promise<void>;
}

function framed(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

export async function startProducerProxy(): Promise<ProducerProxy> {
  const sockets = new Set<Socket>();
  const proxy: ProducerProxy = {
    port: 0,
    target: 0,
    seen: new Map(),
    onRequest: () => ({ kind: 'forward' }),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((client) => {
    sockets.add(client);
    const upstream = connect({ host: '127.0.0.1', port: proxy.target });
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
    /** Correlation ids whose responses must not reach the client. */
    const doomed = new Set<number>();
    const requests = new FrameSplitter();
    client.on('data', (chunk: Buffer) =>
      requests.push(chunk, (frame) => {
        const header = peekRequestHeader(frame);
        proxy.seen.set(header.apiKey, (proxy.seen.get(header.apiKey) ?? 0) + 1);
        const action = proxy.onRequest(header, frame);
        if (action.kind === 'reply') client.write(action.frame);
        else if (action.kind === 'cut') close();
        else {
          if (action.kind === 'cut-after-write') doomed.add(header.correlationId);
          upstream.write(framed(frame));
        }
      }),
    );
    const responses = new FrameSplitter();
    upstream.on('data', (chunk: Buffer) =>
      responses.push(chunk, (frame) => {
        if (doomed.has(peekCorrelationId(frame))) close();
        else client.write(framed(frame));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  proxy.port = address.port;
  return proxy;
}
