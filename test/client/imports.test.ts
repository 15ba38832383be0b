import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src/client');
const ALLOWED = new Set(['../protocol/index.js', '../record/index.js', '../common/index.js']);

describe('src/client imports', () => {
  it('reach only protocol, record and common (through their index), plus its own files and packages', async () => {
    const files = (await readdir(SRC)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(join(SRC, file), 'utf8');
      for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
        if (!spec!.startsWith('.')) continue; // node: builtins and msgpackr
        if (spec!.startsWith('./')) continue;
        expect(ALLOWED.has(spec!), `${file} imports ${spec}`).toBe(true);
      }
    }
  });
});
