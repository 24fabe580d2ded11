/**
 * `tf.sum` that is 0 over an empty axis on every backend.
 *
 * tfjs-backend-wasm 4.22 returns uninitialised memory (tiny garbage values)
 * for a sum over zero elements (`tf.sum(tf.zeros([0]))`), so an empty batch
 * or an empty class axis would give nonsense there.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';

/** Σ of `x` over `axis` (all axes when omitted), exactly 0 where nothing is summed. */
export function safeSum(x: Tensor, axis?: number): Tensor {
  if (x.size > 0) return tf.sum(x, axis);
  // Append one zero along the summed axis: the same sum, never over zero
  // elements, and still computed from x so that gradients reach it.
  if (axis === undefined) return tf.sum(tf.concat([tf.reshape(x, [0]), tf.zeros([1])]));
  const summed = axis < 0 ? axis + x.rank : axis;
  const zeroSlice = x.shape.map((size, i) => (i === summed ? 1 : size));
  return tf.sum(tf.concat([x, tf.zeros(zeroSlice)], summed), summed);
}
