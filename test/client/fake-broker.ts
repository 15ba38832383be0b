import { createServer, type Server, type Socket } from 'node:net';
import { FrameSplitter, peekRequestHeader, type RequestHeaderPrefix } from '../../src/protocol/index.js';

/**
 * A scripted peer for the connection paths the real broker never takes (an older ApiVersions,
 * a broker that stops answering). `reply` gets each request's header and returns the response
 * frame to write, or null to stay silent.
 */
export async function startFakeBroker(reply: (header: RequestHeaderPrefix, socket: Socket) => Buffer | null): Promise<{ port: number; server: Server; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const splitter = new FrameSplitter();
    socket.on('data', (chunk: Buffer) =>
      splitter.push(chunk, (frame) => {
        const response = reply(peekRequestHeader(frame), socket);
        if (response) socket.write(response);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    server,
    stop: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
