/**
 * The README's browser snippets, as pages: tfjs's tf.min.js and the
 * script-tag build loaded with script tags, and ES modules sharing one tfjs
 * through an import map. The CDN addresses are replaced by this repository's
 * own files (the machine has no internet); each page must print what its
 * comments say, with no console error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPageFiles, chromiumPath, launch, outDir, root, serve } from './support/page.js';

const chromium = await chromiumPath();
const MARKER = '<!-- runs in test/browser/pages.test.ts -->';
const tfjsVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies['@tensorflow/tfjs'];

/** The README's marked ```html blocks. */
function snippets(): string[] {
  return readFileSync(join(root, 'README.md'), 'utf8')
    .split(MARKER)
    .slice(1)
    .map((after) => /```html\n([\s\S]*?)```/.exec(after)![1]!);
}

/** The snippet with the CDN's files replaced by this repository's (the same files, as npm installs them). */
function local(html: string): string {
  return html
    .replace(/https:\/\/cdn\.jsdelivr\.net\/npm\/@tensorflow\/tfjs@([^/]+)\/dist\//g, (_, version: string) => {
      expect(version, 'the README names the tfjs the tests use').toBe(tfjsVersion);
      return '/node_modules/@tensorflow/tfjs/dist/';
    })
    .replace(/https:\/\/cdn\.jsdelivr\.net\/npm\/tfjs-entropy@[^/]+\/dist\/tfjs-entropy\.min\.js/g, '/test-results/browser/tfjs-entropy.min.js')
    .replace(/https:\/\/cdn\.jsdelivr\.net\/npm\/tfjs-entropy@[^/]+\/dist\/index\.js/g, '/test-results/browser/esm/index.js');
}

/** What the comments of a snippet say it prints, in order: numbers, true or false. */
const promised = (html: string) => [...html.matchAll(/\.(?:print\(\)|log\([^)]*\));\s*\/\/\s*([\d.]+|true|false)/g)].map(([, value]) => value!);

describe.runIf('path' in chromium)('the README\'s browser snippets, as pages', () => {
  let browser: Browser;
  let url = '';
  let close = () => {};
  beforeAll(async () => {
    await buildPageFiles();
    const served = await serve();
    [browser, url, close] = [await launch((chromium as { path: string }).path), served.url, () => served.server.close()];
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    close();
  });

  test('there are two: a script tag and an import map', () => {
    expect(snippets()).toHaveLength(2);
    expect(snippets()[1]).toContain('type="importmap"');
  });

  test.each(snippets().map((html, i) => [i + 1, html] as const))('snippet %i prints what its comments say, with no console error', async (index, html) => {
    const file = join(outDir, `readme-${index}.html`);
    writeFileSync(file, `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"></head><body>\n${local(html)}</body></html>\n`);
    const page = await browser.newPage();
    const [logs, errors] = [[] as string[], [] as string[]];
    page.on('console', (message) => (message.type() === 'error' ? errors : logs).push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${url}/test-results/browser/readme-${index}.html`, { waitUntil: 'load' });
    expect(errors).toEqual([]);
    const printed = logs.join('\n');
    let from = 0;
    for (const value of promised(html)) {
      const at = printed.indexOf(value, from);
      expect(at, `${value} printed, in order, in:\n${printed}`).toBeGreaterThanOrEqual(0);
      from = at + value.length;
    }
    expect(promised(html).length).toBeGreaterThanOrEqual(2);
  });
});
