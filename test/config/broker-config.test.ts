import { describe, expect, it } from 'vitest';
import { isTidelogError } from '../../src/common/index.js';
import { BROKER_CONFIG_DEFINITIONS, DEFAULT_BROKER_CONFIG, resolveBrokerConfig } from '../../src/config/index.js';

function invalid(settings: Record<string, string>): string {
  try {
    resolveBrokerConfig(settings);
  } catch (error) {
    expect(isTidelogError(error, 'INVALID_CONFIG')).toBe(true);
    return (error as Error).message;
  }
  throw new Error(`expected INVALID_CONFIG for ${JSON.stringify(settings)}`);
}

describe('broker config', () => {
  it("has Kafka's defaults, with fallbacks applied", () => {
    const v = DEFAULT_BROKER_CONFIG.values;
    expect(v['node.id']).toBe(0);
    expect(v['broker.id']).toBe(0);
    expect(v.host).toBe('127.0.0.1');
    expect(v.port).toBe(9092);
    expect(v['advertised.host']).toBe('127.0.0.1');
    expect(v['advertised.port']).toBe(9092);
    expect(v['log.dirs']).toBe('./data');
    expect(v['num.partitions']).toBe(1);
    expect(v['default.replication.factor']).toBe(1);
    expect(v['auto.create.topics.enable']).toBe(true);
    expect(v['delete.topic.enable']).toBe(true);
    expect(v['socket.request.max.bytes']).toBe(104857600);
    expect(v['message.max.bytes']).toBe(1048588);
    expect(v['log.segment.bytes']).toBe(1073741824);
    expect(v['log.roll.hours']).toBe(168);
    expect(v['log.roll.ms']).toBe(168 * 3_600_000);
    expect(v['log.retention.hours']).toBe(168);
    expect(v['log.retention.minutes']).toBeNull();
    expect(v['log.retention.ms']).toBe(168 * 3_600_000);
    expect(v['log.retention.bytes']).toBe(-1);
    expect(v['log.flush.interval.messages']).toBe(Infinity);
    expect(v['log.flush.interval.ms']).toBe(Infinity);
    expect(v['log.retention.check.interval.ms']).toBe(300000);
    expect(v['group.initial.rebalance.delay.ms']).toBe(3000);
    expect(v['group.min.session.timeout.ms']).toBe(6000);
    expect(v['group.max.session.timeout.ms']).toBe(1800000);
    expect(v['offsets.retention.minutes']).toBe(10080);
    expect(v['offsets.topic.num.partitions']).toBe(50);
    expect(DEFAULT_BROKER_CONFIG.settings).toEqual({});
  });

  it('documents every key', () => {
    for (const [name, def] of Object.entries(BROKER_CONFIG_DEFINITIONS)) expect(def.doc.length, name).toBeGreaterThan(10);
  });

  it('takes retention from ms, then minutes, then hours', () => {
    expect(resolveBrokerConfig({ 'log.retention.hours': '2' }).values['log.retention.ms']).toBe(7_200_000);
    expect(resolveBrokerConfig({ 'log.retention.hours': '2', 'log.retention.minutes': '3' }).values['log.retention.ms']).toBe(180_000);
    expect(resolveBrokerConfig({ 'log.retention.hours': '2', 'log.retention.minutes': '3', 'log.retention.ms': '1234' }).values['log.retention.ms']).toBe(1234);
    expect(resolveBrokerConfig({ 'log.retention.ms': '-1', 'log.retention.hours': '2' }).values['log.retention.ms']).toBe(-1);
    expect(resolveBrokerConfig({ 'log.retention.minutes': '-5' }).values['log.retention.ms']).toBe(-1);
    expect(resolveBrokerConfig({ 'log.roll.hours': '1' }).values['log.roll.ms']).toBe(3_600_000);
    expect(resolveBrokerConfig({ 'log.roll.hours': '1', 'log.roll.ms': '500' }).values['log.roll.ms']).toBe(500);
  });

  it('falls back advertised.* to host and port, and broker.id to node.id', () => {
    const c = resolveBrokerConfig({ host: '10.0.0.5', port: '19092' }).values;
    expect([c['advertised.host'], c['advertised.port']]).toEqual(['10.0.0.5', 19092]);
    const d = resolveBrokerConfig({ host: '0.0.0.0', 'advertised.host': 'broker.local', 'advertised.port': '443' }).values;
    expect([d.host, d['advertised.host'], d['advertised.port']]).toEqual(['0.0.0.0', 'broker.local', 443]);
    expect(resolveBrokerConfig({ 'broker.id': '7' }).values['node.id']).toBe(7);
    expect(resolveBrokerConfig({ 'node.id': '3', 'broker.id': '3' }).values['broker.id']).toBe(3);
    expect(resolveBrokerConfig({ 'log.dir': '/var/x' }).values['log.dirs']).toBe('/var/x');
    expect(resolveBrokerConfig({ 'log.dir': '/var/x', 'log.dirs': '/var/y' }).values['log.dirs']).toBe('/var/y');
  });

  it('parses booleans, trims values, keeps what was set', () => {
    const c = resolveBrokerConfig({ 'auto.create.topics.enable': ' FALSE ', port: ' 0 ' });
    expect(c.values['auto.create.topics.enable']).toBe(false);
    expect(c.values.port).toBe(0);
    expect(c.settings).toEqual({ 'auto.create.topics.enable': 'FALSE', port: '0' });
  });

  it('rejects bad values with INVALID_CONFIG naming the key', () => {
    expect(invalid({ port: 'abc' })).toMatch(/^port must be an integer/);
    expect(invalid({ port: '70000' })).toMatch(/^port must be at most 65535/);
    expect(invalid({ 'num.partitions': '0' })).toMatch(/^num.partitions must be at least 1/);
    expect(invalid({ 'log.segment.bytes': '99999999999' })).toMatch(/^log.segment.bytes .* out of range/);
    expect(invalid({ 'default.replication.factor': '40000' })).toMatch(/^default.replication.factor .* out of range for a short/);
    expect(invalid({ 'auto.create.topics.enable': 'yes' })).toMatch(/^auto.create.topics.enable must be true or false/);
    expect(invalid({ 'log.cleanup.policy': 'compact' })).toMatch(/^log.cleanup.policy must be one of delete/);
    expect(invalid({ host: '  ' })).toMatch(/^host must not be empty/);
    expect(invalid({ 'no.such.key': '1' })).toMatch(/unknown broker config no.such.key/);
    expect(invalid({ 'node.id': '1', 'broker.id': '2' })).toMatch(/node.id 1 and broker.id 2 disagree/);
    expect(invalid({ host: '0.0.0.0' })).toMatch(/advertised.host 0.0.0.0/);
    expect(invalid({ 'log.dirs': '/a,/b' })).toMatch(/log.dirs/);
    expect(invalid({ 'group.min.session.timeout.ms': '10', 'group.max.session.timeout.ms': '5' })).toMatch(/group.min.session.timeout.ms/);
  });
});
