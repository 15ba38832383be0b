import { isTidelogError, kafkaErrorCode, type KafkaErrorName, type Logger } from '../common/index.js';
import type { BrokerConfig } from '../config/index.js';
import type { GroupCoordinator, TopicManager } from '../partition/index.js';

/** What handlers share: the topics, the group coordinator, the configuration and the address clients are given. */
export interface BrokerContext {
  topics: TopicManager;
  groups: GroupCoordinator;
  config: BrokerConfig;
  logger: Logger;
  /** Resolved once the listener is bound (port 0 picks a free one). */
  advertised: { host: string; port: number };
}

/**
 * The Kafka error for a failure: its own code when it is a TidelogError, otherwise
 * UNKNOWN_SERVER_ERROR, logged because it is a bug rather than a client mistake.
 */
export function errorOf(error: unknown, logger: Logger): { code: number; name: KafkaErrorName; message: string } {
  if (isTidelogError(error)) return { code: error.kafkaCode, name: error.code, message: error.message };
  logger.error(`unexpected failure: ${(error as Error)?.stack ?? error}`);
  return { code: kafkaErrorCode('UNKNOWN_SERVER_ERROR'), name: 'UNKNOWN_SERVER_ERROR', message: 'unexpected server error' };
}

/** The host part of a connection's remote address ("ip:port"), as Kafka's clientHost shows it: "/ip". */
export function clientHostOf(remoteAddress: string): string {
  const colon = remoteAddress.lastIndexOf(':');
  return `/${colon > 0 ? remoteAddress.slice(0, colon) : remoteAddress}`;
}
