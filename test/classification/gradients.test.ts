/**
 * checkGradients on every float input of every classification loss, with
 * options on, on rank-2 and rank-3 inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  checkGradients,
  sigmoidCrossEntropy,
  sigmoidFocalLoss,
  softmaxCrossEntropy,
  softmaxFocalLoss,
  sparseSoftmaxCrossEntropy,
} from '../../src/index.js';

// [2, 3, 4] logits and soft labels, fixed and irregular.
const logits = [
  [
    [1.2, -0.4, 0.3, 2.1],
    [0.5, 0.5, -1.5, 0.2],
    [-2, 1, 0.7, -0.3],
  ],
  [
    [0.1, 0.9, -0.8, 1.6],
    [2.5, -1.2, 0.4, 0],
    [-0.6, -0.1, 1.3, 0.8],
  ],
];
const softLabels = [
  [
    [0.1, 0.2, 0.3, 0.4],
    [0.7, 0.1, 0.1, 0.1],
    [0.25, 0.25, 0.25, 0.25],
  ],
  [
    [0, 0.5, 0.5, 0],
    [0.4, 0.3, 0.2, 0.1],
    [0.05, 0.05, 0.8, 0.1],
  ],
];
const classWeights = [0.5, 1.5, 1, 2];
const sampleWeights = [
  [1, 0.5, 2],
  [0.25, 1, 1.5],
];

// Inputs are made lazily: tensors only once the test's backend is set.
const checks: Array<[string, (...xs: tf.Tensor[]) => tf.Tensor, () => unknown[]]> = [
  [
    'softmaxCrossEntropy: labels, logits, classWeights, weights (smoothing, rank 3, reduction none)',
    (y, z, c, w) => softmaxCrossEntropy(y!, z!, { labelSmoothing: 0.2, classWeights: c!, weights: w!, reduction: 'none' }),
    () => [softLabels, logits, classWeights, sampleWeights],
  ],
  [
    'softmaxCrossEntropy on axis 1 with mean reduction',
    (y, z, c, w) => softmaxCrossEntropy(y!, z!, { axis: 1, classWeights: c!, weights: w!, labelSmoothing: 0.1 }),
    () => [
      tf.tidy(() => tf.transpose(tf.tensor3d(softLabels), [0, 2, 1]).arraySync()),
      tf.tidy(() => tf.transpose(tf.tensor3d(logits), [0, 2, 1]).arraySync()),
      [0.5, 1.5, 1, 2],
      [
        [1, 0.5, 2],
        [0.25, 1, 1.5],
      ],
    ],
  ],
  [
    'sparseSoftmaxCrossEntropy: logits, classWeights, weights (ignoreIndex, smoothing)',
    (y, z, c, w) =>
      sparseSoftmaxCrossEntropy(y!, z!, { ignoreIndex: 1, labelSmoothing: 0.15, classWeights: c!, weights: w! }),
    () => [
      tf.tensor2d([
        [3, 1, 0],
        [2, 2, 1],
      ], undefined, 'int32'),
      logits,
      classWeights,
      sampleWeights,
    ],
  ],
  [
    'sigmoidCrossEntropy: labels, logits, posWeight, weights',
    (y, z, pw, w) => sigmoidCrossEntropy(y!, z!, { posWeight: pw!, labelSmoothing: 0.1, weights: w!, reduction: 'none' }),
    () => [softLabels, logits, [1, 3, 0.5, 2], [[[1]], [[0.5]]]],
  ],
  [
    'sigmoidFocalLoss: labels, logits (γ = 1.5, α = 0.3)',
    (y, z) => sigmoidFocalLoss(y!, z!, { gamma: 1.5, alpha: 0.3, reduction: 'none' }),
    () => [softLabels, logits],
  ],
  [
    'sigmoidFocalLoss with α off and γ = 0.5',
    (y, z) => sigmoidFocalLoss(y!, z!, { gamma: 0.5, alpha: -1, reduction: 'sum' }),
    () => [softLabels, logits],
  ],
  [
    'softmaxFocalLoss: labels, logits (γ = 2, α = 0.25), weights',
    (y, z, w) => softmaxFocalLoss(y!, z!, { weights: w!, reduction: 'none' }),
    () => [softLabels, logits, sampleWeights],
  ],
  [
    'softmaxFocalLoss on axis 0 with γ = 0.7',
    (y, z) => softmaxFocalLoss(y!, z!, { axis: 0, gamma: 0.7, alpha: 1, reduction: 'none' }),
    () => [softLabels, logits],
  ],
];

describe('classification losses: checkGradients', () => {
  test.each(checks)('%s', (_name, f, makeInputs) => {
    const inputs = makeInputs();
    const result = checkGradients(f, inputs as never);
    for (const input of inputs) if (input instanceof tf.Tensor) input.dispose();
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });
});
