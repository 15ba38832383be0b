import { TidelogError } from '../../common/index.js';
import { BROKER_CONFIG_DEFINITIONS, CONFIG_SOURCE, formatConfigValue, type BrokerConfigName } from '../../config/index.js';
import { API_KEYS, type DescribeConfigsResourceResult } from '../../protocol/index.js';
import { errorOf, type BrokerContext } from '../broker-context.js';
import { defineHandler } from '../handler.js';

const RESOURCE_TOPIC = 2;
const RESOURCE_BROKER = 4;

/** DescribeConfigs 0-2 for topics (effective values with their source) and this broker (read-only). */
export function describeConfigsHandler(ctx: BrokerContext) {
  // v0 says whether a value is a default; v1 replaced that with its source.
  const topicConfigs = (name: string, keys: string[] | null, synonyms: boolean, version: number): DescribeConfigsResourceResult[] =>
    ctx.topics.describeConfigs(name, keys).map((entry) => ({
      name: entry.name,
      value: entry.value,
      readOnly: entry.readOnly,
      ...(version === 0 ? { isDefault: entry.isDefault } : { configSource: entry.source }),
      isSensitive: entry.isSensitive,
      synonyms: synonyms ? entry.synonyms : [],
    }));

  const brokerConfigs = (name: string, keys: string[] | null, version: number): DescribeConfigsResourceResult[] => {
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
      };
    });
  };

  return defineHandler({
    apiKey: API_KEYS.DescribeConfigs,
    minVersion: 0,
    maxVersion: 2,
    handle(body, { header }) {
      const results = body.resources.map((resource) => {
        const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
        try {
          let configs: DescribeConfigsResourceResult[];
          if (resource.resourceType === RESOURCE_TOPIC) configs = topicConfigs(resource.resourceName, resource.configurationKeys, body.includeSynonyms, header.apiVersion);
          else if (resource.resourceType === RESOURCE_BROKER) configs = brokerConfigs(resource.resourceName, resource.configurationKeys, header.apiVersion);
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
