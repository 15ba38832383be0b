import { TidelogError } from '../../common/index.js';
import { BROKER_CONFIG_DEFINITIONS, CONFIG_SOURCE, formatConfigValue, TOPIC_CONFIG_DEFINITIONS, type BrokerConfigName, type ConfigType } from '../../config/index.js';
import { API_KEYS, type DescribeConfigsResourceResult } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;

/** DescribeConfigsResponse.ConfigType (v3+). */
const CONFIG_TYPE = { BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, LIST: 7 } as const;
const CONFIG_TYPE_OF: Record<ConfigType, number> = {
  boolean: CONFIG_TYPE.BOOLEAN,
  string: CONFIG_TYPE.STRING,
  int: CONFIG_TYPE.INT,
  short: CONFIG_TYPE.SHORT,
  long: CONFIG_TYPE.LONG,
};
/** Kafka declares these as lists; we hold them as strings (only one value is allowed). */
const LIST_CONFIGS = new Set(['cleanup.policy', 'log.cleanup.policy']);

function configType(name: string, type: ConfigType): number {
  return LIST_CONFIGS.has(name) ? CONFIG_TYPE.LIST : CONFIG_TYPE_OF[type];
}

interface Wanted {
  keys: string[] | null;
  synonyms: boolean;
  documentation: boolean;
  version: number;
}

/**
 * DescribeConfigs 0-4 for topics (effective values with their source) and this broker
 * (read-only). v3 adds each value's type and, when asked, its documentation; v4 is v3 made
 * flexible. Both v3 fields are ignorable, so earlier versions simply drop them.
 */
export function describeConfigsHandler(ctx: BrokerContext) {
  // v0 says whether a value is a default; v1 replaced that with its source.
  const topicConfigs = (name: string, { keys, synonyms, documentation, version }: Wanted): DescribeConfigsResourceResult[] =>
    ctx.topics.describeConfigs(name, keys).map((entry) => ({
      name: entry.name,
      value: entry.value,
      readOnly: entry.readOnly,
      ...(version === 0 ? { isDefault: entry.isDefault } : { configSource: entry.source }),
      isSensitive: entry.isSensitive,
      synonyms: synonyms ? entry.synonyms : [],
      configType: configType(entry.name, TOPIC_CONFIG_DEFINITIONS[entry.name].type),
      documentation: documentation ? TOPIC_CONFIG_DEFINITIONS[entry.name].doc : null,
    }));

  const brokerConfigs = (name: string, { keys, documentation, version }: Wanted): DescribeConfigsResourceResult[] => {
    if (name !== String(ctx.topics.nodeId)) throw new TidelogError('INVALID_REQUEST', `this is broker ${ctx.topics.nodeId}, not ${name}`);
    const names = (Object.keys(BROKER_CONFIG_DEFINITIONS) as BrokerConfigName[]).filter((n) => keys === null || keys.includes(n));
    return names.map((n) => {
      const value = ctx.config.values[n];
      const set = Object.hasOwn(ctx.config.settings, n);
      return {
        name: n,
        value: value === null ? null : formatConfigValue(value),
        readOnly: true,
        ...(version === 0 ? { isDefault: !set } : { configSource: set ? CONFIG_SOURCE.STATIC_BROKER_CONFIG : CONFIG_SOURCE.DEFAULT_CONFIG }),
        isSensitive: false,
        synonyms: [],
        configType: configType(n, BROKER_CONFIG_DEFINITIONS[n].type),
        documentation: documentation ? BROKER_CONFIG_DEFINITIONS[n].doc : null,
      };
    });
  };

  return defineHandler({
    apiKey: API_KEYS.DescribeConfigs,
    minVersion: 0,
    maxVersion: 4,
    handle(body, { header }) {
      const version = header.apiVersion;
      const results = body.resources.map((resource) => {
        const wanted: Wanted = { keys: resource.configurationKeys, synonyms: body.includeSynonyms, documentation: version >= 3 && body.includeDocumentation, version };
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        try {
          let configs: DescribeConfigsResourceResult[];
          if (resource.resourceType === RESOURCE_TOPIC) configs = topicConfigs(resource.resourceName, wanted);
          else if (resource.resourceType === RESOURCE_BROKER) configs = brokerConfigs(resource.resourceName, wanted);
          else throw new TidelogError('INVALID_REQUEST', `config resource type ${resource.resourceType} is not supported`);
          return { ...base, errorCode: 0, errorMessage: null, configs };
        } catch (error) {
          const { code, message } = errorOf(error, ctx.logger);
          return { ...base, errorCode: code, errorMessage: message, configs: [] };
        }
      });
      return { throttleTimeMs: 0, results };
    },
  });
}
