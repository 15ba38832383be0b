import type { Socket } from 'node:net';
import type { Logger } from '../common/index.js';
import { API_KEYS, decodeRequest, encodeResponseChunks, FrameSplitter, peekRequestHeader, type ApiKey } from '../protocol/index.js';
import { NO_RESPONSE, type HandlerResult } from './handler.js';
import type { HandlerRegistry } from './registry.js';

export interface ConnectionOptions {
  /** socket.request.max.bytes: the largest request accepted, checked before its body is buffered. */
  maxRequestBytes: number;
  /** Requests read but not yet answered, beyond which reading pauses. */
  maxInFlight: number;
  /** Bytes queued for a client that does not read, beyond which reading pauses. */
  maxQueuedResponseBytes: number;
  logger: Logger;
}

/** A response slot: filled when the handler finishes, sent when every earlier one is. */
interface Slot {
  chunks: Buffer[] | null;
  done: boolean;
}

/**
 * One client connection. Requests may be pipelined: each is handed to its handler as soon
 * as it is read (so appends keep arrival order), and responses leave in request order.
 * Reading pauses while too many requests are in flight or the client is not reading its
 * responses. Malformed frames, unknown APIs and unsupported versions close the
 * connection, as Kafka does; nothing a client sends can throw past this class.
 */
export class Connection {
  private readonly splitter: FrameSplitter;
  private readonly slots: Slot[] = [];
  private readonly abort = new AbortController();
  private closed = false;
  private readonly remoteAddress: string;
  private readonly drainWaiters: (() => void)[] = [];

  constructor(
    private readonly socket: Socket,
    private readonly registry: HandlerRegistry,
    private readonly options: ConnectionOptions,
  ) {
    this.remoteAddress = `${socket.remoteAddress}:${socket.remotePort}`;
    this.splitter = new FrameSplitter({ maxFrameSize: options.maxRequestBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('drain', () => this.maybeResume());
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close());
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Resolves when every request read so far has been answered and written (or the connection is gone). */
  drained(): Promise<void> {
    if (this.closed || this.slots.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private notifyDrained(): void {
    if (!this.closed && this.slots.length > 0) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private onData(chunk: Buffer): void {
    try {
      this.splitter.push(chunk, (frame) => this.onFrame(frame));
    } catch (error) {
      this.close(`bad frame: ${(error as Error).message}`);
    }
  }

  private onFrame(frame: Buffer): void {
    if (this.closed) return;
    const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame);
    if (!this.registry.find(apiKey, apiVersion)) {
      if (apiKey === API_KEYS.ApiVersions) return this.rejectApiVersionsVersion(correlationId);
      return this.close(`unsupported API key ${apiKey} version ${apiVersion}`);
    }
    const request = decodeRequest(frame);
    const handler = this.registry.find(apiKey, apiVersion)!;
    const slot: Slot = { chunks: null, done: false };
    this.slots.push(slot);
    this.maybePause();
    let result: HandlerResult<ApiKey> | Promise<HandlerResult<ApiKey>>;
    try {
      result = handler.handle(request.body as never, { header: request.header, remoteAddress: this.remoteAddress, signal: this.abort.signal });
    } catch (error) {
      return this.failed(apiKey, error);
    }
    Promise.resolve(result)
      .then((body) => {
        slot.chunks = body === NO_RESPONSE ? null : encodeResponseChunks(apiKey as ApiKey, apiVersion, correlationId, body as never);
        slot.done = true;
        this.sendReady();
      })
      .catch((error: unknown) => this.failed(apiKey, error));
  }

  /** KIP-511: an ApiVersions version we don't know gets a v0 answer with error 35 and our range. */
  private rejectApiVersionsVersion(correlationId: number): void {
    const range = this.registry.range(API_KEYS.ApiVersions);
    this.slots.push({ chunks: encodeResponseChunks(API_KEYS.ApiVersions, 0, correlationId, { errorCode: 35, apiKeys: range ? [range] : [] }), done: true });
    this.sendReady();
  }

  private failed(apiKey: number, error: unknown): void {
    this.options.logger.warn(`closing ${this.remoteAddress}: API ${apiKey} handler failed: ${(error as Error)?.stack ?? error}`);
    this.close();
  }

  private sendReady(): void {
    if (this.closed) return;
    let sent = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const { chunks } = this.slots.shift()!;
      if (!chunks) continue;
      if (!sent) this.socket.cork();
      sent = true;
      for (const chunk of chunks) this.socket.write(chunk);
    }
    if (sent) this.socket.uncork();
    this.maybePause();
    this.maybeResume();
    this.notifyDrained();
  }

  private maybePause(): void {
    if (this.slots.length >= this.options.maxInFlight || this.socket.writableLength > this.options.maxQueuedResponseBytes) this.socket.pause();
  }

  private maybeResume(): void {
    if (this.closed || !this.socket.isPaused()) return;
    if (this.slots.length < this.options.maxInFlight && this.socket.writableLength <= this.options.maxQueuedResponseBytes) this.socket.resume();
  }

  /** Stops reading new requests and cuts long waits short; in-flight requests still get their answers. */
  stopReading(): void {
    this.socket.pause();
    this.socket.removeAllListeners('data');
    this.abort.abort();
  }

  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (reason) this.options.logger.debug(`closing ${this.remoteAddress}: ${reason}`);
    this.abort.abort();
    this.slots.length = 0;
    this.socket.destroy();
    this.notifyDrained();
  }
}
