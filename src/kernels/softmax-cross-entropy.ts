/**
 * Softmax cross-entropy fused: one forward kernel and three backward
 * kernels (∂/∂logits, ∂/∂labels, ∂/∂class weights) for every option of
 * `softmaxCrossEntropy` and `sparseSoftmaxCrossEntropy`: one-hot, soft or
 * class-index labels, label smoothing ε, class weights c, an ignored index,
 * the classes on any axis.
 *
 * Per sample, with targets t_k = c_k·((1 − ε)·y_k + ε/C) (y one-hot for class
 * indices, t = 0 for an ignored sample), L = log Σ_j exp z_j and the z-loss
 * weight w (0 for an ignored sample):
 *   l = Σ_k t_k·(L − z_k) + w·L²,
 *   ∂l/∂z_k = softmax(z)_k·(Σ_j t_j + 2w·L) − t_k,
 *   ∂l/∂y_k = −(1 − ε)·c_k·log softmax(z)_k,
 *   ∂l/∂c_k = −((1 − ε)·y_k + ε/C)·log softmax(z)_k.
 * The forward keeps each sample's max m and log Σ exp(z − m) (two numbers
 * per sample, not the [N, C] log-probabilities; L = m + log Σ exp(z − m)),
 * and Σ_k t_k; the backward reads them instead of reducing the logits again. Every sum runs in
 * float64 (JavaScript numbers); log softmax is (z − m) − log Σ exp(z − m),
 * as the composite path computes it, so no exp overflows.
 *
 * This file holds the loops over typed arrays (cpu and wasm) and the
 * gradient; softmax-cross-entropy.webgl.ts holds the webgl programs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { cpuKernel, wasmKernel, type ArrayInput, type ArrayKernel } from './array-kernel.js';
import { classLayout, perSampleShape, sampleBase } from './class-layout.js';
import { runBackward, type FusedOp } from './fused.js';
import { webglSoftmaxCrossEntropyKernels, webglTakes } from './softmax-cross-entropy.webgl.js';

export const SOFTMAX_CROSS_ENTROPY = 'EntropySoftmaxCrossEntropy';
export const SOFTMAX_CROSS_ENTROPY_GRAD_LOGITS = 'EntropySoftmaxCrossEntropyGradLogits';
export const SOFTMAX_CROSS_ENTROPY_GRAD_LABELS = 'EntropySoftmaxCrossEntropyGradLabels';
export const SOFTMAX_CROSS_ENTROPY_GRAD_CLASS_WEIGHTS = 'EntropySoftmaxCrossEntropyGradClassWeights';

/**
 * The kernels' attributes. `labels` are float32 of the logits' shape
 * (dense), or int32 class indices of the logits' shape without its last
 * axis (`sparse`, classes last); `classWeights` is always given, `[C]`.
 */
export interface SoftmaxCrossEntropyAttrs {
  /** The class axis, non-negative. */
  readonly axis: number;
  readonly labelSmoothing: number;
  /** The z-loss weight w ≥ 0; w = 0 computes exactly what the kernels computed before it existed. */
  readonly zLoss: number;
  readonly sparse: boolean;
  /** Whether `ignoreIndex` is set; a sample whose label is `ignoreIndex` has t = 0. */
  readonly ignores: boolean;
  readonly ignoreIndex: number;
}

/**
 * The label smoothing's coefficients of s_k = (1 − ε)·y_k + ε/C: 1 − ε and
 * ε/C, rounded to float32 as the composite path, the SIMD module and the
 * webgl programs have them (a subnormal ε/C is 0 there, and a smoothing
 * mass of 0 on a −Infinity logit adds nothing).
 */
const smoothingOf = ({ labelSmoothing }: SoftmaxCrossEntropyAttrs, classes: number) => ({
  keep: Math.fround(1 - labelSmoothing),
  spread: Math.fround(labelSmoothing / classes),
});

/**
 * The smoothed target s_k = (1 − ε)·y_k + ε/C of class k of a sample, for
 * class indices: `label` is the sample's class, −1 for an ignored sample
 * (whose targets are all 0).
 */
const sparseSmoothed = (k: number, label: number, keep: number, spread: number) =>
  label < 0 ? 0 : (k === label ? keep : 0) + spread;

/** The sample's class for {@link sparseSmoothed}: its label, or −1 if it is ignored. */
const sampleClass = (labels: ArrayInput, sample: number, { ignores, ignoreIndex }: SoftmaxCrossEntropyAttrs) => {
  const label = labels.values[sample]!;
  return ignores && label === ignoreIndex ? -1 : label;
};

/** Σ_k t_k·(log Σ exp(z − m) − (z_k − m)), term by term, with 0·log 0 = 0 unless log p is NaN. */
function termByTerm(
  z: ArrayLike<number>,
  c: ArrayLike<number>,
  base: number,
  end: number,
  inner: number,
  max: number,
  logSumShifted: number,
  smoothed: (k: number, at: number) => number,
): number {
  let value = 0;
  for (let k = 0, at = base; at < end; k++, at += inner) {
    const t = c[k]! * smoothed(k, at);
    const minusLogP = logSumShifted - (z[at]! - max);
    value += t === 0 && !Number.isNaN(minusLogP) ? 0 : t * minusLogP;
  }
  return value;
}

/**
 * Inputs of the forward kernel: labels, logits, classWeights. Outputs: loss,
 * row max m, log Σ exp(z − m), Σ t, and for class indices the class weight
 * of the target, c_y (0 if ignored): PyTorch's `'mean'` denominator weight.
 */
const forward: ArrayKernel<SoftmaxCrossEntropyAttrs> = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputNames: ['labels', 'logits', 'classWeights'],
  outputShapes: ({ logits }, { axis }) => Array.from({ length: 5 }, () => perSampleShape(logits!, axis)),
  run({ labels, logits, classWeights }, [loss, rowMax, logSum, targetSum, targetWeight], attrs) {
    const layout = classLayout(logits!.shape, attrs.axis);
    const { classes, inner } = layout;
    const [z, y, c] = [logits!.values, labels!.values, classWeights!.values];
    const { keep, spread } = smoothingOf(attrs, classes);
    const sparse = attrs.sparse;
    for (let sample = 0; sample < layout.outer * inner; sample++) {
      const base = sampleBase(layout, sample);
      const end = base + classes * inner;
      let max = -Infinity;
      for (let at = base; at < end; at += inner) if (z[at]! > max) max = z[at]!;
      const label = sparse ? sampleClass(labels!, sample, attrs) : 0;
      // One pass: Σ exp(z − m), Σ t and Σ t·(z − m); then l = Σ t·(log Σ exp(z − m) − (z − m)).
      let sum = 0;
      let total = 0;
      let weighted = 0;
      for (let k = 0, at = base; at < end; k++, at += inner) {
        const shifted = z[at]! - max;
        sum += Math.exp(shifted);
        const t = c[k]! * (sparse ? sparseSmoothed(k, label, keep, spread) : keep * y[at]! + spread);
        total += t;
        // 0·log 0 = 0: a zero target adds nothing, even against a −Infinity logit (a NaN logit makes the sum NaN).
        if (t !== 0) weighted += t * shifted;
      }
      const logSumShifted = Math.log(sum);
      let value = logSumShifted * total - weighted;
      // Infinite targets or logits: the term-by-term sum, whose ∞ and NaN the rearranged one does not keep.
      if (!Number.isFinite(value)) value = termByTerm(z, c, base, end, inner, max, logSumShifted, (k, at) => (sparse ? sparseSmoothed(k, label, keep, spread) : keep * y[at]! + spread));
      // An ignored sample's loss is 0 whatever its logits, NaN included (as PyTorch).
      loss![sample] = label < 0 ? 0 : value + zLossTerm(attrs.zLoss, max, logSumShifted);
      rowMax![sample] = max;
      logSum![sample] = logSumShifted;
      targetSum![sample] = total;
      if (sparse && label >= 0) targetWeight![sample] = c[label]!;
    }
  },
  runSimd(simd, inputs, outputs, attrs) {
    const args = simdArguments(inputs, attrs);
    if (args === undefined) return false;
    simd.softmaxCrossEntropy(...args.inputs, ...(outputs.map((output) => output.byteOffset) as [number, number, number, number, number]), ...args.sizes);
    return true;
  },
};

/**
 * The SIMD module's arguments for these inputs, or undefined where it does
 * not apply: it takes classes last, and class indices only without label
 * smoothing and with finite class weights (which then reach only the label).
 */
function simdArguments({ labels, logits, classWeights }: Readonly<Record<string, ArrayInput>>, attrs: SoftmaxCrossEntropyAttrs) {
  const { outer, classes, inner } = classLayout(logits!.shape, attrs.axis);
  if (inner !== 1) return undefined;
  if (attrs.sparse && (attrs.labelSmoothing !== 0 || !classWeights!.values.every(Number.isFinite))) return undefined;
  const place = (input: ArrayInput) => input.values.byteOffset;
  return {
    inputs: [place(labels!), place(logits!), place(classWeights!)] as const,
    sizes: [outer, classes, 1 - attrs.labelSmoothing, attrs.labelSmoothing / classes, attrs.sparse, attrs.ignores, attrs.ignoreIndex, attrs.zLoss] as const,
  };
}

/** The z-loss w·L² of a sample, L = m + log Σ exp(z − m); nothing at all (not even 0·NaN) for w = 0. */
const zLossTerm = (zLoss: number, max: number, logSumShifted: number) => (zLoss === 0 ? 0 : zLoss * (max + logSumShifted) ** 2);

/** Σ_j t_j + 2w·L: the multiple of softmax(z) in ∂l/∂z of a sample (Σ_j t_j itself for w = 0). */
const softmaxMultiple = (targetTotal: number, zLoss: number, max: number, logSumShifted: number) =>
  zLoss === 0 ? targetTotal : targetTotal + 2 * zLoss * (max + logSumShifted);

/** Inputs of every backward kernel: the upstream gradients of the loss and of c_y, and the forward's inputs and saved outputs. */
const BACKWARD_INPUTS = ['dy', 'dTargetWeight', 'labels', 'logits', 'classWeights', 'rowMax', 'logSum', 'targetSum'] as const;

/**
 * dy·(softmax(z)·(Σt + 2w·L) − t), with softmax(z) = exp((z − m) − log Σ exp(z − m))
 * and L = m + log Σ exp(z − m) from the saved m and log-sum; 0 for an
 * ignored sample, whose loss is the constant 0.
 */
const gradLogits: ArrayKernel<SoftmaxCrossEntropyAttrs> = {
  kernelName: SOFTMAX_CROSS_ENTROPY_GRAD_LOGITS,
  inputNames: BACKWARD_INPUTS,
  outputShapes: ({ logits }) => [[...logits!]],
  run({ dy, labels, logits, classWeights, rowMax, logSum, targetSum }, [dLogits], attrs) {
    const layout = classLayout(logits!.shape, attrs.axis);
    const { classes, inner } = layout;
    const [z, y, c] = [logits!.values, labels!.values, classWeights!.values];
    const { keep, spread } = smoothingOf(attrs, classes);
    for (let sample = 0; sample < layout.outer * inner; sample++) {
      const base = sampleBase(layout, sample);
      const label = attrs.sparse ? sampleClass(labels!, sample, attrs) : 0;
      if (label < 0) continue;
      const end = base + classes * inner;
      const [max, logSumShifted] = [rowMax!.values[sample]!, logSum!.values[sample]!];
      const upstream = dy!.values[sample]!;
      const multiple = softmaxMultiple(targetSum!.values[sample]!, attrs.zLoss, max, logSumShifted);
      if (attrs.sparse) {
        for (let k = 0, at = base; at < end; k++, at += inner) {
          dLogits![at] = upstream * (Math.exp(z[at]! - max - logSumShifted) * multiple - c[k]! * sparseSmoothed(k, label, keep, spread));
        }
      } else {
        for (let k = 0, at = base; at < end; k++, at += inner) {
          dLogits![at] = upstream * (Math.exp(z[at]! - max - logSumShifted) * multiple - c[k]! * (keep * y[at]! + spread));
        }
      }
    }
  },
  runSimd(simd, inputs, [dLogits], attrs) {
    const args = simdArguments(inputs, attrs);
    if (args === undefined) return false;
    const place = (name: string) => inputs[name]!.values.byteOffset;
    simd.softmaxCrossEntropyGradLogits(place('dy'), ...args.inputs, place('rowMax'), place('logSum'), place('targetSum'), dLogits!.byteOffset, ...args.sizes);
    return true;
  },
};

/** dy·(1 − ε)·c·(−log softmax(z)), for dense labels. */
const gradLabels: ArrayKernel<SoftmaxCrossEntropyAttrs> = {
  kernelName: SOFTMAX_CROSS_ENTROPY_GRAD_LABELS,
  inputNames: BACKWARD_INPUTS,
  outputShapes: ({ labels }) => [[...labels!]],
  run({ dy, logits, classWeights, rowMax, logSum }, [dLabels], attrs) {
    const layout = classLayout(logits!.shape, attrs.axis);
    const { classes, inner } = layout;
    const [z, c] = [logits!.values, classWeights!.values];
    const { keep } = smoothingOf(attrs, classes);
    for (let sample = 0; sample < layout.outer * inner; sample++) {
      const base = sampleBase(layout, sample);
      const [max, logSumShifted, upstream] = [rowMax!.values[sample]!, logSum!.values[sample]!, dy!.values[sample]!];
      for (let k = 0, at = base; k < classes; k++, at += inner) {
        dLabels![at] = upstream * (logSumShifted - (z[at]! - max)) * c[k]! * keep;
      }
    }
  },
};

/**
 * Σ over samples of dy·s_k·(−log softmax(z)_k), plus for class indices the
 * upstream of c_y summed over the samples of class k; `[C]`.
 */
const gradClassWeights: ArrayKernel<SoftmaxCrossEntropyAttrs> = {
  kernelName: SOFTMAX_CROSS_ENTROPY_GRAD_CLASS_WEIGHTS,
  inputNames: BACKWARD_INPUTS,
  outputShapes: ({ classWeights }) => [[...classWeights!]],
  run({ dy, dTargetWeight, labels, logits, rowMax, logSum }, [dClassWeights], attrs) {
    const layout = classLayout(logits!.shape, attrs.axis);
    const { classes, inner } = layout;
    const [z, y] = [logits!.values, labels!.values];
    const { keep, spread } = smoothingOf(attrs, classes);
    const sums = new Float64Array(classes);
    for (let sample = 0; sample < layout.outer * inner; sample++) {
      const base = sampleBase(layout, sample);
      const label = attrs.sparse ? sampleClass(labels!, sample, attrs) : 0;
      if (label < 0) continue;
      const [max, logSumShifted, upstream] = [rowMax!.values[sample]!, logSum!.values[sample]!, dy!.values[sample]!];
      for (let k = 0, at = base; k < classes; k++, at += inner) {
        const smoothed = attrs.sparse ? sparseSmoothed(k, label, keep, spread) : keep * y[at]! + spread;
        sums[k] = sums[k]! + upstream * (logSumShifted - (z[at]! - max)) * smoothed;
      }
        if (attrs.sparse) sums[label] = sums[label]! + dTargetWeight!.values[sample]!;
    }
    if (attrs.sparse) {
      // As Σ_r upstream_r·onehot(y_r)_k in IEEE arithmetic: a non-finite upstream of any sample's c_y
      // (a NaN 'mean' denominator) reaches every class through 0·NaN, as on the composite path.
      const poison = Array.from(dTargetWeight!.values).reduce((acc, g) => acc + 0 * g, 0);
      for (let k = 0; k < classes; k++) sums[k] = sums[k]! + poison;
    }
    dClassWeights!.set(sums);
  },
};

const gradient: GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: ['labels', 'logits', 'classWeights'],
  outputsToSave: [false, true, true, true, false],
  gradFunc: (dys, saved, attrs) => {
    const [labels, logits, classWeights, rowMax, logSum, targetSum] = saved as Tensor[];
    const [dy, , , , dTargetWeight] = dys as Tensor[];
    const inputs = { dy: dy!, dTargetWeight: dTargetWeight!, labels: labels!, logits: logits!, classWeights: classWeights!, rowMax: rowMax!, logSum: logSum!, targetSum: targetSum! };
    const run = (kernelName: string) => () => runBackward(kernelName, inputs, attrs as NamedAttrMap);
    return {
      // Class indices (int32) are never differentiated; tfjs does not call this for them.
      labels: (attrs as unknown as SoftmaxCrossEntropyAttrs).sparse ? () => tf.zerosLike(labels!) : run(SOFTMAX_CROSS_ENTROPY_GRAD_LABELS),
      logits: run(SOFTMAX_CROSS_ENTROPY_GRAD_LOGITS),
      classWeights: run(SOFTMAX_CROSS_ENTROPY_GRAD_CLASS_WEIGHTS),
    };
  },
};

const arrayKernels = [forward, gradLogits, gradLabels, gradClassWeights];

/** The fused softmax cross-entropy: its kernels for cpu, wasm and webgl, and its gradient. */
export const fusedSoftmaxCrossEntropy: FusedOp = {
  kernels: [...arrayKernels.map(cpuKernel), ...arrayKernels.map(wasmKernel), ...webglSoftmaxCrossEntropyKernels],
  gradients: [gradient],
  accepts: (backendName, { logits }, attrs) => backendName !== 'webgl' || webglTakes(logits!.shape, (attrs as SoftmaxCrossEntropyAttrs).axis),
};
