import { kafkaErrorCode } from '../../common/index.js';
import { API_KEYS } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

interface Coordinator {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

/**
 * FindCoordinator 0-4. This broker coordinates every group (key type 0). Transactions (key
 * type 1) are not supported: COORDINATOR_NOT_AVAILABLE, which clients retry and report; any
 * other key type is INVALID_REQUEST. v0-3 ask for one key; v4 (KIP-699) asks for several in
 * `coordinatorKeys` and gets one answer per key, each with its own error. v5 (an error code
 * for transactions) and v6 (share groups, KIP-932) are not served.
 */
export function findCoordinatorHandler(ctx: BrokerContext) {
  const coordinatorFor = (keyType: number): Coordinator => {
    if (keyType === 0) return { errorCode: 0, errorMessage: null, nodeId: ctx.topics.nodeId, host: ctx.advertised.host, port: ctx.advertised.port };
    const transactions = keyType === 1;
    return {
      errorCode: kafkaErrorCode(transactions ? 'COORDINATOR_NOT_AVAILABLE' : 'INVALID_REQUEST'),
      errorMessage: transactions ? 'this broker has no transaction coordinator' : `unknown coordinator key type ${keyType}`,
      nodeId: -1,
      host: '',
      port: -1,
    };
  };
  return defineHandler({
    apiKey: API_KEYS.FindCoordinator,
    minVersion: 0,
    maxVersion: 4,
    handle(body, { header }) {
      const keyType = body.keyType ?? 0;
      if (header.apiVersion >= 4) {
        return { throttleTimeMs: 0, coordinators: body.coordinatorKeys.map((key) => ({ key, ...coordinatorFor(keyType) })) };
      }
      return { throttleTimeMs: 0, ...coordinatorFor(keyType) };
    },
  });
}
