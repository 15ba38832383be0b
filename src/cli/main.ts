#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { createLogger, isTidelogError, type LogLevel } from '../common/index.js';
import { loadBrokerConfig } from '../config/index.js';
import { startBroker } from '../server/index.js';

/** `tidelog`: starts a broker. Flags win over the config file, which wins over Kafka's defaults. */
interface StartFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  advertisedHost?: string;
  advertisedPort?: string;
  config?: string;
  logLevel: LogLevel;
}

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function portNumber(value: string): string {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  return value;
}

function logLevel(value: string): LogLevel {
  if (!LOG_LEVELS.includes(value as LogLevel)) throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(', ')}.`);
  return value as LogLevel;
}

async function start(flags: StartFlags): Promise<void> {
  const logger = createLogger(flags.logLevel);
  const overrides: Record<string, string> = {};
  if (flags.host !== undefined) overrides.host = flags.host;
  if (flags.port !== undefined) overrides.port = flags.port;
  if (flags.dataDir !== undefined) overrides['log.dirs'] = flags.dataDir;
  if (flags.advertisedHost !== undefined) overrides['advertised.host'] = flags.advertisedHost;
  if (flags.advertisedPort !== undefined) overrides['advertised.port'] = flags.advertisedPort;
  const { config, unknownKeys } = await loadBrokerConfig({ file: flags.config ?? null, overrides });
  if (unknownKeys.length > 0) logger.warn(`ignoring settings Tidelog does not use: ${unknownKeys.join(', ')}`);

  // Every failure a request can cause is answered or closes its connection; anything that
  // still escapes is a bug, and one client must not take the broker down with it.
  process.on('unhandledRejection', (reason) => logger.error(`unhandled rejection: ${(reason as Error)?.stack ?? reason}`));
  const broker = await startBroker({ config, logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without a clean shutdown`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: shutting down`);
    broker.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error(`shutdown failed: ${(error as Error).stack ?? error}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The one line scripts wait for: printed only once connections are accepted.
  console.log(`Tidelog broker listening on ${broker.host}:${broker.port} (data in ${broker.dataDir})`);
}

const program = new Command()
  .name('tidelog')
  .description('A Kafka-compatible commit log broker.')
  .option('--host <address>', 'address to listen on (default 127.0.0.1)')
  .option('--port <port>', 'port to listen on, 0 for any free one (default 9092)', portNumber)
  .option('--data-dir <dir>', 'directory for partitions and metadata (default ./data)')
  .option('--advertised-host <host>', 'host clients are told to connect to (default: --host)')
  .option('--advertised-port <port>', 'port clients are told to connect to (default: the listening port)', portNumber)
  .option('--config <file>', 'a server.properties file with Kafka setting names')
  .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, logLevel, 'info' as LogLevel)
  .action((flags: StartFlags) => start(flags));

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = isTidelogError(error) ? `${error.code}: ${error.message}` : ((error as Error)?.stack ?? String(error));
  console.error(`tidelog: ${message}`);
  process.exit(1);
});
