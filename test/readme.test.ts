/**
 * The README's code blocks marked `<!-- runs in test/readme.test.ts -->` run
 * as written (with 'tfjs-entropy' resolved to the sources), so they cannot drift.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const MARKER = '<!-- runs in test/readme.test.ts -->';

function markedSnippets(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return readme
    .split(MARKER)
    .slice(1)
    .map((after) => {
      const block = /```ts\n([\s\S]*?)```/.exec(after);
      if (!block) throw new Error('a README marker is not followed by a ```ts block');
      return block[1]!;
    });
}

describe('README snippets', () => {
  const snippets = markedSnippets();

  test('there are snippets to run', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(3);
  });

  test.each(snippets.map((code, i) => [i + 1, code] as const))('snippet %i runs', async (index, code) => {
    const directory = join(root, 'test', '.readme-snippets');
    mkdirSync(directory, { recursive: true });
    const file = join(directory, `snippet-${process.env['TFJS_BACKEND']}-${index}.ts`);
    writeFileSync(file, `${code}\nexport {};\n`);
    await import(/* @vite-ignore */ file);
  }, 120_000);
});
