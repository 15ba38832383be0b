import { connect, type Socket } from 'node:net';
import { FrameSplitter } from '../src/protocol/index.js';

/**
 * A minimal raw client for benchmarks: whole frames out, response frames back in request
 * order, with no decoding on the way, so that what is timed is the server and the socket.
 * Speaks any length-prefixed request/response protocol: Kafka's, and the echo server's.
 */

export type OnResponse = (error: Error | null, frame: Buffer | null) => void;

/**
 * One connection: whole frames out, response frames (after the size prefix) back in
 * request order, each checked against the correlation id it was sent with.
 */
export class RawConnection {
  private readonly splitter = new FrameSplitter();
  private readonly pending: { correlationId: number; onResponse: OnResponse }[] = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.splitter.push(chunk, (frame) => this.onFrame(frame));
      } catch (error) {
        this.fail(error as Error);
      }
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** A frame that does not answer the oldest request throws, and fail() then rejects every request still waiting. */
  private onFrame(frame: Buffer): void {
    const waiter = this.pending[0];
    if (!waiter) throw new Error('a response nobody asked for');
    const correlationId = frame.readInt32BE(0);
    if (correlationId !== waiter.correlationId) throw new Error(`response to ${correlationId} where ${waiter.correlationId} was due`);
    this.pending.shift();
    waiter.onResponse(null, frame);
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.onResponse(error, null);
  }

  /** Sends a whole frame (size prefix included) whose correlation id is `correlationId`. */
  send(frame: Buffer, correlationId: number, onResponse: OnResponse): void {
    if (this.failure) return onResponse(this.failure, null);
    this.pending.push({ correlationId, onResponse });
    this.socket.write(frame);
  }

  request(frame: Buffer, correlationId: number): Promise<Buffer> {
    return new Promise((resolve, reject) => this.send(frame, correlationId, (error, response) => (error ? reject(error) : resolve(response!))));
  }

  close(): void {
    this.failure ??= new Error('closed by the client');
    this.socket.destroy();
  }
}

/**
 * Sends every frame (frame i carrying correlation id i), keeping up to `window` in flight on
 * each connection; resolves once all are answered and `check` accepted each answer.
 */
export function pipeline(conns: RawConnection[], frames: Buffer[], window: number, check: (response: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let answered = 0;
    let failed = false;
    const sendNext = (conn: RawConnection) => {
      const i = next++;
      conn.send(frames[i]!, i, (error, response) => {
        if (failed) return;
        try {
          if (error) throw error;
          check(response!);
        } catch (e) {
          failed = true;
          return reject(e);
        }
        if (++answered === frames.length) return resolve();
        if (next < frames.length) sendNext(conn);
      });
    };
    for (let w = 0; w < window; w++) for (const conn of conns) if (next < frames.length) sendNext(conn);
  });
}

/**
 * Sends `frame` `count` times, each once the previous one is answered, patching a fresh
 * correlation id in at `correlationOffset`; returns each round trip in microseconds.
 */
export function pingPong(conn: RawConnection, frame: Buffer, correlationOffset: number, count: number, check?: (response: Buffer) => void): Promise<Float64Array> {
  const samples = new Float64Array(count);
  return new Promise((resolve, reject) => {
    let i = 0;
    let start = 0n;
    const onResponse: OnResponse = (error, response) => {
      const end = process.hrtime.bigint();
      try {
        if (error) throw error;
        samples[i] = Number(end - start) / 1e3;
        check?.(response!);
      } catch (e) {
        return reject(e);
      }
      if (++i === count) return resolve(samples);
      sendOne();
    };
    const sendOne = () => {
      // The previous write of this buffer has completed: its answer came back.
      frame.writeInt32BE(i, correlationOffset);
      start = process.hrtime.bigint();
      conn.send(frame, i, onResponse);
    };
    sendOne();
  });
}

export function openConnections(port: number, count: number): Promise<RawConnection[]> {
  return Promise.all(Array.from({ length: count }, () => RawConnection.open(port)));
}
