import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');
const CLIENT = join(SRC, 'client');
const ALLOWED = new Set(['protocol/index.js', 'record/index.js', 'common/index.js']);

describe('src/client imports', () => {
  it('reach only protocol, record and common (through their index), plus its own files and packages', async () => {
    const files = (await readdir(CLIENT, { recursive: true })).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    expect(files.some((f) => f.includes('/'))).toBe(true); // the subfolders are scanned too
    for (const file of files) {
      const text = await readFile(join(CLIENT, file), 'utf8');
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        if (!spec!.startsWith('.')) continue; // node: builtins and packages
        const target = relative(SRC, resolve(dirname(join(CLIENT, file)), spec!));
        if (target.startsWith('client/')) continue;
        expect(ALLOWED.has(target), `client/${file} imports ${spec}`).toBe(true);
      }
    }
  });
});
