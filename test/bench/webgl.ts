/**
 * The bench's webgl part: test/bench/cases.ts bundled into a page of
 * headless Chromium (WebGL2 on SwiftShader where @sparticuz/chromium runs),
 * which loads tfjs and this package's script-tag build as users do.
 */
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { chromiumPath, libraryFromGlobal, outDir, root, startSession } from '../browser/support/page.js';
import { tfjsFromGlobal } from '../../tsup.config.js';
import type { Results } from './run.js';

declare global {
  interface Window {
    bench: typeof import('./page.js');
  }
}

/** Every loss at every shape on webgl, or why it could not run. */
export async function webglBench(shapes: ReadonlyArray<readonly [number, number]>, runs: number, losses: readonly string[]): Promise<{ results: Results; renderer: string } | { reason: string }> {
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
    return await session.page.evaluate(({ shapes, runs, losses }) => window.bench.runAll(shapes, runs, losses), {
      shapes: shapes.map((s) => [...s] as [number, number]),
      runs,
      losses: [...losses],
    });
  } finally {
    await session.close();
  }
}
