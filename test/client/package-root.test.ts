import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as client from '../../src/client/index.js';

const ROOT = join(import.meta.dirname, '../..');

describe('the package root', () => {
  it('maps `tidelog` to the build of src/client/index.ts, with its types', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, { types: string; import: string }> };
    const tsconfig = JSON.parse(await readFile(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string; declaration?: boolean } };
    expect(pkg.name).toBe('tidelog');
    const out = join(tsconfig.compilerOptions.outDir, 'src/client/index');
    expect(join(pkg.exports['.']!.import)).toBe(`${out}.js`);
    expect(join(pkg.exports['.']!.types)).toBe(`${out}.d.ts`);
    expect(tsconfig.compilerOptions.declaration).toBe(true);
  });

  it('exports the three clients, the serializers and the error class', () => {
    for (const name of ['Producer', 'Consumer', 'Admin', 'stringSerializer', 'jsonSerializer', 'msgpackSerializer', 'bytesSerializer', 'TidelogError', 'rangeAssignor', 'roundRobinAssignor'] as const) {
      expect(client[name], name).toBeDefined();
    }
  });
});
