import type { ApiKey, Decoded, RequestBodies, RequestHeader, ResponseBodies } from '../protocol/index.js';

/** What a handler knows about the request beyond its body. */
export interface RequestContext {
  header: RequestHeader;
  remoteAddress: string;
  /** Aborts when the connection closes or the broker stops: long waits must end then. */
  signal: AbortSignal;
  /**
   * Runs `callback` once the response has been handed to the kernel whole, so that buffers it
   * refers to (a fetch's records, sent without a copy) may be reused. Never runs when the
   * response is not written: the connection closed first, or the write failed.
   */
  afterWrite(callback: () => void): void;
}

/** Returned by a handler when Kafka sends no response (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

export type HandlerResult<K extends ApiKey> = ResponseBodies[K] | typeof NO_RESPONSE;

/**
 * One API's handler and the versions it serves. ApiVersions is computed from these ranges;
 * a domain failure belongs in the response's error codes, and a thrown error means the
 * request or the connection is broken, so the connection is closed.
 */
export interface Handler<K extends ApiKey = ApiKey> {
  apiKey: K;
  minVersion: number;
  maxVersion: number;
  handle(body: Decoded<RequestBodies[K]>, context: RequestContext): HandlerResult<K> | Promise<HandlerResult<K>>;
}

export function defineHandler<K extends ApiKey>(handler: Handler<K>): Handler<K> {
  return handler;
}
