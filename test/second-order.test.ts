/**
 * Second-order gradients of every public function, at every reduction:
 * `tf.grad` of a gradient runs, leaves no tensor behind, and gives the
 * Hessian-vector product H·v, checked against central differences of the
 * analytic gradient along v (Richardson-extrapolated, so the difference's
 * own error is far below the bound). A backward pass built from constants,
 * whose second derivative is silently 0, fails the same check.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { publicCases } from './support/public-functions.js';
import { hessianVectorProduct, optionsAt, reductionsOf, scalarCase, type ScalarOf } from './support/second-order.js';

const BATCH = 3;
const CLASSES = 4;
/** The step of the central difference along v, and its half for Richardson's extrapolation. */
const STEP = 1e-2;

/** The analytic gradient of `f` at `xs`, as numbers per input. */
function gradientAt(f: ScalarOf, xs: readonly tf.Tensor[]): number[][] {
  return tf.tidy(() => tf.grads((...ys: tf.Tensor[]) => f(ys))([...xs]).map((g) => Array.from(g.dataSync())));
}

/** (∇f(x + h·v) − ∇f(x − h·v)) / 2h, extrapolated from h and h/2: error O(h⁴) plus float32 rounding of ∇f over h. */
function differencedHessianVectorProduct(f: ScalarOf, xs: readonly tf.Tensor[], v: readonly tf.Tensor[]): number[][] {
  const central = (h: number) => {
    const shifted = (sign: number) => {
      const moved = xs.map((x, k) => tf.add(x, tf.mul(sign * h, v[k]!)));
      const gradient = gradientAt(f, moved);
      tf.dispose(moved);
      return gradient;
    };
    const [plus, minus] = [shifted(1), shifted(-1)];
    return plus.map((g, k) => g.map((a, i) => (a - minus[k]![i]!) / (2 * h)));
  };
  const [coarse, fine] = [central(STEP), central(STEP / 2)];
  return fine.map((g, k) => g.map((a, i) => (4 * a - coarse[k]![i]!) / 3));
}

/**
 * H·v and its difference agree to 2e-3 of the largest second-order term: the
 * differenced gradients are float32 (rounding ≈ 1e-6·|∇f| each, divided by
 * h = 5e-3), far below this; the truncation error is O(h⁴).
 */
function expectSameProduct(actual: number[][], expected: number[][], label: string): void {
  const scale = Math.max(1, ...expected.flat().map(Math.abs));
  expected.forEach((g, k) =>
    g.forEach((e, i) => {
      expect(Math.abs(actual[k]![i]! - e), `${label}: input ${k}, entry ${i}: double backward ${actual[k]![i]}, difference ${e}`).toBeLessThanOrEqual(2e-3 * scale);
    }),
  );
}

describe('second-order gradients (Hessian-vector products) of every public function', () => {
  const cases = publicCases.flatMap((c) => reductionsOf(c).map((reduction) => [`${c.title}, reduction ${reduction ?? '(none: rows)'}`, c, reduction] as const));

  test.each(cases)('%s: tf.grad of its gradient gives H·v, leaving no tensor', (label, c, reduction) => {
    const { f, xs, v, dispose } = scalarCase(c, optionsAt(c, reduction), BATCH, CLASSES);
    const before = tf.memory().numTensors;
    const actual = hessianVectorProduct(f, xs, v);
    expect(tf.memory().numTensors).toBe(before);
    expectSameProduct(actual, differencedHessianVectorProduct(f, xs, v), label);
    dispose();
  });
});

describe('the check catches a wrong second derivative', () => {
  // softplus(x) summed, with a backward that reads its input's values as constants:
  // right first derivative (sigmoid), but its own derivative is 0 instead of σ(1 − σ).
  const detachedSoftplus: LossKernel<[tf.Tensor], null> = {
    forward: ([x]) => tf.softplus(x),
    backward: (dy, [x]) => [tf.mul(dy, tf.tensor(Array.from(tf.sigmoid(x).dataSync()), x.shape))],
  };
  test('a backward built from constants fails it', () => {
    const x = tf.tensor([[0.3, -1.2, 2]]);
    const v = tf.tensor([[1, -0.5, 0.25]]);
    const f: ScalarOf = ([y]) => tf.sum(applyKernel(detachedSoftplus, [y!], null));
    const actual = hessianVectorProduct(f, [x], [v]);
    expect(() => expectSameProduct(actual, differencedHessianVectorProduct(f, [x], [v]), 'detached')).toThrow();
    tf.dispose([x, v]);
  });
});
