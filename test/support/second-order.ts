/**
 * Second-order gradients of a registry case: the case as a scalar of its
 * differentiated inputs, and its Hessian-vector product by double backward
 * (`tf.grad` of ⟨∇f, v⟩). test/second-order.test.ts checks it against
 * differenced gradients; the webgl suite against cpu.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { inputShape, toInputs, type Options, type PublicCase } from './public-functions.js';

/** A scalar function of the differentiated inputs. */
export type ScalarOf = (xs: tf.Tensor[]) => tf.Tensor;

/** H·v by double backward: the gradient of ⟨∇f(x), v⟩, as numbers per input (0 where the gradient does not depend on an input). */
export function hessianVectorProduct(f: ScalarOf, xs: readonly tf.Tensor[], v: readonly tf.Tensor[]): number[][] {
  return tf.tidy(() => {
    const directional = () => {
      const gradients = tf.grads((...zs: tf.Tensor[]) => f(zs))([...xs]);
      return tf.addN(gradients.map((g, k) => tf.sum(tf.mul(g, v[k]!))));
    };
    // A loss linear in an input has a gradient that does not depend on it: no second derivative, 0.
    const { grads } = tf.engine().gradients(directional, [...xs], undefined, true);
    return xs.map((x, k) => Array.from((grads[k] ?? tf.zerosLike(x)).dataSync()));
  });
}

/**
 * The case at ordinary inputs `[batch, classes]` (seeded by its title and
 * options) as Σ r·f(x) with a fixed random cotangent r, its differentiated
 * inputs, a random direction v, and how to dispose of them.
 */
export function scalarCase(c: PublicCase, options: Options, batch: number, classes: number) {
  const random = seedrandom(`${c.title} ${JSON.stringify(options)}`);
  const raw = c.inputs(batch, classes, random);
  const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [batch, classes], options)));
  const xs = c.differentiable.map((i) => inputs[i]!);
  const outputShape = tf.tidy(() => c.call(inputs, options).shape);
  const cotangent = tf.tensor(Array.from({ length: outputShape.reduce((a, b) => a * b, 1) }, () => random() - 0.5), outputShape);
  const v = xs.map((x) => tf.tensor(Array.from({ length: x.size }, () => 2 * random() - 1), x.shape));
  const f: ScalarOf = (ys) => tf.sum(tf.mul(cotangent, c.call(inputs.map((x, i) => (c.differentiable.includes(i) ? ys[c.differentiable.indexOf(i)]! : x)), options)));
  return { f, xs, v, dispose: () => tf.dispose([...inputs, cotangent, ...v]) };
}

/** The reductions a case takes: all three where its invalid options name `reduction`, else its one output. */
export const reductionsOf = (c: PublicCase): Array<'none' | 'sum' | 'mean' | undefined> =>
  c.invalidOptions(2).some((o) => 'reduction' in o) ? ['none', 'sum', 'mean'] : [undefined];

/** The case's fixed options at `reduction` (gaussianKL's freeBits floors the batch mean: it takes 'mean' only). */
export function optionsAt(c: PublicCase, reduction: 'none' | 'sum' | 'mean' | undefined): Options {
  const fixed = reduction === 'mean' ? c.fixedOptions : Object.fromEntries(Object.entries(c.fixedOptions).filter(([key]) => key !== 'freeBits'));
  return { ...fixed, ...(reduction === undefined ? {} : { reduction }) };
}
