import { once } from 'node:events';
import { open } from 'node:fs/promises';
import { connect } from 'node:net';
import { spawnListening, type Child } from './child-process.js';
import { measured, medianMeasured, type Measured } from './cpu.js';
import { pingPong, RawConnection } from './raw-connection.js';
import { timed } from './stats.js';

/**
 * What the machine itself can do, measured in the same run as the figures compared with it:
 * sequential file writes and reads of the bytes a broker stores, and loopback TCP to a
 * trivial peer in its own process (bulk throughput, and the round trip of one small frame).
 */

const READ_CHUNK_BYTES = 1 << 20;
/** Untimed round trips before a latency run, so that neither side is measured cold. */
export const WARMUP_ROUND_TRIPS = 5_000;

/** The bytes written sequentially to a plain file, one write per buffer, no fsync. */
export async function rawWrites(path: string, buffers: Buffer[]): Promise<void> {
  const file = await open(path, 'w');
  let position = 0;
  for (const buffer of buffers) {
    await file.write(buffer, 0, buffer.length, position);
    position += buffer.length;
  }
  await file.close();
}

/** Reads a file sequentially in 1 MiB reads. */
export async function rawReads(path: string, totalBytes: number): Promise<void> {
  const file = await open(path, 'r');
  for (let position = 0; position < totalBytes; position += READ_CHUNK_BYTES) {
    await file.read(Buffer.allocUnsafe(READ_CHUNK_BYTES), 0, READ_CHUNK_BYTES, position);
  }
  await file.close();
}

/**
 * Two servers in one process: an echo server that writes every chunk back as it arrives (the
 * floor under any request/response round trip), and a sink that reads a float64 byte count,
 * then that many bytes, and answers with one byte (the floor under moving bulk data).
 */
const LOOPBACK_PEER = `
const net = require('node:net');
const echo = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => {});
});
const sink = net.createServer((socket) => {
  socket.setNoDelay(true);
  let header = Buffer.alloc(0);
  let remaining = -1;
  socket.on('data', (chunk) => {
    while (chunk.length > 0) {
      if (remaining < 0) {
        const need = 8 - header.length;
        header = Buffer.concat([header, chunk.subarray(0, need)]);
        chunk = chunk.subarray(need);
        if (header.length < 8) return;
        remaining = header.readDoubleBE(0);
        header = Buffer.alloc(0);
      }
      const take = Math.min(remaining, chunk.length);
      remaining -= take;
      chunk = chunk.subarray(take);
      if (remaining === 0) {
        remaining = -1;
        socket.write(Buffer.of(1));
      }
    }
  });
  socket.on('error', () => {});
});
echo.listen(0, '127.0.0.1', () =>
  sink.listen(0, '127.0.0.1', () => console.log('loopback peer listening on ' + echo.address().port + ' ' + sink.address().port)),
);
process.on('SIGTERM', () => process.exit(0));
`;

/** The peer: `port` is the echo server's, `extra[0]` the sink's. */
export function startLoopbackPeer(): Promise<Child> {
  return spawnListening('loopback peer', ['-e', LOOPBACK_PEER], /loopback peer listening on (\d+) (\d+)/);
}

/** A frame of `size` bytes (size prefix included) the echo server returns as it is; its correlation id sits at byte 4. */
export function echoFrame(size: number): Buffer {
  const frame = Buffer.alloc(size, 'e');
  frame.writeInt32BE(size - 4, 0);
  return frame;
}
export const ECHO_CORRELATION_OFFSET = 4;

/** Round trips of `frame` through the echo server, one at a time: `runs` runs of `requests` microsecond samples, after a warm-up. */
export async function loopbackLatency(peer: Child, frame: Buffer, runs: number, requests: number): Promise<{ samples: Float64Array[]; cpu: Measured }> {
  const conn = await RawConnection.open(peer.port);
  try {
    await pingPong(conn, frame, ECHO_CORRELATION_OFFSET, Math.min(WARMUP_ROUND_TRIPS, requests));
    const samples: Float64Array[] = [];
    const cpu: Measured[] = [];
    for (let run = 0; run < runs; run++) cpu.push(await measured(peer.pid, async () => void samples.push(await pingPong(conn, frame, ECHO_CORRELATION_OFFSET, requests))));
    return { samples, cpu: medianMeasured(cpu) };
  } finally {
    conn.close();
  }
}

/** Seconds to stream `buffers` to the sink over one connection, writing as fast as the socket takes them, until the sink has them all. */
export async function loopbackStream(peer: Child, buffers: Buffer[]): Promise<number> {
  const socket = connect({ port: Number(peer.extra[0]), host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  try {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    const header = Buffer.alloc(8);
    header.writeDoubleBE(total, 0);
    const acknowledged = once(socket, 'data');
    return await timed(async () => {
      socket.write(header);
      for (const buffer of buffers) if (!socket.write(buffer)) await once(socket, 'drain');
      await acknowledged;
    });
  } finally {
    socket.destroy();
  }
}
