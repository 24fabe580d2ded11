/**
 * The entropy-rate example: its Markov-source arithmetic against chains whose
 * rate is worked out by hand, its embedding's gradient, and a --quick run
 * whose cross-entropy falls and stays above the source's entropy rate.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { embed, runEntropyRate } from '../../examples/entropy-rate.js';
import { denseSource, entropyRate, expectedCrossEntropy, groupedSource, stationaryDistribution, textReader } from '../../examples/lib/markov.js';
import { expectLossFalls, expectValidFiles, quickOptions, temporaryOutput } from '../support/examples.js';

/** The binary entropy h(x) in bits. */
const h = (x: number) => -x * Math.log2(x) - (1 - x) * Math.log2(1 - x);

describe('Markov sources (examples/lib/markov.ts)', () => {
  // 0 → 1 with probability a, 1 → 0 with probability b: π = (b, a)/(a + b), H = π0·h(a) + π1·h(b).
  const [a, b] = [0.1, 0.4];
  const twoState = denseSource([
    [1 - a, a],
    [b, 1 - b],
  ]);

  test('a two-state chain: π and the entropy rate by hand', () => {
    const pi = stationaryDistribution(twoState);
    expect(pi[0]).toBeCloseTo(b / (a + b), 12);
    expect(pi[1]).toBeCloseTo(a / (a + b), 12);
    expect(entropyRate(twoState)).toBeCloseTo((b / (a + b)) * h(a) + (a / (a + b)) * h(b), 12);
  });

  test('a periodic chain (0 → 1 → 0) has π = (1/2, 1/2) and rate 0', () => {
    const flip = denseSource([
      [0, 1],
      [1, 0],
    ]);
    expect(Array.from(stationaryDistribution(flip))).toEqual([0.5, 0.5].map((p) => expect.closeTo(p, 12)));
    expect(entropyRate(flip)).toBe(0);
  });

  test('a chain whose every row is uniform over 3 of 5 symbols has rate log2 3, whatever π is', () => {
    const rows = [[0, 1, 2], [1, 3, 4], [0, 2, 4], [2, 3, 4], [0, 1, 3]];
    const source = denseSource(rows.map((successors) => [0, 1, 2, 3, 4].map((j) => (successors.includes(j) ? 1 / 3 : 0))));
    expect(entropyRate(source)).toBeCloseTo(Math.log2(3), 12);
  });

  test('cross-entropy: the source itself scores its rate, the uniform model log2 V, another model more than the rate', () => {
    const pi = stationaryDistribution(twoState);
    const rate = entropyRate(twoState, pi);
    const log2Source = (i: number) => twoState.rows[i]!.probabilities.map(Math.log2);
    expect(expectedCrossEntropy(twoState, pi, log2Source)).toBeCloseTo(rate, 12);
    expect(expectedCrossEntropy(twoState, pi, () => Float64Array.of(-1, -1))).toBeCloseTo(1, 12);
    // q(·|i) = (0.5, 0.5) for both rows: H(p, q) − H(p) = Σ π_i D_KL(P_i ‖ uniform) = 1 − H(p) > 0.
    const other = (i: number) => Float64Array.from(i === 0 ? [0.8, 0.2] : [0.3, 0.7], Math.log2);
    const kl = (p: number, q: number) => p * Math.log2(p / q) + (1 - p) * Math.log2((1 - p) / (1 - q));
    expect(expectedCrossEntropy(twoState, pi, other)).toBeCloseTo(rate + pi[0]! * kl(1 - a, 0.8) + pi[1]! * kl(b, 0.3), 12);
  });

  test('text from the two-state chain has its transition frequencies and π', () => {
    const text = textReader(twoState, stationaryDistribution(twoState), 'test').next(100_000);
    const counts = [[0, 0], [0, 0]] as [number, number][];
    for (let t = 1; t < text.length; t++) counts[text[t - 1]!]![text[t]!]!++;
    // About 80 000 visits to 0 and 20 000 to 1: standard errors about 0.001 and 0.0035.
    expect(counts[0]![1] / (counts[0]![0] + counts[0]![1])).toBeCloseTo(a, 1.5);
    expect(counts[1]![0] / (counts[1]![0] + counts[1]![1])).toBeCloseTo(b, 1.5);
    expect(text.filter((s) => s === 0).length / text.length).toBeCloseTo(b / (a + b), 1.5);
  });

  test('the grouped source: 64 successors a row, and a rate between the Zipf law alone and log2(4 groups) more', () => {
    const source = groupedSource({ symbols: 512, groupSize: 16, successorGroups: 4, seed: 'test' });
    for (const row of source.rows) {
      expect(new Set(row.successors).size).toBe(64);
      expect(row.probabilities.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    }
    // Each row's entropy is H(its group weights) + H(Zipf over 16): between H(Zipf) and 2 + H(Zipf).
    const zipf = Array.from({ length: 16 }, (_, r) => 1 / (r + 1));
    const total = zipf.reduce((x, y) => x + y, 0);
    const zipfEntropy = -zipf.reduce((sum, z) => sum + (z / total) * Math.log2(z / total), 0);
    const rate = entropyRate(source);
    expect(rate).toBeGreaterThan(zipfEntropy);
    expect(rate).toBeLessThan(zipfEntropy + 2);
  });
});

describe('the entropy-rate example', () => {
  test("embed's gradient sums the rows of repeated indices, as a one-hot product's does", () => {
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const indices = tf.tensor1d([2, 0, 2, 2], 'int32');
    const upstream = tf.tensor2d([[1, 10], [2, 20], [3, 30], [4, 40]]);
    const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embed(t, indices), upstream)))(table);
    expect(gradient.arraySync()).toEqual([[2, 20], [0, 0], [8, 80]]);
    expect(embed(table, indices).arraySync()).toEqual([[5, 6], [1, 2], [5, 6], [5, 6]]);
    tf.dispose([table, indices, upstream, gradient]);
  });

  const out = temporaryOutput();

  test('--quick: the cross-entropy falls well below log2 V, stays above the entropy rate, and matches a measurement on fresh text', async () => {
    const options = await quickOptions(out);
    const tensorsBefore = tf.memory().numTensors;
    const result = await runEntropyRate(options);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.summary).toMatch(/^entropy-rate: cross-entropy \d+\.\d\d bits\/symbol against the source's entropy rate \d+\.\d\d, gap \(KL\) \d+\.\d\d$/);
    expectLossFalls(result);
    expectValidFiles(out, result);
    const crossEntropy = Number(result.figures['model cross-entropy H(p, q), bits/symbol']);
    const rate = Number(result.figures['entropy rate H(p), bits/symbol']);
    // Computed exactly from the model's conditional distributions, H(p, q) = H(p) + D_KL ≥ H(p): no sampling tolerance.
    expect(crossEntropy).toBeGreaterThan(rate);
    expect(crossEntropy).toBeLessThan(Number(result.figures['log2 V, bits']) - 1);
    // The exact value is what the model scores on fresh text: a per-symbol loss's standard deviation is about 2 bits
    // here, so on 5000 symbols the sampled mean is within about 0.03 of it (0.15 is five of those).
    expect(Number(result.figures['fresh text for that, symbols'])).toBe(5000);
    expect(Math.abs(Number(result.figures['cross-entropy on fresh text, bits/symbol']) - crossEntropy)).toBeLessThan(0.15);
  }, 60_000);
});
