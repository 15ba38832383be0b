import type { Socket } from 'node:net';
import type { Logger } from '../common/index.js';
import { API_KEYS, decodeRequest, encodeResponseChunks, FrameSplitter, peekRequestHeader, type ApiKey, type DecodedRequest } from '../protocol/index.js';
import { NO_RESPONSE, type Handler, type HandlerResult } from './handler.js';
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
  /** What the handler asked to run once the response is written (RequestContext.afterWrite). */
  afterWrite?: (() => void)[];
  /** Set when this request ends the connection: it closes once every earlier answer is written. */
  closeReason?: string;
}

/**
 * One client connection. Requests may be pipelined: each is handed to its handler as soon
 * as it is read (so appends keep arrival order), and responses leave in request order.
 * Reading pauses while too many requests are in flight or the client is not reading its
 * responses; frames already read then wait in a backlog, so the limits hold however many
 * requests one chunk carries. Malformed frames, unknown APIs and unsupported versions close
 * the connection, as Kafka does, once every earlier request is answered; nothing a client
 * sends can throw past this class.
 */
export class Connection {
  private readonly splitter: FrameSplitter;
  private readonly slots: Slot[] = [];
  /** Frames read while the connection was at its limits, handled in order once it is not. */
  private readonly backlog: Buffer[] = [];
  private readonly abort = new AbortController();
  /** False once no more requests are taken: the broker is stopping, or one ended the connection. */
  private reading = true;
  private handlingBacklog = false;
  private closed = false;
  private readonly remoteAddress: string;
  private sendScheduled = false;
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

  /**
   * Resolves when every request read so far has been answered and its answer handed to the
   * kernel (or the connection is gone): closing sooner would drop what is still queued.
   */
  drained(): Promise<void> {
    if (this.isDrained()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private isDrained(): boolean {
    return this.closed || (this.slots.length === 0 && this.socket.writableLength === 0);
  }

  private readonly notifyDrained = (): void => {
    if (!this.isDrained()) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  };

  private onData(chunk: Buffer): void {
    if (!this.reading) return;
    try {
      this.splitter.push(chunk, (frame) => {
        if (!this.reading) return;
        if (this.backlog.length > 0 || this.atLimit()) {
          this.backlog.push(frame);
          this.socket.pause();
        } else {
          this.onFrame(frame);
        }
      });
    } catch (error) {
      this.closeInOrder(`bad frame: ${(error as Error).message}`);
    }
  }

  private onFrame(frame: Buffer): void {
    let request: DecodedRequest;
    let handler: Handler | undefined;
    try {
      const { apiKey, apiVersion, correlationId } = peekRequestHeader(frame);
      handler = this.registry.find(apiKey, apiVersion);
      if (!handler) {
        if (apiKey === API_KEYS.ApiVersions) return this.rejectApiVersionsVersion(correlationId);
        return this.closeInOrder(`unsupported API key ${apiKey} version ${apiVersion}`);
      }
      request = decodeRequest(frame);
    } catch (error) {
      return this.closeInOrder(`bad request: ${(error as Error).message}`);
    }
    const { apiKey, apiVersion, correlationId } = request.header;
    const slot: Slot = { chunks: null, done: false };
    this.slots.push(slot);
    this.maybePause();
    let result: HandlerResult<ApiKey> | Promise<HandlerResult<ApiKey>>;
    try {
      result = handler.handle(request.body as never, {
        header: request.header,
        remoteAddress: this.remoteAddress,
        signal: this.abort.signal,
        afterWrite: (callback) => (slot.afterWrite ??= []).push(callback),
      });
    } catch (error) {
      return this.failed(slot, apiKey, error);
    }
    Promise.resolve(result)
      .then((body) => {
        slot.chunks = body === NO_RESPONSE ? null : encodeResponseChunks(apiKey as ApiKey, apiVersion, correlationId, body as never);
        slot.done = true;
        this.scheduleSend();
      })
      .catch((error: unknown) => this.failed(slot, apiKey, error));
  }

  /** KIP-511: an ApiVersions version we don't know gets a v0 answer with error 35 and our range. */
  private rejectApiVersionsVersion(correlationId: number): void {
    const range = this.registry.range(API_KEYS.ApiVersions);
    this.slots.push({ chunks: encodeResponseChunks(API_KEYS.ApiVersions, 0, correlationId, { errorCode: 35, apiKeys: range ? [range] : [] }), done: true });
    this.sendReady();
  }

  private failed(slot: Slot, apiKey: number, error: unknown): void {
    this.options.logger.warn(`closing ${this.remoteAddress}: API ${apiKey} handler failed: ${(error as Error)?.stack ?? error}`);
    if (!this.slots.includes(slot)) return this.close();
    slot.chunks = null;
    slot.done = true;
    slot.closeReason = `API ${apiKey} handler failed`;
    this.stopReading();
    this.sendReady();
  }

  /**
   * Ends the connection at this point of the request stream: nothing after it is read,
   * every earlier request is still answered (long waits cut short), then it closes.
   */
  private closeInOrder(reason: string): void {
    if (this.closed) return;
    this.stopReading();
    this.slots.push({ chunks: null, done: true, closeReason: reason });
    this.sendReady();
  }

  /**
   * Sends once the current burst of completions is over: a group commit settles many
   * pipelined produces in one go, and their responses then leave in one write instead of
   * one each. process.nextTick runs after the promise jobs queued so far.
   */
  private scheduleSend(): void {
    if (this.sendScheduled) return;
    this.sendScheduled = true;
    process.nextTick(() => {
      this.sendScheduled = false;
      this.sendReady();
    });
  }

  private sendReady(): void {
    if (this.closed) return;
    let sent = false;
    let closeReason: string | undefined;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      if (slot.closeReason !== undefined) {
        closeReason = slot.closeReason;
        break;
      }
      if (!slot.chunks) continue;
      if (!sent) this.socket.cork();
      sent = true;
      const last = slot.chunks.length - 1;
      const onWritten = slot.afterWrite ? this.afterWrite(slot.afterWrite) : this.notifyDrained;
      slot.chunks.forEach((chunk, i) => this.socket.write(chunk, i === last ? onWritten : undefined));
    }
    if (sent) this.socket.uncork();
    if (closeReason !== undefined) return this.shutdown(closeReason, true);
    this.maybePause();
    this.maybeResume();
    this.notifyDrained();
  }

  /**
   * The write callback of a response's last chunk when its handler asked to hear of it.
   * Writes on a socket complete in order, so the last one's completion covers the response.
   */
  private afterWrite(callbacks: (() => void)[]): (error?: Error | null) => void {
    return (error) => {
      // After a failed write, don't reason about who may still hold the bytes: leave them to the garbage collector.
      if (!error) for (const callback of callbacks) callback();
      this.notifyDrained();
    };
  }

  private atLimit(): boolean {
    return this.slots.length >= this.options.maxInFlight || this.socket.writableLength > this.options.maxQueuedResponseBytes;
  }

  private maybePause(): void {
    if (this.atLimit()) this.socket.pause();
  }

  /** Below the limits again: handles the backlog, then reads from the socket once it is empty. */
  private maybeResume(): void {
    if (this.closed || !this.reading || this.handlingBacklog) return;
    this.handlingBacklog = true;
    try {
      while (this.reading && this.backlog.length > 0 && !this.atLimit()) this.onFrame(this.backlog.shift()!);
    } finally {
      this.handlingBacklog = false;
    }
    if (this.reading && this.backlog.length === 0 && !this.atLimit() && this.socket.isPaused()) this.socket.resume();
  }

  /** Stops reading new requests and cuts long waits short; in-flight requests still get their answers. */
  stopReading(): void {
    this.reading = false;
    this.backlog.length = 0;
    this.socket.pause();
    this.abort.abort();
  }

  /** Closes at once: whatever is not yet answered or still queued is dropped. */
  close(reason?: string): void {
    this.shutdown(reason, false);
  }

  /** With `flush`, what is already written is delivered first (the socket is ended, then destroyed). */
  private shutdown(reason: string | undefined, flush: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.reading = false;
    if (reason) this.options.logger.debug(`closing ${this.remoteAddress}: ${reason}`);
    this.abort.abort();
    this.slots.length = 0;
    this.backlog.length = 0;
    if (flush) this.socket.end(() => this.socket.destroy());
    else this.socket.destroy();
    this.notifyDrained();
  }
}
