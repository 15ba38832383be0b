import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

/**
 * FindCoordinator 0-2. This broker coordinates every group (key type 0). Transactions (key
 * type 1) are not supported: COORDINATOR_NOT_AVAILABLE, which clients retry and report.
 */
export function findCoordinatorHandler(ctx: BrokerContext) {
  return defineHandler({
    apiKey: API_KEYS.FindCoordinator,
    minVersion: 0,
    maxVersion: 2,
    handle(body) {
      const keyType = body.keyType ?? 0;
      if (keyType === 0) {
        return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: ctx.topics.nodeId, host: ctx.advertised.host, port: ctx.advertised.port };
      }
      const transactions = keyType === 1;
      return {
        throttleTimeMs: 0,
        errorCode: kafkaErrorCode(transactions ? 'COORDINATOR_NOT_AVAILABLE' : 'INVALID_REQUEST'),
        errorMessage: transactions ? 'this broker has no transaction coordinator' : `unknown coordinator key type ${keyType}`,
        nodeId: -1,
        host: '',
        port: -1,
      };
    },
  });
}
