import { createServer, type Server } from 'node:net';
import { type Clock, type Logger, createLogger } from '../common/index.js';
import type { BrokerConfig } from '../config/index.js';
import type { FileSystem } from '../log/index.js';
import { GroupCoordinator, TopicManager } from '../partition/index.js';
import type { BrokerContext } from './broker-context.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { apiVersionsHandler } from './handlers/api-versions.js';
import { createPartitionsHandler } from './handlers/create-partitions.js';
import { createTopicsHandler } from './handlers/create-topics.js';
import { deleteGroupsHandler } from './handlers/delete-groups.js';
import { deleteTopicsHandler } from './handlers/delete-topics.js';
import { describeGroupsHandler } from './handlers/describe-groups.js';
import { describeConfigsHandler } from './handlers/describe-configs.js';
import { fetchHandler } from './handlers/fetch.js';
import { findCoordinatorHandler } from './handlers/find-coordinator.js';
import { heartbeatHandler } from './handlers/heartbeat.js';
import { joinGroupHandler } from './handlers/join-group.js';
import { leaveGroupHandler } from './handlers/leave-group.js';
import { listGroupsHandler } from './handlers/list-groups.js';
import { listOffsetsHandler } from './handlers/list-offsets.js';
import { metadataHandler } from './handlers/metadata.js';
import { offsetCommitHandler } from './handlers/offset-commit.js';
import { offsetFetchHandler } from './handlers/offset-fetch.js';
import { produceHandler } from './handlers/produce.js';
import { syncGroupHandler } from './handlers/sync-group.js';
import { HandlerRegistry } from './registry.js';

export interface BrokerOptions {
  config: BrokerConfig;
  logger?: Logger;
  fs?: FileSystem;
  clock?: Clock;
}

export interface RunningBroker {
  host: string;
  port: number;
  dataDir: string;
  topics: TopicManager;
  groups: GroupCoordinator;
  /** Stops accepting, answers what is in flight, closes every log cleanly. Idempotent. */
  stop(): Promise<void>;
}

/** How long a graceful stop waits for in-flight requests before closing their connections. */
const STOP_GRACE_MS = 10_000;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Says what opening the logs found: an unclean stop, and every byte recovery cut. */
function reportRecovery(topics: TopicManager, logger: Logger): void {
  const unclean = topics.recoveryReports.filter(({ report }) => !report.cleanShutdown);
  if (unclean.length > 0) logger.warn(`recovered ${unclean.length} partition(s) after an unclean shutdown`);
  for (const { topic, partition, report } of unclean) {
    if (!report.problem) continue;
    const { baseOffset, position, reason } = report.problem;
    logger.warn(
      `${topic}-${partition}: cut ${report.truncatedBytes} bytes (${report.lostBatches} batch(es), ${report.deletedSegments} segment(s)) ` +
        `at segment ${baseOffset} position ${position}: ${reason}`,
    );
  }
}

/** The composition root: opens the data directory, registers the handlers, listens. */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const { config } = options;
  const values = config.values;
  const logger = options.logger ?? createLogger();
  const topics = await TopicManager.open({ dataDir: values['log.dirs'], broker: config, fs: options.fs, clock: options.clock, onWarning: (message) => logger.warn(message) });
  reportRecovery(topics, logger);
  const groups = new GroupCoordinator({ topics, config, clock: options.clock, onWarning: (message, cause) => logger.warn(cause ? `${message}: ${(cause as Error)?.message ?? cause}` : message) });
  // Loads __consumer_offsets in the background: group requests get COORDINATOR_LOAD_IN_PROGRESS until it is done.
  void groups.start();
  const ctx: BrokerContext = { topics, groups, config, logger, advertised: { host: values['advertised.host'], port: values['advertised.port'] } };

  const registry: HandlerRegistry = new HandlerRegistry([
    apiVersionsHandler(() => registry.ranges()),
    metadataHandler(ctx),
    produceHandler(ctx),
    fetchHandler(ctx),
    listOffsetsHandler(ctx),
    createTopicsHandler(ctx),
    deleteTopicsHandler(ctx),
    createPartitionsHandler(ctx),
    describeConfigsHandler(ctx),
    findCoordinatorHandler(ctx),
    joinGroupHandler(ctx),
    syncGroupHandler(ctx),
    heartbeatHandler(ctx),
    leaveGroupHandler(ctx),
    offsetCommitHandler(ctx),
    offsetFetchHandler(ctx),
    listGroupsHandler(ctx),
    describeGroupsHandler(ctx),
    deleteGroupsHandler(ctx),
  ]);
  const connectionOptions: ConnectionOptions = {
    maxRequestBytes: values['socket.request.max.bytes'],
    maxInFlight: 128,
    maxQueuedResponseBytes: 64 << 20,
    logger,
  };
  const connections = new Set<Connection>();
  const server = createServer((socket) => {
    const connection = new Connection(socket, registry, connectionOptions);
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  });

  let port: number;
  try {
    port = await listen(server, values.port, values.host);
  } catch (error) {
    await groups.close();
    await topics.close();
    throw error;
  }
  // Accept failures (EMFILE, ENFILE) must not take the broker down: log them and keep serving.
  server.on('error', (error) => logger.error(`listener error: ${error.message}`));
  if (!Object.hasOwn(config.settings, 'advertised.port')) ctx.advertised.port = port;

  let stopped: Promise<void> | null = null;
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const connection of connections) connection.stopReading();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...connections].map((c) => c.drained())),
      new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS))),
    ]);
    clearTimeout(timer);
    for (const connection of connections) connection.close();
    await closed;
    await groups.close();
    await topics.close();
    logger.info('broker stopped cleanly');
  };

  return {
    host: values.host,
    port,
    dataDir: values['log.dirs'],
    topics,
    groups,
    stop: () => (stopped ??= stop()),
  };
}
