import { API_KEYS } from '../../protocol/index.js';
import type { Cluster } from '../cluster.js';
import type { Connection } from '../connection.js';
import { errorFromCode, TidelogError } from '../errors.js';
import { CONNECTION_ERRORS, retryOn, throwFailures } from './requests.js';
import { checkTopicName, describe } from './validate.js';

/**
 * Configs: DescribeConfigs 1-4 for topics and brokers. Read only: Tidelog's broker implements
 * neither AlterConfigs nor IncrementalAlterConfigs, so there is nothing to alter with.
 *
 * A topic's configs may be asked of any broker; a broker's only of that broker (Kafka's
 * admin routes them the same way), so resources are grouped by the broker that must answer.
 */

/** DescribeConfigsRequest.ResourceType. */
const RESOURCE_TYPE = { topic: 2, broker: 4 } as const;
export type ConfigResourceType = keyof typeof RESOURCE_TYPE;

/** DescribeConfigsResponse.ConfigSource, by its number on the wire. */
const CONFIG_SOURCES = [
  'UNKNOWN',
  'TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

/** DescribeConfigsResponse.ConfigType (v3+), by its number on the wire. */
const CONFIG_TYPES = ['UNKNOWN', 'BOOLEAN', 'STRING', 'INT', 'SHORT', 'LONG', 'DOUBLE', 'LIST', 'CLASS', 'PASSWORD'] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];

export interface ConfigResource {
  type: ConfigResourceType;
  /** A topic name, or a broker's node id. */
  name: string;
  /** Only these config names; default all. */
  configNames?: readonly string[];
}

export interface DescribeConfigsOptions {
  /** List each entry's synonyms: the values it would take from each source, highest priority first. */
  includeSynonyms?: boolean;
  /** Add each entry's documentation (brokers with DescribeConfigs v3+). */
  includeDocumentation?: boolean;
}

export interface ConfigSynonym {
  name: string;
  value: string | null;
  source: ConfigSource;
}

export interface ConfigEntry {
  name: string;
  /** null when sensitive, or unset without a default. */
  value: string | null;
  source: ConfigSource;
  /** True when the value is the built-in default (source DEFAULT_CONFIG), as Kafka's admin derives it. */
  isDefault: boolean;
  readOnly: boolean;
  isSensitive: boolean;
  /** Empty unless includeSynonyms. */
  synonyms: ConfigSynonym[];
  /** UNKNOWN from brokers before DescribeConfigs v3. */
  type: ConfigType;
  /** null unless includeDocumentation and the broker speaks v3+. */
  documentation: string | null;
}

export interface ConfigResourceDescription {
  type: ConfigResourceType;
  name: string;
  configs: ConfigEntry[];
}

/** Each resource's config entries, in the order asked. */
export async function describeConfigs(cluster: Cluster, resources: readonly ConfigResource[], options: DescribeConfigsOptions = {}): Promise<ConfigResourceDescription[]> {
  const checked = checkResources(resources);
  // The broker that must answer: a node id for broker resources, null (any) for topics.
  const byBroker = new Map<number | null, ConfigResource[]>();
  for (const resource of checked) {
    const node = resource.type === 'broker' ? Number(resource.name) : null;
    byBroker.set(node, [...(byBroker.get(node) ?? []), resource]);
  }
  const answers = new Map<string, ConfigResourceDescription | TidelogError>();
  await Promise.all(
    [...byBroker].map(async ([node, list]) => {
      const results = await retryOn(cluster, CONNECTION_ERRORS, async () => {
        const connection = node === null ? await cluster.anyConnection() : await cluster.connection(node);
        return ask(connection, list, options);
      });
      for (const result of results) answers.set(key(result.type, result.name), result.description);
    }),
  );
  const failures: { name: string; error: TidelogError }[] = [];
  const described: ConfigResourceDescription[] = [];
  for (const resource of checked) {
    const answer = answers.get(key(resource.type, resource.name));
    if (answer instanceof TidelogError) failures.push({ name: `${resource.type} ${resource.name}`, error: answer });
    else if (answer === undefined) failures.push({ name: `${resource.type} ${resource.name}`, error: new TidelogError('UNKNOWN_SERVER_ERROR', `describeConfigs: the broker left ${resource.type} ${resource.name} out of its answer`) });
    else described.push(answer);
  }
  throwFailures('describeConfigs', failures);
  return described;
}

async function ask(
  connection: Connection,
  resources: readonly ConfigResource[],
  options: DescribeConfigsOptions,
): Promise<{ type: ConfigResourceType; name: string; description: ConfigResourceDescription | TidelogError }[]> {
  const version = connection.versionOf(API_KEYS.DescribeConfigs);
  const response = await connection.request(API_KEYS.DescribeConfigs, {
    resources: resources.map((r) => ({ resourceType: RESOURCE_TYPE[r.type], resourceName: r.name, configurationKeys: r.configNames === undefined ? null : [...r.configNames] })),
    includeSynonyms: options.includeSynonyms ?? false,
    ...(version >= 3 ? { includeDocumentation: options.includeDocumentation ?? false } : {}),
  });
  return response.results.map((result) => {
    const type = result.resourceType === RESOURCE_TYPE.broker ? 'broker' : 'topic';
    const error = errorFromCode(result.errorCode, `describeConfigs: ${type} ${result.resourceName}`, result.errorMessage);
    return {
      type,
      name: result.resourceName,
      description: error ?? {
        type,
        name: result.resourceName,
        configs: result.configs.map((entry) => {
          const source = sourceName(entry.configSource ?? -1);
          return {
            name: entry.name,
            value: entry.value,
            source,
            isDefault: source === 'DEFAULT_CONFIG',
            readOnly: entry.readOnly,
            isSensitive: entry.isSensitive,
            synonyms: (entry.synonyms ?? []).map((s) => ({ name: s.name, value: s.value, source: sourceName(s.source) })),
            type: CONFIG_TYPES[entry.configType ?? 0] ?? 'UNKNOWN',
            // Absent before v3, where the decoder fills in "" rather than null.
            documentation: version >= 3 ? (entry.documentation ?? null) : null,
          };
        }),
      },
    };
  });
}

function sourceName(source: number): ConfigSource {
  return CONFIG_SOURCES[source] ?? 'UNKNOWN';
}

function key(type: ConfigResourceType, name: string): string {
  return `${type}:${name}`;
}

function checkResources(resources: readonly ConfigResource[]): ConfigResource[] {
  if (!Array.isArray(resources) || resources.length === 0) throw new TidelogError('INVALID_REQUEST', `describeConfigs: give a non-empty array of { type, name }, not ${describe(resources)}`);
  const seen = new Set<string>();
  return resources.map((resource) => {
    const { type, name, configNames } = resource ?? {};
    if (type !== 'topic' && type !== 'broker') throw new TidelogError('INVALID_REQUEST', `describeConfigs: resource type must be 'topic' or 'broker', not ${describe(type)}`);
    if (type === 'topic') checkTopicName(name, 'describeConfigs');
    else if (typeof name !== 'string' || !/^\d+$/.test(name)) throw new TidelogError('INVALID_REQUEST', `describeConfigs: a broker resource is named by its node id, e.g. "0", not ${describe(name)}`);
    if (configNames !== undefined && (!Array.isArray(configNames) || configNames.some((n) => typeof n !== 'string' || n.length === 0))) {
      throw new TidelogError('INVALID_REQUEST', `describeConfigs: configNames of ${type} ${name} must be an array of non-empty strings`);
    }
    if (seen.has(key(type, name))) throw new TidelogError('INVALID_REQUEST', `describeConfigs: ${type} ${name} is listed twice`);
    seen.add(key(type, name));
    return { type, name, ...(configNames === undefined ? {} : { configNames }) };
  });
}
