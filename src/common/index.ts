export { TidelogError, isTidelogError } from './errors.js';
export { KAFKA_ERRORS, kafkaErrorCode, kafkaErrorName, type KafkaErrorName } from './kafka-error-codes.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export { SerialLane } from './serial-lane.js';
