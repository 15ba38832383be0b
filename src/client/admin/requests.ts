import { API_KEYS } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { isTidelogError, TidelogError, type KafkaErrorName } from '../errors.js';
import { withRetry } from '../retry.js';

/**
 * How the admin calls reach the right broker and when they try again.
 *
 * Kafka's table marks some per-resource answers retriable that an admin call must report at
 * once: UNKNOWN_TOPIC_OR_PARTITION from DeleteTopics means the topic isn't there, not that
 * metadata is stale. So each call names the codes worth another attempt, and everything else
 * passes through withRetry untouched.
 */

/** The connection broke or timed out: a new connection may succeed. */
export const CONNECTION_ERRORS: ReadonlySet<KafkaErrorName> = new Set(['NETWORK_EXCEPTION', 'REQUEST_TIMED_OUT']);
/** The group's coordinator moved or is loading: find it again. */
export const COORDINATOR_ERRORS: ReadonlySet<KafkaErrorName> = new Set(['NOT_COORDINATOR', 'COORDINATOR_NOT_AVAILABLE', 'COORDINATOR_LOAD_IN_PROGRESS']);

/** Carries a non-retried error past withRetry. */
class Final {
  constructor(readonly error: unknown) {}
}

/** Runs `attempt` with the cluster's backoff, retrying only errors whose code is in `codes`. */
export async function retryOn<T>(cluster: Cluster, codes: ReadonlySet<KafkaErrorName>, attempt: () => Promise<T>, onRetry?: (error: TidelogError) => void): Promise<T> {
  try {
    return await withRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          if (isTidelogError(error) && error.retriable && codes.has(error.code)) throw error;
          throw new Final(error);
        }
      },
      { ...cluster.retry, onRetry: (error) => onRetry?.(error as TidelogError) },
    );
  } catch (error) {
    throw error instanceof Final ? error.error : error;
  }
}

const CONTROLLER_RETRY: ReadonlySet<KafkaErrorName> = new Set([...CONNECTION_ERRORS, 'NOT_CONTROLLER']);

/**
 * Sends a request that only the controller may answer (CreateTopics, DeleteTopics,
 * CreatePartitions), finding the controller with Metadata first and again after NOT_CONTROLLER.
 * `attempt` throws the first per-resource error it means to retry, e.g. NOT_CONTROLLER.
 */
export function toController<T>(cluster: Cluster, attempt: (connection: Connection) => Promise<T>): Promise<T> {
  return retryOn(cluster, CONTROLLER_RETRY, async () => attempt(await controller(cluster)));
}

async function controller(cluster: Cluster): Promise<Connection> {
  const any = await cluster.anyConnection();
  const response = await any.request(API_KEYS.Metadata, { topics: [], allowAutoTopicCreation: false });
  const controllerId = response.controllerId ?? -1;
  // A broker that names no controller (v0 answers, or an election under way) takes the request itself.
  if (controllerId < 0) return any;
  return cluster.connection(controllerId);
}

/** Runs `attempt` against the coordinator of `groupId`, finding it again when it moved. */
export function toCoordinator<T>(cluster: Cluster, groupId: string, attempt: (connection: Connection) => Promise<T>): Promise<T> {
  return retryOn(
    cluster,
    new Set([...CONNECTION_ERRORS, ...COORDINATOR_ERRORS]),
    async () => attempt(await cluster.coordinator(groupId)),
    (error) => {
      if (COORDINATOR_ERRORS.has(error.code)) cluster.invalidateCoordinator(groupId);
    },
  );
}

/** Throws one TidelogError for a batch of per-resource failures: the first one's code, every failure in the message. */
export function throwFailures(what: string, failures: readonly { name: string; error: TidelogError }[]): void {
  const first = failures[0];
  if (first === undefined) return;
  if (failures.length === 1) throw first.error;
  const list = failures.map(({ name, error }) => `${name}: ${error.code}`).join(', ');
  throw new TidelogError(first.error.code, `${what} failed for ${failures.length} of them (${list}); first: ${first.error.message}`, { cause: first.error });
}
