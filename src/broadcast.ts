/**
 * Broadcasting with a gradient that is right for every shape, empty ones included.
 *
 * tfjs 4.22 gets two cases wrong: `tf.broadcastTo` returns the wrong shape
 * for a target with a 0 dimension (an empty batch), and the registered
 * gradients of `mul`/`add` do not sum a size-1 axis broadcast to size 0, so
 * `tf.grads` throws ("the gradient of input 'b' has shape '0,1', which does
 * not match the shape of the input '1,1'"). Class weights `[1, C]` against an
 * empty batch `[0, C]` hit both.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from './custom-gradient.js';
import { safeSum } from './safe-sum.js';

/**
 * Sums `g` (of a broadcast shape) back to `shape`: over the leading axes
 * `shape` lacks, and over each axis where `shape` has size 1 and `g` does not.
 */
function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  let summed = g;
  for (let axis = g.rank - 1; axis >= 0; axis--) {
    const target = axis - (g.rank - shape.length);
    if (target < 0 || (shape[target] === 1 && g.shape[axis] !== 1)) summed = tf.expandDims(safeSum(summed, axis), axis);
  }
  return tf.reshape(summed, [...shape]);
}

/** x → x broadcast to `shape`; ∂/∂x sums dy back to x's shape. */
const broadcastKernel: LossKernel<[Tensor], readonly number[]> = {
  forward([x], shape) {
    return tf.add(x, tf.zeros([...shape]));
  },
  backward(dy, [x]) {
    return [sumToShape(dy, x.shape)];
  },
};

/**
 * `x` broadcast to `shape` (numpy rules, which the caller has checked, e.g.
 * with `assertBroadcastsTo`), differentiable with respect to `x` for every
 * shape, including shapes with a 0 dimension. Use it to bring weights to the
 * shape of what they multiply, so the multiply itself never broadcasts.
 *
 * @example
 * ```ts
 * const classWeights = tf.tensor1d([1, 2, 3]);
 * tf.mul(targets, broadcastTo(classWeights, targets.shape)); // targets [batch, 3], batch may be 0
 * ```
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (tf.util.arraysEqual(x.shape, shape as number[])) return x;
  return applyKernel(broadcastKernel, [x], shape);
}
