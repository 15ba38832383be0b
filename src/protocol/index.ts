/**
 * Kafka wire protocol: schema data for every API Tidelog speaks, one compiled codec per
 * (schema, version), request/response framing and headers, and a sans-IO frame splitter.
 *
 * Value representation: camelCase field names; int64 as bigint; int8/int16/int32/uint16/float64
 * as number; bool as boolean; string as string; bytes as a Buffer (copied out of the frame);
 * records as a zero-copy Buffer view of the frame, written verbatim; uuid as a string of 32 hex
 * digits (decoded lowercase, either case accepted when encoding; ZERO_UUID is the default);
 * null wherever the version makes the field nullable; arrays of structs as arrays of plain
 * objects. Decoded messages hold every field of every version (absent ones at their default);
 * when encoding, a missing (undefined) field is written as its default.
 *
 * Errors: everything here throws ProtocolError (a TidelogError) with code INVALID_REQUEST
 * (malformed bytes, bad values, unknown API key) or UNSUPPORTED_VERSION (version outside the
 * schema, non-ignorable field set in a version without it); FrameSplitter throws its subclass
 * FrameSizeError. Trailing bytes after a message are ignored, as Kafka does.
 */
export { ProtocolError, FrameSizeError, isProtocolError } from './errors.js';
export { type VersionRange, parseVersions, inVersions } from './versions.js';
export {
  type FieldSchema,
  type MessageSchema,
  type StructSchema,
  type PrimitiveType,
  type Decoded,
  camelCase,
} from './schema.js';
export { ZERO_UUID } from './defaults.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';
export { type MessageCodec, messageCodec, encodeMessage, decodeMessage } from './compile.js';
export {
  API_KEYS,
  APIS,
  ALL_APIS,
  getApi,
  isApiKey,
  isFlexibleVersion,
  type ApiName,
  type ApiKey,
  type ApiDefinition,
  type RequestBodies,
  type ResponseBodies,
} from './apis.js';
export {
  type RequestHeader,
  type RequestHeaderPrefix,
  type RequestHeaderInput,
  type DecodedRequest,
  type DecodedResponse,
  requestHeaderVersion,
  responseHeaderVersion,
  peekRequestHeader,
  peekCorrelationId,
  decodeRequest,
  encodeRequest,
  encodeRequestChunks,
  encodeResponse,
  encodeResponseChunks,
  decodeResponse,
} from './headers.js';
export { FrameSplitter, DEFAULT_MAX_FRAME_SIZE, type FrameSplitterOptions } from './frames.js';
export * from './messages/index.js';
