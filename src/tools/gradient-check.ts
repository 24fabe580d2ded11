/**
 * Numerical gradient checking for any tfjs function (API.md §6).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { readOptions, TENSOR, withDefault, type OptionsOf } from '../machinery/options.js';
import { coordinatesOf, formatShape, inRange, positiveNumber, toFloatTensor, toTensor, type TensorInput } from '../machinery/validate.js';

/** The options of {@link checkGradients}. */
export const gradientCheckOptions = {
  /**
   * The upstream gradient: the check compares vector–Jacobian products
   * dyᵀ·J. Same shape as `f`'s output. Default: a fixed pseudo-random tensor
   * with entries of magnitude 0.5 to 1.5 and random signs, so every output
   * element is exercised and no two outputs' errors cancel by symmetry.
   */
  dy: TENSOR,
  /**
   * Finite-difference step h. Default `1e-2`, which balances the O(h⁴)
   * truncation error of the method below against float32 rounding (ε·|f|/h)
   * for losses of order 1. Keep every input more than `step` away from where
   * `f` is undefined (a probability of 0.005 with step 0.01 would step below 0).
   */
  step: withDefault(1e-2, positiveNumber),
  /** Relative tolerance per gradient entry. Default `1e-2`. */
  rtol: withDefault(1e-2, inRange(0, Infinity)),
  /** Absolute tolerance per gradient entry. Default `1e-3`. */
  atol: withDefault(1e-3, inRange(0, Infinity)),
};

/** Options of {@link checkGradients}. */
export type GradientCheckOptions = OptionsOf<typeof gradientCheckOptions>;

/** Where analytic and numeric gradients disagree most. */
export interface GradientMismatch {
  /** Position of the input in `inputs`. */
  readonly input: number;
  /** Coordinates of the entry within that input. */
  readonly index: number[];
  /** The entry of the analytic gradient (`tf.grads`). */
  readonly analytic: number;
  /** The entry of the central-difference gradient. */
  readonly numeric: number;
}

/** Outcome of {@link checkGradients}. */
export interface GradientCheckResult {
  /** Every entry within `atol + rtol·max(|analytic|, |numeric|)`. */
  readonly ok: boolean;
  /** Largest |analytic − numeric| over all checked entries. */
  readonly maxAbsError: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|) (0 where both are 0). */
  readonly maxRelError: number;
  /** The entry furthest outside its tolerance (or closest to it when `ok`); null if nothing was checked. */
  readonly worst: GradientMismatch | null;
}

const DY_SEED = 20240531;

/**
 * Compares the analytic gradient of `f` (what `tf.grads` returns) with
 * central finite differences, for every float32 input; int32 and bool inputs
 * (class indices, masks) are passed through unchanged and not checked.
 *
 * Method: with upstream gradient dy, the analytic side is dyᵀ·∂f/∂x from
 * `tf.grads`. The numeric side perturbs one entry x_j at a time to
 * x_j ± h (rounded to float32), evaluates `f` in float32, and forms
 * D(h) = Σ_k dy_k·(f_k(x + h) − f_k(x − h)) / (x⁺ − x⁻) in float64 from the
 * exact float32 outputs and the actual float32 step, then extrapolates
 * (4·D(h/2) − D(h))/3. Differencing each output before summing avoids the
 * cancellation of summing a batch first; outputs that do not depend on x_j
 * cancel exactly.
 *
 * Cost: four evaluations of `f` per checked input entry; meant for small
 * inputs (tens to a few hundred entries).
 *
 * @param f - a function of tensors returning one tensor of any shape.
 * @param inputs - the point at which to check; arrays are converted with
 *   tfjs's default dtype (float32 for numbers).
 * @param options - `dy`, `step`, `rtol`, `atol`; see {@link GradientCheckOptions}.
 * @returns `{ok, maxAbsError, maxRelError, worst}`. A NaN in either gradient,
 *   or infinities that differ, count as an infinite error.
 * @throws Error if no input is float32, `dy` has the wrong shape, or an option is bad.
 *
 * @example
 * ```ts
 * const result = checkGradients((p, q) => klDivergence(p, q), [[0.2, 0.3, 0.5], [0.4, 0.4, 0.2]]);
 * result.ok; // true
 * ```
 */
export function checkGradients(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: ReadonlyArray<TensorInput>,
  options: GradientCheckOptions = {},
): GradientCheckResult {
  const { dy: givenDy, step, rtol, atol } = readOptions('checkGradients', gradientCheckOptions, options);
  if (typeof f !== 'function') {
    throw new Error(`checkGradients: f must be a function, got ${typeof f}`);
  }

  let result: GradientCheckResult | undefined;
  tf.tidy(() => {
    const xs = inputs.map((x, i) => toTensor('checkGradients', `inputs[${i}]`, x));
    const checked = xs.flatMap((x, i) => (x.dtype === 'float32' ? [i] : []));
    if (checked.length === 0) {
      const dtypes = xs.map((x) => x.dtype).join(', ');
      throw new Error(`checkGradients: no float32 input to differentiate (input dtypes: ${dtypes || 'none'})`);
    }
    const output = f(...xs);
    if (!(output instanceof tf.Tensor)) {
      throw new Error(`checkGradients: f must return a tf.Tensor, got ${typeof output}`);
    }
    const dy = upstreamGradient(output, givenDy);
    const dyValues = dy.dataSync();

    const withChecked = (values: Tensor[]): Tensor[] =>
      xs.map((x, i) => {
        const position = checked.indexOf(i);
        return position < 0 ? x : (values[position] as Tensor);
      });
    const analytic = analyticGradients(f, withChecked, checked.map((i) => xs[i] as Tensor), dy);

    const comparison = new Comparison(rtol, atol);
    checked.forEach((inputIndex, position) => {
      const x = xs[inputIndex] as Tensor;
      const analyticValues = (analytic[position] as Tensor).dataSync();
      const numericValues = centralDifferences(f, xs, inputIndex, dyValues, step);
      for (let j = 0; j < numericValues.length; j++) {
        comparison.add(inputIndex, x.shape, j, analyticValues[j] as number, numericValues[j] as number);
      }
    });
    result = comparison.result();
  });
  return result as GradientCheckResult;
}

/** dyᵀ·∂f/∂x from tf.grads, with its errors (such as an input f does not use) named as ours. */
function analyticGradients(
  f: (...inputs: Tensor[]) => Tensor,
  withChecked: (values: Tensor[]) => Tensor[],
  checkedInputs: Tensor[],
  dy: Tensor,
): Tensor[] {
  try {
    return tf.grads((...values: Tensor[]) => f(...withChecked(values)))(checkedInputs, dy);
  } catch (error) {
    throw new Error(`checkGradients: tf.grads of f failed: ${(error as Error).message}`, { cause: error });
  }
}

/** dy as given (checked against the output's shape), or the seeded default. */
function upstreamGradient(output: Tensor, dy: TensorInput | undefined): Tensor {
  if (dy === undefined) {
    // Magnitudes in [0.5, 1.5) with random signs.
    const u = tf.randomUniform(output.shape, -1, 1, 'float32', DY_SEED);
    return tf.mul(tf.sign(u), tf.add(tf.abs(u), 0.5));
  }
  const given = toFloatTensor('checkGradients', 'dy', dy);
  if (!tf.util.arraysEqual(given.shape, output.shape)) {
    throw new Error(
      `checkGradients: dy ${formatShape(given.shape)} must have the shape of f's output ${formatShape(output.shape)}`,
    );
  }
  return given;
}

/** dyᵀ·∂f/∂x by extrapolated central differences, one entry of input `inputIndex` at a time. */
function centralDifferences(
  f: (...inputs: Tensor[]) => Tensor,
  xs: readonly Tensor[],
  inputIndex: number,
  dyValues: ArrayLike<number>,
  step: number,
): Float64Array {
  const x = xs[inputIndex] as Tensor;
  const base = x.dataSync() as Float32Array;
  const evaluateWith = (j: number, value: number): Float32Array => {
    const perturbed = Float32Array.from(base);
    perturbed[j] = value;
    return tf.tidy(() => {
      const args = xs.slice();
      args[inputIndex] = tf.tensor(perturbed, x.shape, 'float32');
      return f(...args).dataSync() as Float32Array;
    });
  };
  // D(h): the dy-weighted central difference with the actual float32 step.
  const difference = (j: number, h: number): number => {
    const plus = Math.fround((base[j] as number) + h);
    const minus = Math.fround((base[j] as number) - h);
    const fPlus = evaluateWith(j, plus);
    const fMinus = evaluateWith(j, minus);
    let sum = 0;
    for (let k = 0; k < fPlus.length; k++) {
      // Equal outputs (both ±Infinity included) do not depend on x_j.
      if (fPlus[k] !== fMinus[k]) sum += (dyValues[k] as number) * ((fPlus[k] as number) - (fMinus[k] as number));
    }
    return sum / (plus - minus);
  };
  return Float64Array.from(base, (_, j) => (4 * difference(j, step / 2) - difference(j, step)) / 3);
}

/** Accumulates entrywise errors and remembers the worst entry. */
class Comparison {
  private maxAbsError = 0;
  private maxRelError = 0;
  private worstExcess = -Infinity;
  private worst: GradientMismatch | null = null;
  private ok = true;

  constructor(
    private readonly rtol: number,
    private readonly atol: number,
  ) {}

  add(input: number, shape: readonly number[], flatIndex: number, analytic: number, numeric: number): void {
    const absError = entryError(analytic, numeric);
    const scale = Math.max(Math.abs(analytic), Math.abs(numeric));
    const relError = absError === 0 ? 0 : absError / scale;
    const tolerance = this.atol + this.rtol * (Number.isFinite(scale) ? scale : 0);
    // How far outside (> 0) or inside (≤ 0) the tolerance, relative to it.
    const excess = (absError - tolerance) / Math.max(tolerance, Number.MIN_VALUE);
    this.maxAbsError = Math.max(this.maxAbsError, absError);
    this.maxRelError = Math.max(this.maxRelError, relError);
    if (!(absError <= tolerance)) this.ok = false;
    if (excess > this.worstExcess || this.worst === null) {
      this.worstExcess = excess;
      this.worst = { input, index: coordinatesOf(flatIndex, shape), analytic, numeric };
    }
  }

  result(): GradientCheckResult {
    return { ok: this.ok, maxAbsError: this.maxAbsError, maxRelError: this.maxRelError, worst: this.worst };
  }
}

/** |a − n|, with NaN or differing infinities counted as an infinite error. */
function entryError(analytic: number, numeric: number): number {
  if (Number.isNaN(analytic) || Number.isNaN(numeric)) return Infinity;
  if (!Number.isFinite(analytic) || !Number.isFinite(numeric)) return analytic === numeric ? 0 : Infinity;
  return Math.abs(analytic - numeric);
}
