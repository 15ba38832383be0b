import { KAFKA_ERRORS, type KafkaErrorName } from './kafka-error-codes.js';

/**
 * The one error type of Tidelog. `code` is Kafka's error name, stable across releases;
 * `kafkaCode` is the number that goes on the wire.
 */
export class TidelogError extends Error {
  readonly code: KafkaErrorName;
  readonly retriable: boolean;

  constructor(code: KafkaErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TidelogError';
    this.code = code;
    this.retriable = KAFKA_ERRORS[code].retriable;
  }

  get kafkaCode(): number {
    return KAFKA_ERRORS[this.code].code;
  }
}

export function isTidelogError(error: unknown, code?: KafkaErrorName): error is TidelogError {
  return error instanceof TidelogError && (code === undefined || error.code === code);
}
