/**
 * The bench's webgl part: test/bench/cases.ts and linear.ts bundled into a page of
 * headless Chromium (WebGL2 on SwiftShader where @sparticuz/chromium runs),
 * which loads tfjs and this package's script-tag build as users do.
 */
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { chromiumPath, libraryFromGlobal, outDir, root, startSession, type Session } from '../browser/support/page.js';
import { tfjsFromGlobal } from '../../tsup.config.js';
import type { Results } from './run.js';

declare global {
  interface Window {
    bench: typeof import('./page.js');
  }
}

/** Runs `f` in a page of headless Chromium holding the bench (window.bench), or says why there is none. */
async function inBenchPage<T>(f: (page: Session['page']) => Promise<T>): Promise<T | { reason: string }> {
  const chromium = await chromiumPath();
  if ('reason' in chromium) return chromium;
  await esbuild({
    entryPoints: [join(root, 'test/bench/page.ts')],
    outfile: join(outDir, 'bench.js'),
    bundle: true,
    format: 'iife',
    globalName: 'bench',
    platform: 'browser',
    target: 'es2020',
    plugins: [tfjsFromGlobal, libraryFromGlobal],
    logLevel: 'error',
  });
  const session = await startSession(chromium.path, ['/test-results/browser/bench.js']);
  try {
    await session.page.evaluate('window.__name = (f) => f');
    return await f(session.page);
  } finally {
    await session.close();
  }
}

/** Every loss at every shape on webgl, or why it could not run. */
export async function webglBench(shapes: ReadonlyArray<readonly [number, number]>, runs: number, losses: readonly string[]): Promise<{ results: Results; renderer: string } | { reason: string }> {
  return inBenchPage((page) =>
    page.evaluate(({ shapes, runs, losses }) => window.bench.runAll(shapes, runs, losses), {
      shapes: shapes.map((s) => [...s] as [number, number]),
      runs,
      losses: [...losses],
    }),
  );
}

/** linearCrossEntropy against the materialised logits on webgl, within the texture limit and just beyond it (test/bench/page.ts). */
export async function webglLinearBench(rows: number, features: number, classes: number, runs: number, beyondLimit: boolean) {
  return inBenchPage((page) => page.evaluate((args) => window.bench.runLinear(...args), [rows, features, classes, runs, beyondLimit] as [number, number, number, number, boolean]));
}
