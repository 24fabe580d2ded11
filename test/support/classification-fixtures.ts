/**
 * Fixed inputs of the classification-loss tests (test/losses/), and readers
 * of a loss's value and logit gradient as plain arrays.
 */
import * as tf from '@tensorflow/tfjs';

/** [2, 3] logits and one-hot labels. */
export const z23 = [
  [2, 1, 0.1],
  [0.5, 2.5, 0.3],
];
export const y23 = [
  [1, 0, 0],
  [0, 1, 0],
];

// [2, 3, 4] logits and soft labels, fixed and irregular.
export const logits234 = [
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
export const softLabels234 = [
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
export const classWeights4 = [0.5, 1.5, 1, 2];
export const sampleWeights23 = [
  [1, 0.5, 2],
  [0.25, 1, 1.5],
];

/** Value and logit gradient of a loss of (labels, logits), as plain arrays. */
export function valueAndLogitGradient(f: (z: tf.Tensor) => tf.Tensor, logits: number[][]) {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(logits));
    return { value: Array.from(value.dataSync()), grad: Array.from(grad.dataSync()) };
  });
}

/** The first value and the gradient of a loss of logits `z`. */
export const valueAndGradient = (f: (z: tf.Tensor) => tf.Tensor, z: number[][]) =>
  tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(z));
    return [value.dataSync()[0], Array.from(grad.dataSync())] as const;
  });

/** `logits` with every entry whose row and column indices sum to an even number replaced by `extreme`. */
export const withExtremes = (logits: number[][], extreme: number) =>
  logits.map((row, r) => row.map((z, k) => ((r + k) % 2 === 0 ? extreme : z)));
