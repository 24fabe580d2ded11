/**
 * The one way every loss core in this package becomes a differentiable tfjs op.
 *
 * A loss family in `losses/` describes its core as a {@link LossKernel}: the
 * forward formula and its analytic gradient, side by side. Validation and
 * reduction stay in the public function; only the kernel is handed to
 * {@link applyKernel}. A fused backend kernel can later take over a
 * kernel's forward and backward here, in one place, without touching
 * any loss's validation or reduction.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor } from '@tensorflow/tfjs-core';

/**
 * The forward formula of a loss core and its hand-written gradient.
 *
 * @typeParam Inputs - the tensor inputs, as a tuple (`[p, q]`).
 * @typeParam Attrs - non-tensor parameters (axis, log base, …) that both
 *   passes read.
 */
export interface LossKernel<Inputs extends readonly Tensor[], Attrs> {
  /**
   * Computes the value. Runs unrecorded (nothing here is differentiated by
   * autodiff), so masks built with `tf.equal` & co. are safe.
   */
  forward(inputs: Inputs, attrs: Attrs): Tensor;
  /**
   * Returns `dy · ∂value/∂inputs[i]` for every input, in order, each of that
   * input's shape.
   */
  backward(dy: Tensor, inputs: Inputs, attrs: Attrs): { [K in keyof Inputs]: Tensor };
}

/**
 * Runs `kernel` on `inputs` as one tfjs op whose gradient is
 * `kernel.backward`, via `tf.customGrad`.
 *
 * The inputs are saved for the backward pass only while a
 * gradient is being recorded (tfjs drops `save` otherwise), so a forward-only
 * call allocates nothing beyond its result.
 */
export function applyKernel<Inputs extends readonly Tensor[], Attrs>(
  kernel: LossKernel<Inputs, Attrs>,
  inputs: Inputs,
  attrs: Attrs,
): Tensor {
  const inputCount = inputs.length;
  const op = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
    const save = args[inputCount] as GradSaveFunc;
    const xs = args.slice(0, inputCount) as unknown as Inputs;
    const value = kernel.forward(xs, attrs);
    save([...xs]);
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]): Tensor[] => [
        ...kernel.backward(dy, saved as unknown as Inputs, attrs),
      ],
    };
  });
  return op(...inputs);
}
