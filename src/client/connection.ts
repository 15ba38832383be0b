import { connect as netConnect, type Socket } from 'node:net';
import {
  API_KEYS,
  decodeResponse,
  encodeRequestChunks,
  FrameSplitter,
  getApi,
  peekCorrelationId,
  type ApiKey,
  type Decoded,
  type RequestBodies,
  type ResponseBodies,
} from '../protocol/index.js';
import { errorFromCode, networkError, TidelogError } from './errors.js';
import { CLIENT_VERSIONS, pickVersions, type BrokerApiRange } from './versions.js';

/**
 * One TCP connection to one broker.
 *
 * - `Connection.connect` opens the socket and runs the ApiVersions handshake: v3 first; on
 *   UNSUPPORTED_VERSION (35) it retries at min(2, the broker's max for ApiVersions), or v0 when
 *   the broker lists none, as librdkafka and the Java client do. Each API then goes out at
 *   min(our max, broker max) from CLIENT_VERSIONS.
 * - Requests are pipelined: up to `maxInFlight` on the wire, the rest queued in order. Kafka
 *   answers in request order per connection; responses are still matched by correlation id and
 *   an unknown id breaks the connection.
 * - Every request has a deadline (`requestTimeoutMs` from the call). As in Kafka's NetworkClient,
 *   a timeout fails that request with REQUEST_TIMED_OUT and closes the connection, failing every
 *   other pending request with NETWORK_EXCEPTION: a late response can't be told from a lost one.
 * - Once closed (by `close`, `destroy`, the broker or an error), every pending and later request
 *   rejects with NETWORK_EXCEPTION (retriable), its `cause` the underlying error if any.
 */

export interface ConnectionOptions {
  port: number;
  host?: string;
  clientId?: string;
  /** Default 10 000. */
  connectTimeoutMs?: number;
  /** Default 30 000 (Kafka's request.timeout.ms). */
  requestTimeoutMs?: number;
  /** Requests on the wire at once; default 5 (max.in.flight.requests.per.connection). */
  maxInFlight?: number;
  /** Largest response frame accepted; default 100 MiB. */
  maxFrameSize?: number;
  /** The versions this client implements; default CLIENT_VERSIONS. */
  versions?: typeof CLIENT_VERSIONS;
}

export interface RequestOptions {
  /** Overrides the connection's requestTimeoutMs for this request. */
  timeoutMs?: number;
}

interface Pending {
  correlationId: number;
  apiKey: ApiKey;
  apiVersion: number;
  /** The request frame in pieces (records blobs by reference), written together. */
  frame: Buffer[];
  expectResponse: boolean;
  /** Date.now() after which the request times out. */
  deadline: number;
  timeoutMs: number;
  resolve(body: unknown): void;
  reject(error: TidelogError): void;
}

const CLIENT_SOFTWARE = { clientSoftwareName: 'tidelog', clientSoftwareVersion: '0.1.0' };

export class Connection {
  private readonly splitter: FrameSplitter;
  private readonly queued: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
  private nextCorrelationId = 1;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private timerDeadline = 0;
  private closedError: TidelogError | null = null;
  private closing = false;
  private drained: (() => void) | null = null;
  private readonly socketClosed: Promise<void>;
  private negotiated = new Map<ApiKey, number>();
  private brokerRanges: readonly BrokerApiRange[] = [];
  readonly clientId: string;
  readonly requestTimeoutMs: number;
  readonly maxInFlight: number;

  private constructor(
    private readonly socket: Socket,
    options: ConnectionOptions,
  ) {
    this.clientId = options.clientId ?? 'tidelog';
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 5);
    this.splitter = new FrameSplitter({ maxFrameSize: options.maxFrameSize ?? 100 << 20 });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.destroy(networkError(`connection to ${this.address} failed: ${error.message}`, error)));
    this.socketClosed = new Promise((resolve) => {
      socket.once('close', () => {
        this.fail(networkError(`connection to ${this.address} closed`));
        resolve();
      });
    });
  }

  /** Opens a connection and runs the ApiVersions handshake. */
  static async connect(options: ConnectionOptions): Promise<Connection> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ host, port: options.port, noDelay: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(networkError(`connecting to ${host}:${options.port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('error', (error) => {
        clearTimeout(timer);
        reject(networkError(`cannot connect to ${host}:${options.port}: ${error.message}`, error));
      });
      s.once('connect', () => {
        clearTimeout(timer);
        s.removeAllListeners('error');
        resolve(s);
      });
    });
    const connection = new Connection(socket, options);
    try {
      await connection.handshake(options.versions ?? CLIENT_VERSIONS);
    } catch (error) {
      connection.destroy();
      throw error;
    }
    return connection;
  }

  get address(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** True once the connection can take no more requests. */
  get closed(): boolean {
    return this.closedError !== null || this.closing;
  }

  /** API key → the version this connection sends it at (only APIs both sides speak). */
  get versions(): ReadonlyMap<ApiKey, number> {
    return this.negotiated;
  }

  /** The ranges the broker advertised. */
  get brokerVersions(): readonly BrokerApiRange[] {
    return this.brokerRanges;
  }

  /** The negotiated version of an API; UNSUPPORTED_VERSION if the broker and we share none. */
  versionOf(apiKey: ApiKey): number {
    const version = this.negotiated.get(apiKey);
    if (version === undefined) {
      throw new TidelogError('UNSUPPORTED_VERSION', `${getApi(apiKey)?.name ?? apiKey}: no version both this client and the broker at ${this.address} speak`);
    }
    return version;
  }

  /** Sends a request at the negotiated version and resolves with the decoded response body. */
  request<K extends ApiKey>(apiKey: K, body: RequestBodies[K], options: RequestOptions = {}): Promise<Decoded<ResponseBodies[K]>> {
    return this.enqueue(apiKey, this.versionOf(apiKey), body, true, options) as Promise<Decoded<ResponseBodies[K]>>;
  }

  /** Sends a request the broker does not answer (Produce with acks=0); resolves once written. */
  send<K extends ApiKey>(apiKey: K, body: RequestBodies[K], options: RequestOptions = {}): Promise<void> {
    return this.enqueue(apiKey, this.versionOf(apiKey), body, false, options) as Promise<void>;
  }

  /** Waits for pending requests, then closes the socket. Later requests reject. */
  async close(): Promise<void> {
    if (this.closedError === null && !this.closing) {
      this.closing = true;
      if (this.queued.length > 0 || this.inFlight.size > 0) {
        await new Promise<void>((resolve) => (this.drained = resolve));
      }
      this.socket.end();
    }
    await this.socketClosed;
  }

  /** Closes at once; pending requests reject with `error` (NETWORK_EXCEPTION by default). */
  destroy(error: TidelogError = networkError(`connection to ${this.address} was destroyed`)): void {
    this.fail(error);
    this.socket.destroy();
  }

  private async handshake(ours: typeof CLIENT_VERSIONS): Promise<void> {
    const apiKey = API_KEYS.ApiVersions;
    const first = Math.min(ours.ApiVersions?.max ?? 0, 3);
    let response = await this.enqueue(apiKey, first, CLIENT_SOFTWARE, true, {}) as Decoded<ResponseBodies[18]>;
    if (response.errorCode === 35 && first > 0) {
      const theirMax = response.apiKeys.find((k) => k.apiKey === apiKey)?.maxVersion ?? 0;
      response = await this.enqueue(apiKey, Math.min(first - 1, theirMax), CLIENT_SOFTWARE, true, {}) as Decoded<ResponseBodies[18]>;
    }
    const error = errorFromCode(response.errorCode, `ApiVersions from ${this.address}`);
    if (error) throw error;
    this.brokerRanges = response.apiKeys.map(({ apiKey: key, minVersion, maxVersion }) => ({ apiKey: key, minVersion, maxVersion }));
    this.negotiated = pickVersions(this.brokerRanges, ours);
  }

  private enqueue(apiKey: ApiKey, apiVersion: number, body: unknown, expectResponse: boolean, options: RequestOptions): Promise<unknown> {
    if (this.closedError) return Promise.reject(networkError(`connection to ${this.address} is closed`, this.closedError));
    if (this.closing) return Promise.reject(networkError(`connection to ${this.address} is closing`));
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = this.nextCorrelationId === 0x7fffffff ? 1 : this.nextCorrelationId + 1;
    let frame: Buffer[];
    try {
      frame = encodeRequestChunks({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body as RequestBodies[typeof apiKey]);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      const deadline = Date.now() + timeoutMs;
      const pending: Pending = { correlationId, apiKey, apiVersion, frame, expectResponse, deadline, timeoutMs, resolve, reject };
      this.queued.push(pending);
      this.armDeadlineTimer(deadline);
      this.pump();
    });
  }

  /** Writes queued requests while fewer than maxInFlight await a response. */
  private pump(): void {
    while (this.queued.length > 0 && this.inFlight.size < this.maxInFlight && this.closedError === null) {
      const pending = this.queued.shift()!;
      if (pending.expectResponse) {
        this.inFlight.set(pending.correlationId, pending);
        this.write(pending.frame);
      } else {
        this.write(pending.frame, (error) => {
          this.settle(pending);
          if (error) pending.reject(networkError(`write to ${this.address} failed`, error));
          else pending.resolve(undefined);
        });
      }
    }
    this.checkDrained();
  }

  /**
   * One timer per connection, not one per request (a timer costs a few µs to arm and clear,
   * which shows in one-at-a-time latency): it fires at the earliest deadline it knows of, times
   * out what has expired, and re-arms for the earliest pending deadline.
   */
  private armDeadlineTimer(deadline: number): void {
    if (this.deadlineTimer !== undefined && this.timerDeadline <= deadline) return;
    clearTimeout(this.deadlineTimer);
    this.timerDeadline = deadline;
    // Unref'd: it only matters while requests are pending, and then the socket holds the process.
    this.deadlineTimer = setTimeout(() => this.checkDeadlines(), Math.max(0, deadline - Date.now())).unref();
  }

  private checkDeadlines(): void {
    this.deadlineTimer = undefined;
    const now = Date.now();
    let next = Infinity;
    for (const pending of [...this.inFlight.values(), ...this.queued]) {
      if (pending.deadline <= now) {
        const name = getApi(pending.apiKey)?.name ?? String(pending.apiKey);
        this.settle(pending);
        pending.reject(new TidelogError('REQUEST_TIMED_OUT', `${name} v${pending.apiVersion} to ${this.address}: no response within ${pending.timeoutMs} ms`));
        this.destroy(networkError(`connection to ${this.address} closed after a request timed out`));
        return;
      }
      next = Math.min(next, pending.deadline);
    }
    if (next !== Infinity) this.armDeadlineTimer(next);
  }

  private settle(pending: Pending): void {
    if (this.inFlight.delete(pending.correlationId)) return;
    const index = this.queued.indexOf(pending);
    if (index >= 0) this.queued.splice(index, 1);
  }

  private checkDrained(): void {
    if (this.drained && this.queued.length === 0 && this.inFlight.size === 0) {
      const drained = this.drained;
      this.drained = null;
      drained();
    }
  }

  private onData(chunk: Buffer): void {
    try {
      this.splitter.push(chunk, (frame) => this.onFrame(frame));
    } catch (error) {
      this.destroy(networkError(`bad response stream from ${this.address}`, error));
    }
  }

  /** One frame's pieces, corked so that they leave in one writev; `done` runs once the last is written. */
  private write(chunks: Buffer[], done?: (error?: Error | null) => void): void {
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!, done);
      return;
    }
    this.socket.cork();
    chunks.forEach((chunk, i) => this.socket.write(chunk, i === chunks.length - 1 ? done : undefined));
    this.socket.uncork();
  }

  private onFrame(frame: Buffer): void {
    const correlationId = peekCorrelationId(frame);
    const pending = this.inFlight.get(correlationId);
    if (pending === undefined) throw new TidelogError('INVALID_REQUEST', `response with unknown correlation id ${correlationId}`);
    this.settle(pending);
    let body: unknown;
    try {
      // Records fields stay views of the frame, and that is safe without a copy: the frame is a
      // view of a socket chunk (Node allocates a fresh one per read and never reuses it) or the
      // splitter's own buffer for a frame that spanned chunks. A copy cost ~1 MiB per fetch.
      body = decodeResponse(pending.apiKey, pending.apiVersion, frame).body;
    } catch (error) {
      pending.reject(error instanceof TidelogError ? error : networkError('undecodable response', error));
      throw error; // a broker we can't parse: drop the connection
    }
    pending.resolve(body);
    this.pump();
  }

  private fail(error: TidelogError): void {
    if (this.closedError) return;
    this.closedError = error;
    const pending = [...this.inFlight.values(), ...this.queued];
    this.inFlight.clear();
    this.queued.length = 0;
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    for (const p of pending) p.reject(error);
    const drained = this.drained;
    this.drained = null;
    drained?.();
  }
}
