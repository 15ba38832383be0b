import { getApi, isFlexibleVersion, type ApiDefinition, type ApiKey, type RequestBodies, type ResponseBodies } from './apis.js';
import { messageCodec } from './compile.js';
import { ProtocolError } from './errors.js';
import { RequestHeaderSchema } from './messages/RequestHeader.js';
import { ResponseHeaderSchema } from './messages/ResponseHeader.js';
import { Reader } from './reader.js';
import type { Decoded } from './schema.js';
import { Writer } from './writer.js';

/**
 * Request/response framing and headers (CLIENTS.md §3). Frames here are the bytes after the
 * 4-byte size prefix (what FrameSplitter yields); the encoders return whole frames including
 * the size prefix, ready for the socket.
 *
 * - Request header v1 (api_key, api_version, correlation_id, nullable int16 client_id) for
 *   non-flexible API versions, v2 (v1 + tagged fields; client_id stays non-compact) for flexible.
 * - Response header v0 (correlation_id) for non-flexible, v1 (+ tagged fields) for flexible,
 *   except ApiVersions, whose response always uses header v0.
 */

export const API_VERSIONS_KEY = 18;
const MAX_FRAME = 0x7fffffff;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export type RequestHeaderPrefix = Omit<RequestHeader, 'clientId'>;

/** A decoded request; `apiKey` is repeated at the top so that `switch (req.apiKey)` narrows `body`. */
export type DecodedRequest = {
  [K in ApiKey]: { apiKey: K; header: RequestHeader; body: Decoded<RequestBodies[K]> };
}[ApiKey];

export interface DecodedResponse<K extends ApiKey> {
  correlationId: number;
  /** The version the body was decoded at (0 for the ApiVersions UNSUPPORTED_VERSION fallback). */
  apiVersion: number;
  body: Decoded<ResponseBodies[K]>;
}

interface HeaderFields {
  requestApiKey: number;
  requestApiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  return isFlexibleVersion(apiKey, apiVersion) ? 2 : 1;
}

export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return isFlexibleVersion(apiKey, apiVersion) ? 1 : 0;
}

/**
 * api_key, api_version and correlation_id: the first 8 bytes of every request header version.
 * Reads nothing else, so the broker can answer unsupported versions without parsing the body.
 */
export function peekRequestHeader(frame: Buffer): RequestHeaderPrefix {
  if (frame.length < 8) {
    throw new ProtocolError('INVALID_REQUEST', `request of ${frame.length} bytes is shorter than a request header`, 0);
  }
  return { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), correlationId: frame.readInt32BE(4) };
}

/** The correlation id of a response frame (its first 4 bytes in both header versions). */
export function peekCorrelationId(frame: Buffer): number {
  if (frame.length < 4) {
    throw new ProtocolError('INVALID_REQUEST', `response of ${frame.length} bytes is shorter than a response header`, 0);
  }
  return frame.readInt32BE(0);
}

function apiOf(apiKey: number): ApiDefinition {
  const api = getApi(apiKey);
  if (api === undefined) throw new ProtocolError('INVALID_REQUEST', `unknown API key ${apiKey}`, 0);
  return api;
}

/**
 * Decodes a request frame: header (v1 or v2 by the API version) then body. Throws
 * ProtocolError: INVALID_REQUEST for malformed bytes or an unknown API key,
 * UNSUPPORTED_VERSION for a version outside the API's schema. Trailing bytes are ignored.
 */
export function decodeRequest(frame: Buffer): DecodedRequest {
  const { apiKey, apiVersion } = peekRequestHeader(frame);
  const api = apiOf(apiKey);
  const bodyCodec = messageCodec(api.request, apiVersion);
  const headerCodec = messageCodec(RequestHeaderSchema, bodyCodec.flexible ? 2 : 1);
  const r = new Reader(frame);
  const h = headerCodec.read(r) as HeaderFields;
  const body = bodyCodec.read(r);
  const header: RequestHeader = { apiKey, apiVersion, correlationId: h.correlationId, clientId: h.clientId };
  return { apiKey, header, body } as DecodedRequest;
}

function framed(encode: (w: Writer) => void): Writer {
  const w = new Writer();
  w.int32(0);
  encode(w);
  const size = w.length - 4;
  if (size > MAX_FRAME) throw new ProtocolError('INVALID_REQUEST', `frame of ${size} bytes is too large`);
  w.patchInt32(0, size);
  return w;
}

export interface RequestHeaderInput<K extends ApiKey> {
  apiKey: K;
  apiVersion: number;
  correlationId: number;
  clientId?: string | null;
}

function requestWriter<K extends ApiKey>(header: RequestHeaderInput<K>, body: RequestBodies[K]): Writer {
  const api = apiOf(header.apiKey);
  const bodyCodec = messageCodec(api.request, header.apiVersion);
  const headerCodec = messageCodec(RequestHeaderSchema, bodyCodec.flexible ? 2 : 1);
  return framed((w) => {
    headerCodec.write(w, {
      requestApiKey: header.apiKey,
      requestApiVersion: header.apiVersion,
      correlationId: header.correlationId,
      clientId: header.clientId ?? null,
    });
    bodyCodec.write(w, body);
  });
}

/** Encodes a request frame (size prefix, header v1/v2, body), for our client. */
export function encodeRequest<K extends ApiKey>(header: RequestHeaderInput<K>, body: RequestBodies[K]): Buffer {
  return requestWriter(header, body).finish();
}

/**
 * As encodeRequest, but returns the frame as a list of buffers for cork/writev, with large
 * records blobs (≥ 4 KiB) referenced rather than copied: a producer's 1 MiB batch goes to the
 * socket without being copied into a fresh frame (whose page faults cost as much as encoding
 * the records). The caller must not modify those blobs until the write completes.
 */
export function encodeRequestChunks<K extends ApiKey>(header: RequestHeaderInput<K>, body: RequestBodies[K]): Buffer[] {
  return requestWriter(header, body).finishChunks();
}

function responseWriter<K extends ApiKey>(apiKey: K, apiVersion: number, correlationId: number, body: ResponseBodies[K]): Writer {
  const api = apiOf(apiKey);
  const bodyCodec = messageCodec(api.response, apiVersion);
  const headerCodec = messageCodec(ResponseHeaderSchema, responseHeaderVersion(apiKey, apiVersion));
  return framed((w) => {
    headerCodec.write(w, { correlationId });
    bodyCodec.write(w, body);
  });
}

/** Encodes a response frame: size prefix, header v0/v1 (v0 for ApiVersions), body. */
export function encodeResponse<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
): Buffer {
  return responseWriter(apiKey, apiVersion, correlationId, body).finish();
}

/**
 * As encodeResponse, but returns the frame as a list of buffers for `socket.writev`/cork, with
 * large records blobs (≥ 4 KiB) referenced rather than copied. The caller must not modify
 * those blobs until the write completes.
 */
export function encodeResponseChunks<K extends ApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
): Buffer[] {
  return responseWriter(apiKey, apiVersion, correlationId, body).finishChunks();
}

/**
 * Decodes a response frame for a request we sent at `apiVersion`. As Kafka's Java client does,
 * an ApiVersions response that fails to decode at the requested version is decoded again as v0:
 * that is what a broker sends when it does not know the requested version (KIP-511), with
 * error_code UNSUPPORTED_VERSION. `apiVersion` in the result says which version was used.
 */
export function decodeResponse<K extends ApiKey>(apiKey: K, apiVersion: number, frame: Buffer): DecodedResponse<K> {
  const api = apiOf(apiKey) as ApiDefinition<K>;
  try {
    return decodeResponseAt(api, apiVersion, frame);
  } catch (error) {
    if (apiKey !== API_VERSIONS_KEY || apiVersion === 0 || !(error instanceof ProtocolError)) throw error;
    return decodeResponseAt(api, 0, frame);
  }
}

function decodeResponseAt<K extends ApiKey>(api: ApiDefinition<K>, version: number, frame: Buffer): DecodedResponse<K> {
  const bodyCodec = messageCodec(api.response, version);
  const headerCodec = messageCodec(ResponseHeaderSchema, responseHeaderVersion(api.apiKey, version));
  const r = new Reader(frame);
  const { correlationId } = headerCodec.read(r) as { correlationId: number };
  const body = bodyCodec.read(r);
  return { correlationId, apiVersion: version, body };
}
