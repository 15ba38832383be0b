import { connect, type Socket } from 'node:net';
import {
  decodeResponse,
  encodeRequest,
  FrameSplitter,
  peekCorrelationId,
  type ApiKey,
  type Decoded,
  type DecodedResponse,
  type RequestBodies,
  type ResponseBodies,
} from '../../src/protocol/index.js';

/** Waits in these tests are bounded: nothing blocks forever if the broker misbehaves. */
export const DEFAULT_WAIT_MS = 15_000;

export class WaitTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms waiting for ${what}`);
    this.name = 'WaitTimeout';
  }
}

/**
 * A minimal Kafka client for the broker tests: raw frames over one socket, response frames
 * split with FrameSplitter and indexed by correlation id, every wait bounded. It never
 * retries and never interprets errors, so a test sees exactly what the broker sent, in the
 * order it sent it, and when it closed the connection.
 */
export class RawClient {
  /** Every response frame (without its size prefix), in arrival order. */
  readonly frames: Buffer[] = [];
  private readonly byCorrelation = new Map<number, Buffer>();
  private readonly splitter = new FrameSplitter({ maxFrameSize: 1 << 30 });
  private readonly listeners = new Set<() => void>();
  private nextId = 1;
  private closedFlag = false;
  /** Set when the response stream could not be split (the broker sent a bad size prefix). */
  protocolError: Error | null = null;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      try {
        this.splitter.push(chunk, (frame) => {
          const copy = Buffer.from(frame);
          this.frames.push(copy);
          if (copy.length >= 4) this.byCorrelation.set(peekCorrelationId(copy), copy);
        });
      } catch (error) {
        this.protocolError = error as Error;
        socket.destroy();
      }
      this.notify();
    });
    socket.on('error', () => {
      // ECONNRESET and the like: reported as a close, which is what the tests look at.
    });
    socket.on('close', () => {
      this.closedFlag = true;
      this.notify();
    });
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = DEFAULT_WAIT_MS): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new WaitTimeout(`a connection to ${host}:${port}`, timeoutMs));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawClient(socket));
      });
    });
  }

  /** True once the connection is closed (by either side). */
  get closed(): boolean {
    return this.closedFlag;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves once `done()` holds, re-checked on every frame and on close; rejects after `timeoutMs`. */
  waitUntil(done: () => boolean, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new WaitTimeout(what, timeoutMs));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /** A fresh correlation id (never reused on this client). */
  correlationId(): number {
    return this.nextId++;
  }

  /** Writes bytes as they are: whole frames, pieces of frames, garbage. */
  writeRaw(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Encodes a request frame (size prefix included) with a fresh correlation id. */
  frame<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K], correlationId = this.correlationId()): { correlationId: number; bytes: Buffer } {
    return { correlationId, bytes: encodeRequest({ apiKey, apiVersion, correlationId, clientId: 'raw-client' }, body) };
  }

  /** Sends one request; returns its correlation id. */
  send<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K]): number {
    const { correlationId, bytes } = this.frame(apiKey, apiVersion, body);
    this.writeRaw(bytes);
    return correlationId;
  }

  /** The response frame for a correlation id; rejects if the connection closes first or the wait runs out. */
  async responseFrame(correlationId: number, timeoutMs = DEFAULT_WAIT_MS): Promise<Buffer> {
    await this.waitUntil(() => this.byCorrelation.has(correlationId) || this.closedFlag, `the response to correlation id ${correlationId}`, timeoutMs);
    const frame = this.byCorrelation.get(correlationId);
    if (!frame) throw new Error(`connection closed before the response to correlation id ${correlationId}`);
    return frame;
  }

  has(correlationId: number): boolean {
    return this.byCorrelation.has(correlationId);
  }

  /** Waits for and decodes the response to a request sent at `apiVersion`. */
  async response<K extends ApiKey>(apiKey: K, apiVersion: number, correlationId: number, timeoutMs = DEFAULT_WAIT_MS): Promise<Decoded<ResponseBodies[K]>> {
    const frame = await this.responseFrame(correlationId, timeoutMs);
    const decoded: DecodedResponse<K> = decodeResponse(apiKey, apiVersion, frame);
    if (decoded.correlationId !== correlationId) throw new Error(`response carries correlation id ${decoded.correlationId}, not ${correlationId}`);
    return decoded.body;
  }

  /** Sends a request and waits for its decoded response. */
  async request<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K], timeoutMs = DEFAULT_WAIT_MS): Promise<Decoded<ResponseBodies[K]>> {
    return this.response(apiKey, apiVersion, this.send(apiKey, apiVersion, body), timeoutMs);
  }

  /** Correlation ids of the frames received so far, in arrival order. */
  receivedIds(): number[] {
    return this.frames.map((f) => peekCorrelationId(f));
  }

  /** True if the broker closed the connection within `timeoutMs`; false if it is still open then. */
  async waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<boolean> {
    try {
      await this.waitUntil(() => this.closedFlag, 'the connection to close', timeoutMs);
      return true;
    } catch (error) {
      if (error instanceof WaitTimeout) return false;
      throw error;
    }
  }

  /** Stops reading responses (the kernel buffers fill, then the broker's writes queue up). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Closes our side at once. */
  destroy(): void {
    this.socket.destroy();
  }
}
