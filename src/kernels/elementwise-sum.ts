/**
 * Fused kernels for losses that are a sum of elementwise terms: the term
 * f(a, b, c, d) of up to four inputs and its partial derivatives, written
 * once as arithmetic on numbers, become a forward kernel (the terms, or
 * their sums along one axis) and a backward kernel (dy·∂f/∂input for the
 * input tfjs asks for), for cpu and wasm, and from the term's GLSL for webgl.
 *
 * One pass over the data each way (in the JavaScript loops every intermediate
 * a float64 number; in the SIMD module float32 lanes, sums in float64): no
 * [N, C] temporary, and a broadcast input (a `[C]` positive weight, a prior
 * of one number) is read in place, never expanded.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, NamedTensorMap, Tensor } from '@tensorflow/tfjs-core';
import { cpuKernel, wasmKernel, type ArrayInput, type ArrayKernel } from './array-kernel.js';
import { classLayout } from './class-layout.js';
import { runBackward, runFused, type FusedOp } from './fused.js';
import type { SimdKernels } from './simd/instance.js';
import { webglElementwiseKernels, webglTakes, type GlslTerm } from './elementwise-sum.webgl.js';

/** A term as a function of up to four numbers (the inputs at one element, in order). */
export type TermFunction = (a: number, b: number, c: number, d: number) => number;

/** An elementwise term: its value and its partial derivative with respect to each input. */
export interface ElementwiseTerm {
  /** The kernels' name: `name` (forward) and `name + 'Grad'`. */
  readonly name: string;
  /** The inputs' names, in the order of the term's arguments. */
  readonly inputNames: readonly string[];
  readonly value: TermFunction;
  /** ∂f/∂input_i, in the order of `inputNames`. */
  readonly partials: readonly TermFunction[];
  /** The term in the SIMD module (simd/kernels.as.ts) on tfjs's wasm backend, where it has one. */
  readonly simd?: SimdTerm;
  /** The term in GLSL, for webgl (elementwise-sum.webgl.ts), where it has one. */
  readonly glsl?: GlslTerm;
}

/**
 * Where a term's inputs sit in tfjs's wasm heap, for the SIMD module: every
 * input's byte offset and size (the first is full-sized), as `rows` ×
 * `columns` entries (the classes last).
 */
export interface SimdLayout {
  readonly places: readonly number[];
  readonly sizes: readonly number[];
  readonly rows: number;
  readonly columns: number;
}

/** A term's SIMD functions: each returns false where it does not apply (then the JavaScript loop runs). */
export interface SimdTerm {
  /** The terms into `output`, or their row sums (`sumRows`). */
  forward(simd: SimdKernels, layout: SimdLayout, output: number, sumRows: boolean): boolean;
  /** dy·∂f/∂input into `gradient`, dy one per entry or one per row (`dyPerRow`). */
  gradient(simd: SimdKernels, layout: SimdLayout, input: number, dy: number, gradient: number, dyPerRow: boolean): boolean;
}

/**
 * The kernels' attributes: the class axis the terms are summed along, or −1
 * for the terms themselves; and for the backward kernel, which input.
 */
interface SumAttrs {
  readonly axis: number;
  readonly input: number;
}

/**
 * Where the element at flat index j reads each input: the first input has
 * the full shape; another has it too, or is a suffix of it (`[C]` against
 * `[N, C]`, one number), read at j mod its size.
 */
const readAt = (input: ArrayInput, j: number) => input.values[input.values.length === 0 ? 0 : j % input.values.length]!;

/** The index of element j's term in the output: j itself, or j's position with `axis` summed out. */
function outputIndexer(shape: readonly number[], axis: number): (j: number) => number {
  if (axis < 0) return (j) => j;
  const { classes, inner } = classLayout(shape, axis);
  return (j) => Math.floor(j / (classes * inner)) * inner + (j % inner);
}

/**
 * The inputs as the SIMD module takes them, or undefined where it cannot:
 * the sum (if any) over the last axis, every input full-sized, one number,
 * or one per column.
 */
function simdLayout(term: ElementwiseTerm, inputs: Readonly<Record<string, ArrayInput>>, axis: number): SimdLayout | undefined {
  const arrays = term.inputNames.map((name) => inputs[name]!);
  const shape = arrays[0]!.shape;
  const size = arrays[0]!.values.length;
  const columns = shape[shape.length - 1] ?? 0;
  if (shape.length === 0 || (axis >= 0 && axis !== shape.length - 1) || size === 0) return undefined;
  const sizes = arrays.map((input) => input.values.length);
  if (!sizes.every((n) => n === size || n === 1 || n === columns)) return undefined;
  return { places: arrays.map((input) => input.values.byteOffset), sizes, rows: size / columns, columns };
}

function forwardKernel(term: ElementwiseTerm): ArrayKernel<SumAttrs> {
  return {
    kernelName: term.name,
    inputNames: term.inputNames,
    outputShapes: (shapes, { axis }) => {
      const full = shapes[term.inputNames[0]!]!;
      return [axis < 0 ? [...full] : full.filter((_, i) => i !== axis)];
    },
    run(inputs, [output], { axis }) {
      const [a, b, c, d] = term.inputNames.map((name) => inputs[name]!);
      const size = a!.values.length;
      const at = outputIndexer(a!.shape, axis);
      const value = term.value;
      // Sums run in float64; the terms themselves go straight to the output.
      const sums = axis < 0 ? output! : new Float64Array(output!.length);
      for (let j = 0; j < size; j++) {
        sums[at(j)]! += value(readAt(a!, j), b ? readAt(b, j) : 0, c ? readAt(c, j) : 0, d ? readAt(d, j) : 0);
      }
      if (sums !== output) output!.set(sums);
    },
    runSimd(simd, inputs, [output], { axis }) {
      const layout = term.simd === undefined ? undefined : simdLayout(term, inputs, axis);
      return layout !== undefined && term.simd!.forward(simd, layout, output!.byteOffset, axis >= 0);
    },
  };
}

function backwardKernel(term: ElementwiseTerm): ArrayKernel<SumAttrs> {
  return {
    kernelName: `${term.name}Grad`,
    inputNames: ['dy', ...term.inputNames],
    outputShapes: (shapes, { input }) => [[...shapes[term.inputNames[input]!]!]],
    run(inputs, [gradient], { axis, input }) {
      const [a, b, c, d] = term.inputNames.map((name) => inputs[name]!);
      const dy = inputs['dy']!.values;
      const size = a!.values.length;
      const at = outputIndexer(a!.shape, axis);
      const partial = term.partials[input]!;
      // A full-shaped input's gradient is written in place; a broadcast one's sums the elements that read it, in float64.
      const sums = gradient!.length === size ? gradient! : new Float64Array(gradient!.length);
      for (let j = 0; j < size; j++) {
        const slope = partial(readAt(a!, j), b ? readAt(b, j) : 0, c ? readAt(c, j) : 0, d ? readAt(d, j) : 0);
        const k = j % sums.length;
        sums[k] = sums[k]! + dy[at(j)]! * slope;
      }
      if (sums !== gradient) gradient!.set(sums);
    },
    runSimd(simd, inputs, [gradient], { axis, input }) {
      const layout = term.simd === undefined ? undefined : simdLayout(term, inputs, axis);
      return layout !== undefined && term.simd!.gradient(simd, layout, input, inputs['dy']!.values.byteOffset, gradient!.byteOffset, axis >= 0);
    },
  };
}

/** The fused op of a term: its forward and backward kernels for cpu and wasm, and its gradient. */
export function elementwiseSumOp(term: ElementwiseTerm): FusedOp {
  const kernels = [forwardKernel(term), backwardKernel(term)];
  const gradient: GradConfig = {
    kernelName: term.name,
    inputsToSave: [...term.inputNames],
    gradFunc: (dy, saved, attrs) => {
      const inputs: NamedTensorMap = { dy: dy as Tensor };
      term.inputNames.forEach((name, i) => (inputs[name] = saved[i]!));
      const gradientOf = (input: number) => () => runBackward(`${term.name}Grad`, inputs, { ...(attrs as object), input } as NamedAttrMap);
      return Object.fromEntries(term.inputNames.map((name, i) => [name, gradientOf(i)]));
    },
  };
  const webgl = term.glsl === undefined ? [] : webglElementwiseKernels(term.name, term.inputNames, term.glsl);
  return {
    kernels: [...kernels.map(cpuKernel), ...kernels.map(wasmKernel), ...webgl],
    gradients: [gradient],
    accepts: (backendName, inputs, attrs) =>
      backendName !== 'webgl' || webglTakes(term.glsl!, term.inputNames.map((name) => inputs[name]!.shape), (attrs as SumAttrs).axis),
  };
}

/**
 * Whether `input` can be read in place against `full`: the full shape, or
 * a suffix of it after leading 1s (`[C]`, `[1, C]` and `[1]` against `[N, C]`).
 */
export function readsInPlace(input: Tensor, full: readonly number[]): boolean {
  const shape = [...input.shape];
  while (shape.length > 0 && shape[0] === 1) shape.shift();
  return shape.length <= full.length && tf.util.arraysEqual(shape, full.slice(full.length - shape.length));
}

/**
 * The terms of `op` at `inputs` (first input full-shaped, the others read
 * in place), summed along `axis` (−1: not summed); `undefined` where the
 * fused kernels do not run.
 */
export function runElementwiseSum(op: FusedOp, term: ElementwiseTerm, inputs: readonly Tensor[], axis: number): Tensor | undefined {
  const named = Object.fromEntries(term.inputNames.map((name, i) => [name, inputs[i]!]));
  return runFused(op, term.name, named, { axis, input: -1 })?.[0];
}
