/**
 * Fused kernels: a loss core as one tfjs kernel per backend instead of a
 * composite of tfjs ops, and the switch that turns them off.
 *
 * A fused op is a set of tfjs kernels (a forward and its backward kernels,
 * for cpu, wasm and webgl) and gradient configs, registered with tfjs the
 * first time the op runs. {@link runFused} runs the forward kernel through
 * `tf.engine().runKernel`, so tfjs records it on the tape and its registered
 * gradient runs the backward kernels. On a backend without the kernel
 * (webgpu, tfjs-node), or with the flag off, it returns `undefined` and the
 * loss takes its composite path, which gives the same values.
 *
 * The flag: `tf.env().set('ENTROPY_FUSED_KERNELS', false)` turns every fused
 * kernel off (default on).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, NamedAttrMap, NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';

/** The tfjs environment flag that turns the fused kernels on (default) or off. */
export const FUSED_KERNELS_FLAG = 'ENTROPY_FUSED_KERNELS';

/** Registers the flag once, even when two builds of this package are loaded (ESM and CommonJS). */
function registerFlag(): void {
  try {
    tf.env().get(FUSED_KERNELS_FLAG);
  } catch {
    tf.env().registerFlag(FUSED_KERNELS_FLAG, () => true);
  }
}
registerFlag();

/** A fused op: its kernels for every backend that has them, and the gradients of its forward kernels. */
export interface FusedOp {
  readonly kernels: readonly KernelConfig[];
  readonly gradients: readonly GradConfig[];
  /** Whether the kernels of `backendName` take these inputs (default: they take any); the composite path runs otherwise. */
  readonly accepts?: (backendName: string, inputs: NamedTensorMap, attrs: object) => boolean;
}

const registeredOps = new WeakSet<FusedOp>();

/** Registers what another copy of this package has not registered already. */
function register(op: FusedOp): void {
  if (registeredOps.has(op)) return;
  for (const kernel of op.kernels) {
    if (tf.getKernel(kernel.kernelName, kernel.backendName) === undefined) tf.registerKernel(kernel);
  }
  for (const gradient of op.gradients) {
    if (tf.getGradient(gradient.kernelName) === undefined) tf.registerGradient(gradient);
  }
  registeredOps.add(op);
}

/** Whether the fused kernels are on (the {@link FUSED_KERNELS_FLAG}). */
export function fusedKernelsOn(): boolean {
  return tf.env().getBool(FUSED_KERNELS_FLAG);
}

/**
 * Whether a gradient being recorded will itself be differentiated: a call
 * made while two or more tapes record (`tf.grad` inside `tf.grad`) has its
 * backward pass recorded by the outer one. The backward kernels have no
 * gradients of their own, so such a call takes the composite path, whose
 * backward is built from differentiable ops.
 */
function gradientWillBeDifferentiated(): boolean {
  return tf.engine().state.gradientDepth > 1;
}

/**
 * Runs kernel `kernelName` of `op` on the current backend and returns its
 * outputs; `undefined` when the flag is off, the backend has no such
 * kernel, or the gradient will be differentiated again, for the caller's
 * composite path.
 */
export function runFused(op: FusedOp, kernelName: string, inputs: NamedTensorMap, attrs: object): Tensor[] | undefined {
  if (!fusedKernelsOn() || gradientWillBeDifferentiated()) return undefined;
  register(op);
  const backendName = tf.getBackend();
  if (tf.getKernel(kernelName, backendName) === undefined || op.accepts?.(backendName, inputs, attrs) === false) return undefined;
  const outputs = tf.engine().runKernel(kernelName, inputs, attrs as NamedAttrMap) as Tensor | Tensor[];
  return Array.isArray(outputs) ? outputs : [outputs];
}

/** Runs a backward kernel of an op already registered (from a gradient function). */
export function runBackward(kernelName: string, inputs: NamedTensorMap, attrs: object): Tensor {
  const outputs = tf.engine().runKernel(kernelName, inputs, attrs as NamedAttrMap) as Tensor | Tensor[];
  return Array.isArray(outputs) ? outputs[0]! : outputs;
}
