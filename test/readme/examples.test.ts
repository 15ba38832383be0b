import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir.js';
import { startTestBroker, type TestBroker } from '../server/fixtures.js';

/**
 * The README's client examples are programs: every ```ts example block runs here, as its own
 * module in a child process, against a fresh broker. `from 'tidelog'` resolves to this checkout's
 * src/client, and 127.0.0.1:9092 to the test broker. A block that throws, or exits non-zero,
 * fails its test, so the README can't drift from the API.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT = pathToFileURL(join(ROOT, 'src/client/index.ts')).href;
const run = promisify(execFile);

export function exampleBlocks(markdown: string): { title: string; code: string }[] {
  const blocks: { title: string; code: string }[] = [];
  let heading = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('#')) heading = line.replace(/^#+\s*/, '');
    if (/^```ts example\s*$/.test(line)) {
      const start = i + 1;
      while (i + 1 < lines.length && lines[i + 1] !== '```') i++;
      blocks.push({ title: `${heading} (README line ${start})`, code: lines.slice(start, i + 1).join('\n') });
      i++;
    }
  }
  return blocks;
}

const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
const examples = exampleBlocks(readme);

let broker: TestBroker;
let dir: { dir: string; cleanup(): Promise<void> };
beforeAll(async () => {
  broker = await startTestBroker();
  dir = await makeTempDir('tidelog-readme-');
});
afterAll(async () => {
  await broker?.stop();
  await dir?.cleanup();
});

describe('README client examples', () => {
  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it('type-check under the strict settings of this repo', async () => {
    const files = examples.map((e, i) => {
      const file = join(dir.dir, `typed-${i}.mts`);
      return { file, code: e.code };
    });
    for (const { file, code } of files) await writeFile(file, code);
    const tsconfig = {
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: '/', baseUrl: ROOT, paths: { tidelog: ['src/client/index.ts'] }, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')] },
      include: files.map((f) => f.file),
    };
    await writeFile(join(dir.dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', join(dir.dir, 'tsconfig.json')], { timeout: 120_000, cwd: ROOT }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error), stderr: '' }));
    expect(result.stdout).toBe('');
  });

  it.each(examples.map((e, i) => [e.title, i] as const))('%s runs', async (_title, index) => {
    const code = examples[index]!.code
      .replaceAll(`from 'tidelog'`, `from '${CLIENT}'`)
      .replaceAll('127.0.0.1:9092', `127.0.0.1:${broker.broker.port}`);
    const file = join(dir.dir, `example-${index}.mts`);
    await writeFile(file, code);
    const result = await run(process.execPath, ['--import', 'tsx', file], { timeout: 45_000, cwd: ROOT });
    expect(result.stderr).not.toMatch(/Error/);
  });
});
