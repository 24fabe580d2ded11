/** Comparing a tfjs loss with its float64 reference, value and gradients. */
import * as tf from '@tensorflow/tfjs';
import { numericGradient64 } from './classification-reference.js';
import { expectWithinFloat32 } from './float32.js';

/**
 * Compares the tfjs loss with the float64 reference: the value, and the
 * gradient (weighted by a fixed dy for 'none') with respect to each float input.
 */
export function compareWithReference(
  ours: (...inputs: tf.Tensor[]) => tf.Tensor,
  reference: (...inputs: number[][]) => number | number[],
  inputs: Array<{ values: number[]; shape: number[] }>,
  scale: number,
  terms: number,
) {
  const expectedValue = reference(...inputs.map((x) => x.values));
  const expectedFlat = typeof expectedValue === 'number' ? [expectedValue] : expectedValue;
  const dy = expectedFlat.map((_, i) => Math.fround(1 - 0.3 * (i % 3)));
  const [value, gradients] = tf.tidy(() => {
    const tensors = inputs.map((x) => tf.tensor(x.values, x.shape));
    const out = ours(...tensors);
    const grads = tf.grads((...xs: tf.Tensor[]) => ours(...xs))(tensors, tf.tensor(dy, out.shape));
    return [Array.from(out.dataSync()), grads.map((g) => Array.from(g.dataSync()))] as const;
  });
  expectWithinFloat32(value, expectedFlat, { scale, terms, label: 'value' });
  inputs.forEach((x, i) => {
    const expected = numericGradient64((v) => reference(...inputs.map((y, j) => (j === i ? v : y.values))), x.values, dy);
    // The float64 central difference's own error (~1e-10·|f|) is far below the float32 bound.
    expectWithinFloat32(gradients[i]!, expected, { scale, terms, label: `gradient ${i}` });
  });
}

