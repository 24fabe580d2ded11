/**
 * The contrastive example in --quick mode: it finishes, its infoNCE falls
 * below the chance level log N, both probes score above chance, it writes
 * valid plots; its augmentation is checked on its own, the same seed giving
 * the same views (a second --quick run to compare would double the time).
 */
import seedrandom from 'seedrandom';
import { describe, expect, test } from 'vitest';
import { augmentedViews, runContrastive } from '../../examples/contrastive.js';
import type { ExampleResult } from '../../examples/lib/gallery.js';
import { IMAGE_SIZE } from '../../examples/mnist.js';
import { expectLossFalls, expectValidFiles, quickOptions, temporaryOutput } from '../support/examples.js';

const out = temporaryOutput();
const SUMMARY = /^contrastive: linear probe test accuracy (\d\.\d{3}) on the infoNCE encoder, (\d\.\d{3}) on a random encoder \(250 images\)$/;

/** The two accuracies the summary line reports: the infoNCE encoder's probe, then the random encoder's. */
function accuracies(result: ExampleResult): [number, number] {
  const match = SUMMARY.exec(result.summary);
  expect(match, result.summary).not.toBeNull();
  return [Number(match![1]), Number(match![2])];
}

describe('contrastive (--quick)', () => {
  test('its infoNCE falls below chance, both probes beat chance, and it writes its plots', async () => {
    const result = await runContrastive(await quickOptions(out));
    expectLossFalls(result);
    // In-batch infoNCE at chance is log(batch size), and --quick trains on batches of 64: below it, the encoder tells views apart.
    expect(result.lossHistory.at(-1)!).toBeLessThan(Math.log(64));
    for (const accuracy of accuracies(result)) {
      expect(accuracy).toBeGreaterThan(0.1); // ten digits: 0.1 is guessing
      expect(accuracy).toBeLessThanOrEqual(1);
    }
    expectValidFiles(out, result);
    expect(result.plots.map((p) => p.file)).toEqual(['contrastive-loss.svg', 'contrastive-embeddings.svg']);
  }, 60_000);

  test('a view is the digit shifted by at most two pixels each way plus noise, clipped to [0, 1], and the same seed gives the same view', () => {
    // A white 8×8 square, rows and columns 10 to 17, on black.
    const digit = new Float32Array(IMAGE_SIZE).map((_, i) => (Math.abs(Math.floor(i / 28) - 13.5) < 4 && Math.abs((i % 28) - 13.5) < 4 ? 1 : 0));
    expect(augmentedViews(digit, seedrandom('a'))).toEqual(augmentedViews(digit, seedrandom('a')));
    expect(augmentedViews(digit, seedrandom('a'))).not.toEqual(augmentedViews(digit, seedrandom('b')));
    const positions = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      const view = augmentedViews(digit, seedrandom(String(seed)));
      expect(Math.min(...view)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...view)).toBeLessThanOrEqual(1);
      // The square's rows and columns average 8/28 ≈ 0.29 but for the noise, the others 0 but for it.
      const rows = brightLines(view, (line, k) => line * 28 + k);
      const columns = brightLines(view, (line, k) => k * 28 + line);
      for (const lines of [rows, columns]) {
        expect(lines).toEqual(Array.from({ length: 8 }, (_, k) => lines[0]! + k));
        expect(Math.abs(lines[0]! - 10)).toBeLessThanOrEqual(2);
      }
      positions.add(`${rows[0]},${columns[0]}`);
    }
    expect(positions.size).toBeGreaterThan(5); // the square does move, both ways
  });
});

/** The rows (or columns) of a 28×28 image whose mean is above 0.2; `pixel(line, k)` is the index of the k-th pixel of a line. */
function brightLines(image: Float32Array, pixel: (line: number, k: number) => number): number[] {
  const mean = (line: number) => Array.from({ length: 28 }, (_, k) => image[pixel(line, k)]!).reduce((a, b) => a + b, 0) / 28;
  return Array.from({ length: 28 }, (_, line) => line).filter((line) => mean(line) > 0.2);
}
