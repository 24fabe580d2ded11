/**
 * Finite-difference checks of every float input of every measure, and the
 * gradients the 0·log 0 convention promises where finite differences cannot
 * reach (an entry exactly at 0).
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { checkGradients, crossEntropy, entropy, jsDivergence, klDivergence } from '../../src/index.js';

const measures = {
  entropy: (p: tf.Tensor, _q: tf.Tensor, options = {}) => entropy(p, options),
  crossEntropy,
  klDivergence,
  jsDivergence,
};

// Interior points only: every entry ≥ 0.05, so x ± step (1e-2) stays positive.
const interiorDistribution = (classes: number) =>
  fc
    .array(fc.integer({ min: 50, max: 1000 }), { minLength: classes, maxLength: classes })
    .map((w) => w.map((x) => x / w.reduce((a, b) => a + b, 0)))
    .filter((p) => p.every((x) => x >= 0.05));
const interiorPair = fc.integer({ min: 2, max: 5 }).chain((classes) =>
  fc.tuple(
    fc.array(interiorDistribution(classes), { minLength: 1, maxLength: 3 }),
    fc.array(interiorDistribution(classes), { minLength: 3, maxLength: 3 }),
  ),
);

describe.each(Object.entries(measures))('%s: checkGradients', (name, op) => {
  const inputCount = name === 'entropy' ? 1 : 2;

  test.prop([interiorPair, fc.constantFrom(Math.E, 2), fc.boolean()], { numRuns: 15 })(
    'analytic gradient of every input matches central differences',
    ([pRows, qRows], base, classesFirst) => {
      const q = qRows.slice(0, pRows.length);
      const layout = (rows: number[][]) => (classesFirst ? tf.transpose(tf.tensor2d(rows)) : tf.tensor2d(rows));
      const inputs = [layout(pRows), layout(q)].slice(0, inputCount);
      const options = { axis: classesFirst ? 0 : 1, base };
      const result = checkGradients((a, b) => op(a!, b!, options), inputs);
      tf.dispose(inputs);
      expect(result.ok, JSON.stringify(result)).toBe(true);
    },
  );
});

describe('gradients at p = 0 follow the convention φ′(0) = 0', () => {
  // Gradients w.r.t. p and q, or w.r.t. p alone when f takes one argument.
  const gradientsAt = (f: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor, p: number[], q: number[]) =>
    tf.tidy(() => {
      const inputs = [tf.tensor1d(p), tf.tensor1d(q)].slice(0, f.length);
      return tf.grads(f)(inputs).map((g) => Array.from(g.dataSync()));
    });

  test('entropy: 0 at p = 0, −(log p + 1) elsewhere', () => {
    const [dp] = gradientsAt((p) => entropy(p), [0, 0.25, 0.75], [1, 1, 1]);
    expect(dp![0]! + 0).toBe(0);
    expect(dp![1]).toBeCloseTo(-(Math.log(0.25) + 1), 6);
  });

  test('crossEntropy: ∂/∂q = 0 where p = 0, even at q = 0; ∂/∂p = 0 where p = q = 0', () => {
    const [dp, dq] = gradientsAt((p, q) => crossEntropy(p, q), [0, 0.5, 0.5], [0, 0.5, 0.5]);
    expect(dq!.map((g) => g + 0)).toEqual([0, -1, -1]); // + 0 folds −0 into 0
    expect(dp![0]! + 0).toBe(0);
    expect(dp![1]).toBeCloseTo(Math.log(2), 6);
  });

  test('p > 0 against q = 0: value +Infinity, ∂/∂q = −Infinity, ∂/∂p = +Infinity (honest, not NaN)', () => {
    const p = [0.5, 0.5];
    const q = [1, 0];
    for (const f of [crossEntropy, klDivergence]) {
      expect(tf.tidy(() => f(p, q).dataSync()[0])).toBe(Infinity);
      const [dp, dq] = gradientsAt((a, b) => f(a, b), p, q);
      expect(dp![1]).toBe(Infinity);
      expect(dq![1]).toBe(-Infinity);
    }
  });

  test('a softmax upstream of an empty class gets a finite gradient (no Infinity·0 = NaN)', () => {
    const logits = tf.tensor1d([0, 0, -200]); // softmax = [0.5, 0.5, 0] in float32
    const target = tf.tensor1d([0.5, 0.5, 0]);
    for (const f of [crossEntropy, klDivergence, jsDivergence]) {
      const grad = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => f(tf.softmax(z), target))(logits).dataSync()));
      expect(grad.every(Number.isFinite), `${f.name}: ${grad}`).toBe(true);
    }
    tf.dispose([logits, target]);
  });

  test('klDivergence: ∂/∂p = −log q at p = 0, so ∇H(p,q) = ∇H(p) + ∇KL holds there too', () => {
    const p = [0, 0.3, 0.7];
    const q = [0.2, 0.2, 0.6];
    const [dpKL, dqKL] = gradientsAt((a, b) => klDivergence(a, b), p, q);
    const [dpH] = gradientsAt((a) => entropy(a), p, q);
    const [dpCE, dqCE] = gradientsAt((a, b) => crossEntropy(a, b), p, q);
    expect(dpKL![0]).toBeCloseTo(-Math.log(0.2), 6);
    dpCE!.forEach((g, i) => expect(g).toBeCloseTo(dpH![i]! + dpKL![i]!, 5));
    dqCE!.forEach((g, i) => expect(g).toBeCloseTo(dqKL![i]!, 6));
    expect(dqKL![0]! + 0).toBe(0);
  });

  test('jsDivergence: finite everywhere, −(log m + 1)/2 at p = 0 < q', () => {
    const [dp, dq] = gradientsAt((p, q) => jsDivergence(p, q), [0, 1], [1, 0]);
    expect(dp![0]).toBeCloseTo(-(Math.log(0.5) + 1) / 2, 6);
    expect(dq![1]).toBeCloseTo(-(Math.log(0.5) + 1) / 2, 6);
    expect([...dp!, ...dq!].every(Number.isFinite)).toBe(true);
  });

  test('no NaN in any value or gradient when p and q share zeros', () => {
    const p = [0, 0, 1];
    const q = [0, 0.5, 0.5];
    for (const f of Object.values(measures)) {
      const values = tf.tidy(() => Array.from(f(tf.tensor1d(p), tf.tensor1d(q), {}).dataSync()));
      const grads = gradientsAt(f === measures.entropy ? (a) => entropy(a) : (a, b) => f(a, b, {}), p, q).flat();
      expect([...values, ...grads].some(Number.isNaN)).toBe(false);
    }
  });
});
