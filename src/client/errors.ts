import { isTidelogError, kafkaErrorName, TidelogError, type KafkaErrorName } from '../common/index.js';

/**
 * Client errors are the one TidelogError of src/common: a stable Kafka error name as `code`,
 * `retriable` from the shared KAFKA_ERRORS table, and the underlying `cause`. Nothing here
 * defines a second error class; these are the few constructors the client needs.
 */
export { TidelogError, isTidelogError, type KafkaErrorName };

/** The error for a non-zero Kafka error code in a response, or null for NONE (0). */
export function errorFromCode(code: number, context: string, brokerMessage?: string | null): TidelogError | null {
  if (code === 0) return null;
  const name = kafkaErrorName(code);
  const known = name !== 'UNKNOWN_SERVER_ERROR' || code === -1;
  const detail = brokerMessage ? `: ${brokerMessage}` : '';
  return new TidelogError(name, `${context}: ${name}${known ? '' : ` (unlisted Kafka error code ${code})`}${detail}`);
}

/** The connection is broken or closed (retriable: a new connection may succeed). */
export function networkError(message: string, cause?: unknown): TidelogError {
  return new TidelogError('NETWORK_EXCEPTION', message, cause === undefined ? undefined : { cause });
}
