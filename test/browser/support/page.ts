/**
 * The browser suite's machinery, on the Node side: a Chromium that `npm
 * install` alone provides, pages served from this repository on loopback,
 * and the bundles the pages load.
 *
 * Chromium: `CHROME_PATH` if set (any Chrome or Chromium, on any system),
 * else the binary inside the npm package `@sparticuz/chromium` (Linux x64
 * only), started headless with its own flags, which give WebGL2 on
 * SwiftShader. Elsewhere `chromiumPath()` says why it cannot run.
 */
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { build as esbuild, type Plugin } from 'esbuild';
import { chromium as playwright, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { build as tsup } from 'tsup';
import { packageBuild, scriptTagBuild, tfjsFromGlobal } from '../../../tsup.config.js';

export const root = resolve(import.meta.dirname, '../../..');
/** Where the suite writes what it builds (git-ignored). */
export const outDir = join(root, 'test-results', 'browser');

/** The Chromium to run, or why there is none. */
export async function chromiumPath(): Promise<{ path: string } | { reason: string }> {
  const fromEnv = process.env['CHROME_PATH'];
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { reason: `CHROME_PATH=${fromEnv} does not exist` };
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { reason: `@sparticuz/chromium ships Chromium for Linux x64 only (this is ${process.platform}-${process.arch}); set CHROME_PATH to a Chrome or Chromium to run the browser tests` };
  }
  const { default: chromium } = await import('@sparticuz/chromium');
  return { path: await chromium.executablePath() };
}

/** Flags that keep a headless Chromium off the network (this machine's is closed) and quiet. */
const OFFLINE = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/**
 * Starts Chromium. Its pages should stay open until it is closed: with
 * @sparticuz/chromium's `--single-process`, closing a page can end the browser.
 */
export async function launch(path: string): Promise<Browser> {
  const { default: chromium } = await import('@sparticuz/chromium');
  // @sparticuz/chromium's own flags select SwiftShader for WebGL; a system Chrome finds its own GPU or SwiftShader.
  const args = process.env['CHROME_PATH'] ? ['--no-sandbox', '--headless=new', ...OFFLINE] : [...chromium.args, ...OFFLINE];
  return playwright.launch({ executablePath: path, args, headless: true });
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png', '.map': 'application/json' };

/** Serves this repository's files on loopback (read-only); resolves to its base URL. */
export async function serve(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root + sep) || !existsSync(path) || !statSync(path).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('test server: no port');
  return { url: `http://127.0.0.1:${address.port}`, server };
}

/** This package's source entry, in a page bundle: the global the script-tag build defines. */
export const libraryFromGlobal: Plugin = {
  name: 'library-from-global',
  setup(build) {
    build.onResolve({ filter: /\/src\/index\.js$/ }, (args) => ({ path: args.path, namespace: 'library-global' }));
    build.onLoad({ filter: /.*/, namespace: 'library-global' }, () => ({ contents: 'module.exports = globalThis.tfEntropy;', loader: 'js' }));
  },
};

/**
 * Builds, as `npm run build` does, the script-tag build
 * (`tfjs-entropy.min.js`) into `outDir` and the ES modules into
 * `outDir/esm`, and the page harness, which uses the script-tag build's
 * global, so pages test what users load.
 */
export async function buildPageFiles(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await tsup({ ...scriptTagBuild, outDir, silent: true });
  await tsup({ ...packageBuild, format: ['esm'], dts: false, outDir: join(outDir, 'esm'), silent: true });
  await esbuild({
    entryPoints: [join(root, 'test/browser/harness.ts')],
    outfile: join(outDir, 'harness.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    plugins: [tfjsFromGlobal, libraryFromGlobal],
    logLevel: 'error',
  });
}

/** The scripts of a test page: tfjs, its wasm backend, the script-tag build, the harness. */
export const PAGE_SCRIPTS = [
  '/node_modules/@tensorflow/tfjs/dist/tf.min.js',
  '/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
  '/test-results/browser/tfjs-entropy.min.js',
  '/test-results/browser/harness.js',
];

/** Opens a blank page at `url` that loads `scripts` in order, collecting the page's console errors. */
export async function openPage(browser: Browser, url: string, scripts: readonly string[]): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${url}/test/browser/blank.html`);
  for (const src of scripts) await page.addScriptTag({ url: `${url}${src}` });
  return { page, errors };
}

/** Numbers from a page (NaN and ±Infinity arrive as strings). */
export type Encoded = Array<number | string>;

/** The README's cpu/wasm bound for an entry computed from `terms` summed terms: 2·(16 + n)·u·10·(1 + |x|). */
export const float32Bound = (terms: number) => (x: number) => 2 * (16 + terms) * 2 ** -24 * 10 * (1 + Math.abs(x));

/** With float16 textures: eight float16 roundings (u = 2⁻¹¹) of the entry's size. */
export const float16Bound = (x: number) => 8 * 2 ** -11 * (1 + Math.abs(x));

/**
 * The entries where `actual` (from webgl or wasm) disagrees with `expected`
 * (from cpu): NaN and ±Infinity must be exactly where cpu has them, finite
 * entries within `bound` of cpu's.
 */
export function disagreements(actual: Encoded, expected: Encoded, bound: (x: number) => number, label: string): string[] {
  if (actual.length !== expected.length) return [`${label}: ${actual.length} numbers, cpu has ${expected.length}`];
  return expected.flatMap((e, i) => {
    const a = actual[i]!;
    if (typeof e === 'string' || typeof a === 'string') return a === e ? [] : [`${label}[${i}]: ${a}, cpu ${e}`];
    return Math.abs(a - e) <= bound(e) ? [] : [`${label}[${i}]: ${a}, cpu ${e} (|Δ| ${Math.abs(a - e).toExponential(2)} > ${bound(e).toExponential(2)})`];
  });
}

export interface Session {
  readonly browser: Browser;
  readonly page: Page;
  /** Console errors and uncaught exceptions of the page so far. */
  readonly errors: string[];
  readonly url: string;
  close(): Promise<void>;
}

/** Builds the page files, starts Chromium and the server, and opens a test page with the harness. */
export async function startSession(chromium: string, extraScripts: readonly string[] = []): Promise<Session> {
  await buildPageFiles();
  const [browser, { url, server }] = await Promise.all([launch(chromium), serve()]);
  const { page, errors } = await openPage(browser, url, [...PAGE_SCRIPTS, ...extraScripts]);
  return {
    browser,
    page,
    errors,
    url,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}
