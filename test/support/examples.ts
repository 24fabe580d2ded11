/**
 * What every example test needs: the examples' options in --quick mode,
 * writing into a temporary folder, and a check that the plots an example
 * reports are valid files shown in the gallery.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, expect } from 'vitest';
import { exampleOptions, type ExampleOptions } from '../../examples/lib/cli.js';
import type { ExampleResult } from '../../examples/lib/gallery.js';

/** A fresh output folder for this test file, removed after its tests. */
export function temporaryOutput(): string {
  const out = mkdtempSync(join(tmpdir(), 'tfjs-entropy-examples-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  return out;
}

/** The --quick options on this project's backend, writing into `out`; `extra` flags come after. */
export function quickOptions(out: string, ...extra: string[]): Promise<ExampleOptions> {
  return exampleOptions(['--quick', '--out', out, '--backend', process.env['TFJS_BACKEND'] ?? 'cpu', ...extra]);
}

/** Each plot is a well-formed SVG (no NaN or undefined in it) or a non-empty PNG, linked from the gallery. */
export function expectValidFiles(out: string, result: ExampleResult): void {
  for (const plot of result.plots) {
    const path = join(out, plot.file);
    if (plot.file.endsWith('.svg')) {
      const svg = readFileSync(path, 'utf8');
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), plot.file).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>'), plot.file).toBe(true);
      expect(svg).not.toMatch(/NaN|undefined/);
    } else {
      const png = PNG.sync.read(readFileSync(path));
      expect(png.width * png.height, plot.file).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain(`src="${plot.file}"`);
  }
}

/** The example's loss history has at least two entries and ends below where it began. */
export function expectLossFalls(result: ExampleResult): void {
  expect(result.lossHistory.length).toBeGreaterThanOrEqual(2);
  expect(result.lossHistory.at(-1)!).toBeLessThan(result.lossHistory[0]!);
}
