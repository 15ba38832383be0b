import { describe, expect, it } from 'vitest';
import { isTidelogError } from '../../src/common/index.js';
import {
  CONFIG_SOURCE,
  DEFAULT_BROKER_CONFIG,
  DEFAULT_TOPIC_CONFIG,
  LONG_MAX,
  resolveBrokerConfig,
  resolveEffectiveTopicConfig,
  TOPIC_CONFIG_DEFINITIONS,
  topicDefaultsFromBroker,
} from '../../src/config/index.js';

describe('effective topic config', () => {
  it("is Kafka's defaults on a default broker, every entry DEFAULT_CONFIG", () => {
    const { config, entries } = resolveEffectiveTopicConfig(DEFAULT_BROKER_CONFIG);
    expect(config).toEqual(DEFAULT_TOPIC_CONFIG);
    expect(entries.map((e) => e.name)).toEqual(Object.keys(TOPIC_CONFIG_DEFINITIONS));
    for (const entry of entries) {
      expect(entry).toMatchObject({ source: CONFIG_SOURCE.DEFAULT_CONFIG, isDefault: true, readOnly: false, isSensitive: false });
      expect(entry.value).toBe(TOPIC_CONFIG_DEFINITIONS[entry.name].default);
    }
    const retention = entries.find((e) => e.name === 'retention.ms')!;
    expect(retention.synonyms).toEqual([{ name: 'log.retention.hours', value: '168', source: CONFIG_SOURCE.DEFAULT_CONFIG }]);
    expect(entries.find((e) => e.name === 'flush.messages')!.value).toBe(LONG_MAX);
  });

  it('maps broker settings onto topic keys: defaults < broker < topic overrides', () => {
    const broker = resolveBrokerConfig({
      'log.segment.bytes': '1000',
      'message.max.bytes': '2000',
      'log.roll.hours': '2',
      'log.retention.minutes': '30',
      'log.retention.hours': '5',
      'log.flush.interval.messages': '10',
      'log.index.size.max.bytes': '4096',
    });
    const defaults = topicDefaultsFromBroker(broker);
    expect(defaults).toMatchObject({
      'segment.bytes': '1000',
      'max.message.bytes': '2000',
      'segment.ms': '7200000',
      'retention.ms': '1800000',
      'flush.messages': '10',
      'segment.index.bytes': '4096',
      'retention.bytes': '-1',
    });
    const { config, entries } = resolveEffectiveTopicConfig(broker, { 'segment.bytes': ' 5000 ', 'retention.ms': '-1' });
    expect(config['segment.bytes']).toBe(5000);
    expect(config['retention.ms']).toBe(-1);
    expect(config['max.message.bytes']).toBe(2000);
    expect(config['segment.ms']).toBe(7_200_000);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('segment.bytes')).toMatchObject({ value: '5000', source: CONFIG_SOURCE.TOPIC_CONFIG, isDefault: false });
    expect(byName.get('segment.bytes')!.synonyms).toEqual([
      { name: 'segment.bytes', value: '5000', source: CONFIG_SOURCE.TOPIC_CONFIG },
      { name: 'log.segment.bytes', value: '1000', source: CONFIG_SOURCE.STATIC_BROKER_CONFIG },
      { name: 'log.segment.bytes', value: '1073741824', source: CONFIG_SOURCE.DEFAULT_CONFIG },
    ]);
    expect(byName.get('max.message.bytes')).toMatchObject({ value: '2000', source: CONFIG_SOURCE.STATIC_BROKER_CONFIG, isDefault: false });
    expect(byName.get('retention.bytes')).toMatchObject({ value: '-1', source: CONFIG_SOURCE.DEFAULT_CONFIG, isDefault: true });
    // minutes beat hours; both appear as static synonyms, in precedence order.
    const retention = resolveEffectiveTopicConfig(broker).entries.find((e) => e.name === 'retention.ms')!;
    expect(retention).toMatchObject({ value: '1800000', source: CONFIG_SOURCE.STATIC_BROKER_CONFIG });
    expect(retention.synonyms.map((s) => s.name)).toEqual(['log.retention.minutes', 'log.retention.hours', 'log.retention.hours']);
  });

  it('turns negative broker retention into -1 and keeps Long.MAX as never', () => {
    const broker = resolveBrokerConfig({ 'log.retention.hours': '-1', 'log.flush.interval.ms': LONG_MAX });
    const { config } = resolveEffectiveTopicConfig(broker);
    expect(config['retention.ms']).toBe(-1);
    expect(config['flush.ms']).toBe(Infinity);
  });

  it('rejects unknown and bad overrides with INVALID_CONFIG', () => {
    const cases: Record<string, string>[] = [{ 'no.such': '1' }, { 'segment.bytes': 'big' }, { 'cleanup.policy': 'compact' }, { 'retention.ms': '-2' }];
    for (const overrides of cases) {
      let caught: unknown;
      try {
        resolveEffectiveTopicConfig(DEFAULT_BROKER_CONFIG, overrides);
      } catch (error) {
        caught = error;
      }
      expect(isTidelogError(caught, 'INVALID_CONFIG'), JSON.stringify(overrides)).toBe(true);
      expect((caught as Error).message).toContain(Object.keys(overrides)[0]);
    }
  });
});
