import { TidelogError } from '../common/index.js';

/**
 * The one error type of src/protocol. It is a TidelogError, so `code` is a Kafka error name:
 *
 * - `INVALID_REQUEST`: the bytes are malformed (truncated, a length or count larger than the
 *   bytes left, a bad varint, a null where the version forbids it, an unknown API key), or a
 *   value handed to an encoder has the wrong type or range for its field.
 * - `UNSUPPORTED_VERSION`: the API version is outside the schema's valid versions, or an
 *   encoder was given a non-default value for a non-ignorable field that the target version lacks.
 *
 * The same codes are used for responses decoded by our client; there the server is the one at
 * fault, and the connection should be dropped.
 * `offset` is the byte offset in the decoded buffer where the problem was found, when known.
 */
export class ProtocolError extends TidelogError {
  readonly offset: number | undefined;

  constructor(code: 'INVALID_REQUEST' | 'UNSUPPORTED_VERSION', message: string, offset?: number) {
    super(code, message);
    this.name = 'ProtocolError';
    this.offset = offset;
  }
}

/**
 * A frame's 4-byte size prefix is negative or larger than the allowed maximum. Raised by the
 * FrameSplitter before any of the frame's body is buffered; the connection must be closed.
 */
export class FrameSizeError extends ProtocolError {
  readonly size: number;
  readonly maxFrameSize: number;

  constructor(size: number, maxFrameSize: number) {
    super(
      'INVALID_REQUEST',
      size < 0
        ? `frame size ${size} is negative`
        : `frame size ${size} exceeds the maximum of ${maxFrameSize} bytes`,
    );
    this.name = 'FrameSizeError';
    this.size = size;
    this.maxFrameSize = maxFrameSize;
  }
}

export function isProtocolError(error: unknown): error is ProtocolError {
  return error instanceof ProtocolError;
}
