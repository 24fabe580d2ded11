/**
 * Categorical KL between logits fused (the core of `categoricalKL` and
 * `distillationLoss`): one forward kernel and one backward kernel per
 * input, for cpu and wasm.
 *
 * Per sample, π = softmax(p/T), ρ = softmax(q/T) along the class axis:
 *   KL = Σ_k π_k·(log π_k − log ρ_k),
 *   ∂KL/∂p_k = π_k·(log π_k − log ρ_k − KL)/T,  ∂KL/∂q_k = (ρ_k − π_k)/T.
 * Each log-softmax is (x − m) − log Σ exp(x − m) with its row max m; the
 * forward keeps both maxima and log-sums and the KL, the backward reads them.
 * A term with π_k = 0 (a −Infinity p logit, a masked class) is 0 and has
 * slope 0, also where q masks the class too; a NaN shows.
 */
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { cpuKernel, wasmKernel, type ArrayKernel } from './array-kernel.js';
import { classLayout, perSampleShape, sampleBase } from './class-layout.js';
import { runBackward, type FusedOp } from './fused.js';
import { maskedProduct } from './sigmoid-cross-entropy.js';

export const CATEGORICAL_KL = 'EntropyCategoricalKL';
const GRAD_P = 'EntropyCategoricalKLGradP';
const GRAD_Q = 'EntropyCategoricalKLGradQ';

/** The class axis (non-negative) and the temperature T > 0. */
export interface CategoricalKLAttrs {
  readonly axis: number;
  readonly temperature: number;
}

/** logits/T in float32, as the composite path divides: the forward and the backward read the same numbers. */
const tempered = (logit: number, temperature: number) => Math.fround(logit / temperature);

/** The row max m and log Σ exp(x − m) of x = logits/T, for the sample at `base`. */
function logSumExp(x: ArrayLike<number>, base: number, end: number, step: number, temperature: number): [number, number] {
  let max = -Infinity;
  for (let at = base; at < end; at += step) if (tempered(x[at]!, temperature) > max) max = tempered(x[at]!, temperature);
  let sum = 0;
  for (let at = base; at < end; at += step) sum += Math.exp(tempered(x[at]!, temperature) - max);
  return [max, Math.log(sum)];
}

/** Inputs p, q (logits). Outputs: KL, then m and log-sum of p/T and of q/T. */
const forward: ArrayKernel<CategoricalKLAttrs> = {
  kernelName: CATEGORICAL_KL,
  inputNames: ['p', 'q'],
  outputShapes: ({ p }, { axis }) => Array.from({ length: 5 }, () => perSampleShape(p!, axis)),
  run({ p, q }, [kl, pMax, pLogSum, qMax, qLogSum], { axis, temperature }) {
    const layout = classLayout(p!.shape, axis);
    const { classes, inner } = layout;
    const [a, b] = [p!.values, q!.values];
    for (let sample = 0; sample < layout.outer * inner; sample++) {
      const base = sampleBase(layout, sample);
      const end = base + classes * inner;
      const [mp, lp] = logSumExp(a, base, end, inner, temperature);
      const [mq, lq] = logSumExp(b, base, end, inner, temperature);
      let value = 0;
      for (let at = base; at < end; at += inner) {
        const logPi = tempered(a[at]!, temperature) - mp - lp;
        const pi = Math.exp(logPi);
        value += maskedProduct(pi, logPi) - maskedProduct(pi, tempered(b[at]!, temperature) - mq - lq);
      }
      [kl![sample], pMax![sample], pLogSum![sample], qMax![sample], qLogSum![sample]] = [value, mp, lp, mq, lq];
    }
  },
  runSimd(simd, { p, q }, outputs, { axis, temperature }) {
    const { outer, classes, inner } = classLayout(p!.shape, axis);
    if (inner !== 1) return false;
    const [kl, pMax, pLogSum, qMax, qLogSum] = outputs.map((output) => output.byteOffset) as [number, number, number, number, number];
    simd.categoricalKL(p!.values.byteOffset, q!.values.byteOffset, kl, pMax, pLogSum, qMax, qLogSum, outer, classes, temperature);
    return true;
  },
};

const BACKWARD_INPUTS = ['dy', 'p', 'q', 'kl', 'pMax', 'pLogSum', 'qMax', 'qLogSum'];

/** One backward kernel: `slope(logπ, logρ, KL)` times dy/T at every class; `input` is 0 for p, 1 for q (in the SIMD module). */
function backward(kernelName: string, input: number, slope: (logPi: number, logRho: number, kl: number) => number): ArrayKernel<CategoricalKLAttrs> {
  return {
    kernelName,
    inputNames: BACKWARD_INPUTS,
    outputShapes: ({ p }) => [[...p!]],
    run({ dy, p, q, kl, pMax, pLogSum, qMax, qLogSum }, [gradient], { axis, temperature }) {
      const layout = classLayout(p!.shape, axis);
      const { classes, inner } = layout;
      const [a, b] = [p!.values, q!.values];
      for (let sample = 0; sample < layout.outer * inner; sample++) {
        const base = sampleBase(layout, sample);
        const end = base + classes * inner;
        // (x/T − m) − log-sum, in the forward's order: m + log-sum would drop the log-sum for huge m.
        const [pMaxOf, pLogSumOf] = [pMax!.values[sample]!, pLogSum!.values[sample]!];
        const [qMaxOf, qLogSumOf] = [qMax!.values[sample]!, qLogSum!.values[sample]!];
        const upstream = dy!.values[sample]! / temperature;
        const value = kl!.values[sample]!;
        for (let at = base; at < end; at += inner) {
          gradient![at] = upstream * slope(tempered(a[at]!, temperature) - pMaxOf - pLogSumOf, tempered(b[at]!, temperature) - qMaxOf - qLogSumOf, value);
        }
      }
    },
    runSimd(simd, inputs, [gradient], { axis, temperature }) {
      const { outer, classes, inner } = classLayout(inputs['p']!.shape, axis);
      if (inner !== 1) return false;
      const place = (name: string) => inputs[name]!.values.byteOffset;
      const saved = BACKWARD_INPUTS.map(place) as [number, number, number, number, number, number, number, number];
      simd.categoricalKLGrad(...saved, gradient!.byteOffset, outer, classes, temperature, input);
      return true;
    },
  };
}

/** π·(log π − log ρ − KL), 0 where π = 0. */
const gradP = backward(GRAD_P, 0, (logPi, logRho, kl) => {
  const pi = Math.exp(logPi);
  return pi === 0 ? 0 : pi * (logPi - logRho - kl);
});

/** ρ − π. */
const gradQ = backward(GRAD_Q, 1, (logPi, logRho) => Math.exp(logRho) - Math.exp(logPi));

const gradient: GradConfig = {
  kernelName: CATEGORICAL_KL,
  inputsToSave: ['p', 'q'],
  outputsToSave: [true, true, true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [p, q, kl, pMax, pLogSum, qMax, qLogSum] = saved as Tensor[];
    const inputs = { dy: (dys as Tensor[])[0]!, p: p!, q: q!, kl: kl!, pMax: pMax!, pLogSum: pLogSum!, qMax: qMax!, qLogSum: qLogSum! };
    return {
      p: () => runBackward(GRAD_P, inputs, attrs as NamedAttrMap),
      q: () => runBackward(GRAD_Q, inputs, attrs as NamedAttrMap),
    };
  },
};

const arrayKernels = [forward, gradP, gradQ];

/** The fused categorical KL: its kernels for cpu and wasm, and its gradient. */
export const fusedCategoricalKL: FusedOp = {
  kernels: [...arrayKernels.map(cpuKernel), ...arrayKernels.map(wasmKernel)],
  gradients: [gradient],
};
