/** checkGradients on every float input of every generative regulariser and continuous measure. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  bernoulliKL,
  categoricalKL,
  checkGradients,
  distillationLoss,
  gaussianCrossEntropy,
  gaussianEntropy,
  gaussianKL,
  monteCarloKL,
} from '../../src/index.js';

// [2, 3, 2] inputs: rank 3, irregular values.
const a = [
  [
    [0.3, -0.2],
    [1, 0.5],
    [-0.7, 0.1],
  ],
  [
    [0.2, 0.9],
    [-1.1, 0.4],
    [0.6, -0.3],
  ],
];
const b = [
  [
    [0.1, 0.4],
    [-0.3, 0.2],
    [0.5, -0.6],
  ],
  [
    [0.8, -0.2],
    [0.3, 0.3],
    [-0.4, 1.2],
  ],
];
const c = a.map((m) => m.map((row) => row.map((x) => x / 2 + 0.1)));
const d = b.map((m) => m.map((row) => row.map((x) => -x + 0.2)));

const checks: Array<[string, (...xs: tf.Tensor[]) => tf.Tensor, () => unknown[]]> = [
  ['gaussianEntropy: mean, logVar', (m, v) => gaussianEntropy(m!, v!, { base: 2 }), () => [a, b]],
  ['gaussianCrossEntropy: all four', (...xs) => gaussianCrossEntropy(xs[0]!, xs[1]!, xs[2]!, xs[3]!), () => [a, b, c, d]],
  [
    'gaussianKL: mean, logVar, full-shape tensor priors',
    (...xs) => gaussianKL(xs[0]!, xs[1]!, { priorMean: xs[2]!, priorLogVar: xs[3]!, reduction: 'none' }),
    () => [a, b, c, d],
  ],
  [
    'gaussianKL: [D] priors broadcast, mean reduction',
    (...xs) => gaussianKL(xs[0]!, xs[1]!, { priorMean: xs[2]!, priorLogVar: xs[3]! }),
    () => [a, b, [0.5, -0.5], [0.3, -0.2]],
  ],
  ['gaussianKL with free bits', (m, v) => gaussianKL(m!, v!, { freeBits: 0.3 }), () => [a, b]],
  ['monteCarloKL k1', (p, q) => monteCarloKL(p!, q!, { estimator: 'k1', reduction: 'none' }), () => [a, b]],
  ['monteCarloKL k2', (p, q) => monteCarloKL(p!, q!, { estimator: 'k2', reduction: 'none' }), () => [a, b]],
  ['monteCarloKL k3', (p, q) => monteCarloKL(p!, q!, { estimator: 'k3', reduction: 'sum' }), () => [a, b]],
  ['categoricalKL at T = 2 on axis 1', (p, q) => categoricalKL(p!, q!, { axis: 1, temperature: 2, reduction: 'none' }), () => [a, b]],
  ['bernoulliKL', (p, q) => bernoulliKL(p!, q!, { reduction: 'none' }), () => [a, b]],
  ['distillationLoss without labels, T = 3', (t, s) => distillationLoss(t!, s!, { temperature: 3, reduction: 'none' }), () => [a, b]],
  [
    'distillationLoss with soft labels (labels, teacher and student)',
    (t, s, y) => distillationLoss(t!, s!, { temperature: 2, labels: y!, alpha: 0.3, reduction: 'none' }),
    () => [a, b, [[[0.3, 0.7], [1, 0], [0.5, 0.5]], [[0, 1], [0.2, 0.8], [0.9, 0.1]]]],
  ],
  [
    'distillationLoss with class indices',
    (t, s, y) => distillationLoss(t!, s!, { temperature: 2, labels: y!, alpha: 0.6 }),
    () => [a, b, tf.tensor2d([[0, 1, 1], [1, 0, 1]], undefined, 'int32')],
  ],
];

describe('generative regularisers: checkGradients', () => {
  test.each(checks)('%s', (_name, f, makeInputs) => {
    const inputs = makeInputs();
    const result = checkGradients(f, inputs as never);
    for (const input of inputs) if (input instanceof tf.Tensor) input.dispose();
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });
});
