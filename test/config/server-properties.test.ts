import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTidelogError } from '../../src/common/index.js';
import { loadBrokerConfig, parseServerProperties } from '../../src/config/index.js';
import { makeTempDir } from '../helpers/tmp-dir.js';

describe('server.properties', () => {
  it('parses separators, comments, blank lines, continuations and escapes', () => {
    const text = [
      '# a comment',
      '! another',
      '',
      '   ',
      'port=9093',
      'host : 10.1.2.3  ',
      '  log.dirs   /var/lib/tidelog',
      'num.partitions=3',
      'num.partitions = 4',
      'empty=',
      'a\\=b=c',
      'long.value=one, \\',
      '    two',
      'tab=x\\ty',
      'unicode=\\u0041',
      '\tindented.key=v',
    ].join('\r\n');
    expect(Object.fromEntries(parseServerProperties(text))).toEqual({
      port: '9093',
      host: '10.1.2.3',
      'log.dirs': '/var/lib/tidelog',
      'num.partitions': '4',
      empty: '',
      'a=b': 'c',
      'long.value': 'one, two',
      tab: 'x\ty',
      unicode: 'A',
      'indented.key': 'v',
    });
  });

  it('rejects a malformed \\u escape', () => {
    expect(() => parseServerProperties('x=\\u12')).toThrow(/line 1/);
  });

  describe('loading', () => {
    let dir: string;
    let cleanup: () => Promise<void>;
    beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
    afterEach(() => cleanup());

    async function file(text: string): Promise<string> {
      const path = join(dir, 'server.properties');
      await writeFile(path, text);
      return path;
    }

    it('merges defaults < file < overrides and reports unknown file keys', async () => {
      const path = await file('port=9093\nnum.partitions=3\nlisteners=PLAINTEXT://:9092\nzookeeper.connect=x\n');
      const { config, unknownKeys } = await loadBrokerConfig({ file: path, overrides: { port: '9094' } });
      expect(config.values.port).toBe(9094);
      expect(config.values['num.partitions']).toBe(3);
      expect(config.values['log.segment.bytes']).toBe(1073741824);
      expect(unknownKeys).toEqual(['listeners', 'zookeeper.connect']);
      expect(config.settings).toEqual({ port: '9094', 'num.partitions': '3' });
    });

    it('loads defaults without a file', async () => {
      const { config, unknownKeys } = await loadBrokerConfig();
      expect(config.values.port).toBe(9092);
      expect(unknownKeys).toEqual([]);
    });

    async function rejection(promise: Promise<unknown>): Promise<string> {
      try {
        await promise;
      } catch (error) {
        expect(isTidelogError(error, 'INVALID_CONFIG')).toBe(true);
        return (error as Error).message;
      }
      throw new Error('expected INVALID_CONFIG');
    }

    it('names the key and the file of a bad value', async () => {
      const path = await file('log.retention.hours=forever\n');
      const message = await rejection(loadBrokerConfig({ file: path }));
      expect(message).toContain('log.retention.hours');
      expect(message).toContain(path);
    });

    it('lets an override replace a bad file value', async () => {
      const path = await file('port=nope\n');
      const { config } = await loadBrokerConfig({ file: path, overrides: { port: '1' } });
      expect(config.values.port).toBe(1);
    });

    it('rejects unknown overrides, bad override values and a missing file', async () => {
      expect(await rejection(loadBrokerConfig({ overrides: { 'log.dirz': 'x' } }))).toContain('log.dirz');
      expect(await rejection(loadBrokerConfig({ overrides: { port: '-1' } }))).toContain('port');
      expect(await rejection(loadBrokerConfig({ file: join(dir, 'missing.properties') }))).toContain('missing.properties');
    });
  });
});
