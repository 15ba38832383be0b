import { TidelogError } from '../common/index.js';
import { LONG_MAX, parseConfigValue, type ConfigDefinition, type ConfigValue } from './config-value.js';

/**
 * The broker's configuration with Kafka's key names, as data. Values come from Kafka's
 * defaults, then server.properties, then explicit overrides (command-line flags); the
 * names an operator set are kept, so DescribeConfigs can tell STATIC_BROKER_CONFIG from
 * DEFAULT_CONFIG. Keys whose default is null fall back to another key, as in Kafka
 * (`log.retention.ms` > `log.retention.minutes` > `log.retention.hours`).
 */
export const BROKER_CONFIG_DEFINITIONS = {
  'node.id': { type: 'int', default: null, min: 0, doc: 'This broker\'s id; falls back to broker.id, then 0.' },
  'broker.id': { type: 'int', default: null, min: 0, doc: 'Older name of node.id; both may be set only to the same value.' },
  host: { type: 'string', default: '127.0.0.1', doc: 'Address the broker listens on.' },
  port: { type: 'int', default: '9092', min: 0, max: 65535, doc: 'Port the broker listens on; 0 picks a free one.' },
  'advertised.host': { type: 'string', default: null, doc: 'Host given to clients in Metadata; defaults to host. Never 0.0.0.0.' },
  'advertised.port': { type: 'int', default: null, min: 0, max: 65535, doc: 'Port given to clients in Metadata; defaults to port (the bound port when port is 0).' },
  'log.dirs': { type: 'string', default: './data', doc: 'The one directory holding every partition and the broker metadata.' },
  'log.dir': { type: 'string', default: null, doc: 'Used when log.dirs is not set.' },
  'num.partitions': { type: 'int', default: '1', min: 1, doc: 'Partitions of a topic created without a count (auto-created, or -1).' },
  'default.replication.factor': { type: 'short', default: '1', min: 1, doc: 'Replication factor of a topic created without one; a single broker can only hold 1.' },
  'auto.create.topics.enable': { type: 'boolean', default: 'true', doc: 'Create a topic when Metadata or Produce names one that does not exist.' },
  'delete.topic.enable': { type: 'boolean', default: 'true', doc: 'Whether DeleteTopics may delete topics.' },
  'socket.request.max.bytes': { type: 'int', default: '104857600', min: 1, doc: 'Largest request the broker reads.' },
  'fetch.max.bytes': { type: 'int', default: '57671680', min: 0, doc: 'Largest fetch response the broker builds, whatever the client asks (one batch always fits).' },
  'message.max.bytes': { type: 'int', default: '1048588', min: 0, doc: 'Largest record batch; the default of max.message.bytes.' },
  'log.segment.bytes': { type: 'int', default: '1073741824', min: 14, doc: 'Default of segment.bytes.' },
  'log.roll.ms': { type: 'long', default: null, min: 1, doc: 'Default of segment.ms; falls back to log.roll.hours.' },
  'log.roll.hours': { type: 'int', default: '168', min: 1, doc: 'Default of segment.ms, in hours, when log.roll.ms is not set.' },
  'log.retention.ms': { type: 'long', default: null, min: -1, doc: 'Default of retention.ms (-1: keep forever); falls back to log.retention.minutes, then log.retention.hours.' },
  'log.retention.minutes': { type: 'int', default: null, doc: 'Default of retention.ms, in minutes, when log.retention.ms is not set.' },
  'log.retention.hours': { type: 'int', default: '168', doc: 'Default of retention.ms, in hours, when neither log.retention.ms nor log.retention.minutes is set.' },
  'log.retention.bytes': { type: 'long', default: '-1', min: -1, doc: 'Default of retention.bytes.' },
  'log.index.interval.bytes': { type: 'int', default: '4096', min: 0, doc: 'Default of index.interval.bytes.' },
  'log.index.size.max.bytes': { type: 'int', default: '10485760', min: 8, doc: 'Default of segment.index.bytes.' },
  'log.flush.interval.messages': { type: 'long', default: LONG_MAX, min: 1, doc: 'Default of flush.messages.' },
  'log.flush.interval.ms': { type: 'long', default: null, min: 0, doc: 'Default of flush.ms; never when not set.' },
  'log.cleanup.policy': { type: 'string', default: 'delete', validValues: ['delete'], doc: 'Default of cleanup.policy; only delete is supported.' },
  'log.retention.check.interval.ms': { type: 'long', default: '300000', min: 1, doc: 'How often retention runs over every log.' },
  'group.initial.rebalance.delay.ms': { type: 'int', default: '3000', min: 0, doc: 'How long a new group waits for more members before its first rebalance.' },
  'group.min.session.timeout.ms': { type: 'int', default: '6000', min: 0, doc: 'Smallest session timeout a consumer may ask for.' },
  'group.max.session.timeout.ms': { type: 'int', default: '1800000', min: 0, doc: 'Largest session timeout a consumer may ask for.' },
  'offsets.retention.minutes': { type: 'int', default: '10080', min: 1, doc: 'How long committed offsets of an empty group are kept.' },
  'offsets.topic.num.partitions': { type: 'int', default: '50', min: 1, doc: 'Partitions of __consumer_offsets.' },
} as const satisfies Record<string, ConfigDefinition>;

type Definitions = typeof BROKER_CONFIG_DEFINITIONS;
export type BrokerConfigName = keyof Definitions;

/** Keys that always end up with a value: their fallbacks are applied. */
type FallbackName = 'node.id' | 'broker.id' | 'advertised.host' | 'advertised.port' | 'log.roll.ms' | 'log.retention.ms' | 'log.flush.interval.ms';

/** Parsed values by Kafka name. Longs beyond 2^53 (Kafka's "never") are Infinity. */
export type BrokerConfigValues = {
  readonly [K in BrokerConfigName]: K extends FallbackName
    ? ConfigValue<Definitions[K]['type']>
    : Definitions[K]['default'] extends null
      ? ConfigValue<Definitions[K]['type']> | null
      : ConfigValue<Definitions[K]['type']>;
};

export interface BrokerConfig {
  /**
   * Effective values, fallbacks applied: `log.retention.ms` holds the retention whichever
   * key set it, `advertised.host` is `host` unless set, `node.id` and `broker.id` agree.
   */
  readonly values: BrokerConfigValues;
  /** What the operator set (file and overrides), trimmed, by name. */
  readonly settings: Readonly<Partial<Record<BrokerConfigName, string>>>;
}

export function isBrokerConfigName(name: string): name is BrokerConfigName {
  return Object.hasOwn(BROKER_CONFIG_DEFINITIONS, name);
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function invalid(message: string): TidelogError {
  return new TidelogError('INVALID_CONFIG', message);
}

/**
 * Kafka's defaults overlaid with `settings`. Unknown names and bad values throw
 * INVALID_CONFIG naming the key.
 */
export function resolveBrokerConfig(settings: Readonly<Record<string, string>> = {}): BrokerConfig {
  const explicit: Partial<Record<BrokerConfigName, string>> = {};
  for (const [name, raw] of Object.entries(settings)) {
    if (!isBrokerConfigName(name)) throw invalid(`unknown broker config ${name}`);
    explicit[name] = raw.trim();
  }
  const values: Record<string, number | boolean | string | null> = {};
  for (const name of Object.keys(BROKER_CONFIG_DEFINITIONS) as BrokerConfigName[]) {
    const def: ConfigDefinition = BROKER_CONFIG_DEFINITIONS[name];
    const raw = explicit[name] ?? def.default;
    values[name] = raw === null ? null : parseConfigValue(name, def, raw);
  }
  applyFallbacks(values, explicit);
  return { values: values as BrokerConfigValues, settings: explicit };
}

function applyFallbacks(values: Record<string, number | boolean | string | null>, explicit: Partial<Record<BrokerConfigName, string>>): void {
  const nodeId = values['node.id'] as number | null;
  const brokerId = values['broker.id'] as number | null;
  if (nodeId !== null && brokerId !== null && nodeId !== brokerId) {
    throw invalid(`node.id ${nodeId} and broker.id ${brokerId} disagree; set one of them`);
  }
  values['node.id'] = values['broker.id'] = nodeId ?? brokerId ?? 0;

  values['advertised.host'] ??= values['host']!;
  if (['0.0.0.0', '::', '[::]'].includes(values['advertised.host'] as string)) {
    throw invalid(`advertised.host ${values['advertised.host']} is not an address clients can reach; set advertised.host`);
  }
  values['advertised.port'] ??= values['port']!;

  if (explicit['log.dirs'] === undefined && values['log.dir'] !== null) values['log.dirs'] = values['log.dir']!;
  if ((values['log.dirs'] as string).includes(',')) {
    throw invalid(`log.dirs ${values['log.dirs']} lists several directories; Tidelog uses one`);
  }

  values['log.roll.ms'] ??= (values['log.roll.hours'] as number) * HOUR_MS;
  let retentionMs = values['log.retention.ms'] as number | null;
  if (retentionMs === null) {
    const minutes = values['log.retention.minutes'] as number | null;
    retentionMs = minutes !== null ? minutes * MINUTE_MS : (values['log.retention.hours'] as number) * HOUR_MS;
  }
  values['log.retention.ms'] = retentionMs < 0 ? -1 : retentionMs;
  values['log.flush.interval.ms'] ??= Infinity;

  if ((values['group.min.session.timeout.ms'] as number) > (values['group.max.session.timeout.ms'] as number)) {
    throw invalid(`group.min.session.timeout.ms ${values['group.min.session.timeout.ms']} is above group.max.session.timeout.ms ${values['group.max.session.timeout.ms']}`);
  }
}

export const DEFAULT_BROKER_CONFIG: BrokerConfig = resolveBrokerConfig();
