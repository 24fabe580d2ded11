/**
 * SIMD kernels for tfjs's wasm backend, in AssemblyScript: compiled by
 * compile.ts into a module that imports tfjs's own wasm memory, so every
 * pointer below is a byte offset into tfjs's heap (what
 * `typedArrayFromHeap(info).byteOffset` gives) and nothing is copied.
 *
 * The module has no data segment and allocates nothing: it only reads and
 * writes the tensors it is given. Sums run in float64, four float32 lanes at
 * a time; exp is a float32 polynomial (≤ 2 ulps on (−87, 0]).
 *
 * Softmax cross-entropy, classes last: per row, m = max z, log Σ exp(z − m),
 * and l = Σ t·(log Σ exp(z − m) − (z − m)) with t = c·((1 − ε)·y + ε/C);
 * ∂l/∂z = dy·(softmax(z)·Σt − t). The formulas of softmax-cross-entropy.ts.
 */

// exp of four lanes: x = n·ln 2 + r, |r| ≤ ½ln 2, e^r by a degree-7 polynomial, 2^n as two factors
// 2^⌊n/2⌋·2^(n − ⌊n/2⌋) of exponent bits, so results down to float32's subnormals and up to its largest
// are reached. x below −103.97 (−Infinity included) gives 0, above 88.72 Infinity; NaN stays NaN.
@inline function exp4(x: v128): v128 {
  const clamped = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(88.8));
  const n = f32x4.nearest(f32x4.mul(clamped, f32x4.splat(1.442695041)));
  let r = f32x4.sub(clamped, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.mul(f32x4.mul(p, r), r), f32x4.add(r, f32x4.splat(1.0)));
  const exponent = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(exponent, 1);
  const first = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const second = i32x4.shl(i32x4.add(i32x4.sub(exponent, half), i32x4.splat(127)), 23);
  const finite = v128.bitselect(f32x4.splat(0), f32x4.mul(f32x4.mul(p, first), second), f32x4.lt(x, f32x4.splat(-103.972)));
  return v128.bitselect(f32x4.splat(Infinity), finite, f32x4.gt(x, f32x4.splat(88.72284)));
}

@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/** acc + the four lanes of v, in float64 (two lanes each). */
@inline function addWide(acc: v128, v: v128): v128 {
  const high = v128.shuffle<f32>(v, v, 2, 3, 0, 1);
  return f64x2.add(f64x2.add(acc, f64x2.promote_low_f32x4(v)), f64x2.promote_low_f32x4(high));
}

@inline function total(acc: v128): f64 {
  return f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

@inline function at(base: usize, k: i32): usize {
  return base + (<usize>k << 2);
}

/** max z over `classes` floats at `z`: NaN if any is NaN (log Σ exp is NaN then too). */
function rowMax(z: usize, classes: i32): f32 {
  let lanes = f32x4.splat(-Infinity);
  let k = 0;
  for (; k + 4 <= classes; k += 4) lanes = f32x4.max(lanes, v128.load(at(z, k)));
  let largest = max<f32>(max<f32>(f32x4.extract_lane(lanes, 0), f32x4.extract_lane(lanes, 1)), max<f32>(f32x4.extract_lane(lanes, 2), f32x4.extract_lane(lanes, 3)));
  for (; k < classes; k++) largest = max<f32>(largest, load<f32>(at(z, k)));
  return largest;
}

/** Σ exp(z − m). */
function sumExp(z: usize, classes: i32, m: f32): f64 {
  const shift = f32x4.splat(m);
  let acc = f64x2.splat(0);
  let k = 0;
  for (; k + 4 <= classes; k += 4) acc = addWide(acc, exp4(f32x4.sub(v128.load(at(z, k)), shift)));
  let sum = total(acc);
  for (; k < classes; k++) sum += <f64>exp1(load<f32>(at(z, k)) - m);
  return sum;
}

/** The target t_k of dense labels y: c_k·((1 − ε)·y_k + ε/C). */
@inline function denseTarget(y: usize, c: usize, k: i32, keep: f32, spread: f32): f32 {
  return load<f32>(at(c, k)) * (keep * load<f32>(at(y, k)) + spread);
}

/**
 * Σ t·(log Σ exp(z − m) − (z − m)) term by term, with 0·log 0 = 0 unless the
 * log is NaN: for rows the rearranged sum leaves infinite (infinite targets
 * or logits). `label` ≥ 0: class indices, t = c·(1 − ε) at the label only.
 */
function termByTerm(z: usize, y: usize, c: usize, classes: i32, m: f32, logSumShifted: f64, keep: f32, spread: f32, label: i32): f64 {
  let value: f64 = 0;
  for (let k = 0; k < classes; k++) {
    const t: f64 = label >= 0 ? (k == label ? <f64>load<f32>(at(c, k)) * <f64>keep : 0) : <f64>denseTarget(y, c, k, keep, spread);
    const minusLogP = logSumShifted - <f64>(load<f32>(at(z, k)) - m);
    value += t == 0 && !isNaN(minusLogP) ? 0 : t * minusLogP;
  }
  return value;
}

/**
 * The forward kernel for `rows` samples of `classes` logits: writes the
 * loss, m, log Σ exp(z − m), Σ t and (class indices) c_y of each sample.
 * `labels` are float32 `[rows, classes]` (dense) or int32 `[rows]`
 * (`sparse`, without smoothing: ε = 0); `ignores`: a label equal to
 * `ignoreIndex` makes its sample's loss 0. A z-loss weight w > 0 adds
 * w·L², L = m + log Σ exp(z − m), to every sample not ignored.
 */
export function softmaxCrossEntropy(
  labels: usize, logits: usize, classWeights: usize,
  loss: usize, maxima: usize, logSums: usize, targetSums: usize, targetWeights: usize,
  rows: i32, classes: i32, keep: f32, spread: f32, sparse: bool, ignores: bool, ignoreIndex: i32, zLoss: f32,
): void {
  for (let row = 0; row < rows; row++) {
    const z = logits + (<usize>row * <usize>classes << 2);
    const y = labels + (<usize>row * <usize>classes << 2);
    const m = rowMax(z, classes);
    const logSumShifted = Math.log(sumExp(z, classes, m));
    let targetTotal: f64 = 0;
    let weighted: f64 = 0;
    let label: i32 = -1;
    let value: f64 = 0;
    if (sparse) {
      label = load<i32>(at(labels, row));
      if (ignores && label == ignoreIndex) {
        label = -2;
      } else {
        const t: f64 = <f64>load<f32>(at(classWeights, label)) * <f64>keep;
        targetTotal = t;
        if (t != 0) weighted = t * <f64>(load<f32>(at(z, label)) - m);
        store<f32>(at(targetWeights, row), load<f32>(at(classWeights, label)));
      }
    } else {
      const shift = f32x4.splat(m);
      const keeps = f32x4.splat(keep);
      const spreads = f32x4.splat(spread);
      let totals = f64x2.splat(0);
      let products = f64x2.splat(0);
      let k = 0;
      for (; k + 4 <= classes; k += 4) {
        const t = f32x4.mul(v128.load(at(classWeights, k)), f32x4.add(f32x4.mul(keeps, v128.load(at(y, k))), spreads));
        totals = addWide(totals, t);
        // A zero target adds nothing, even against a −Infinity logit.
        products = addWide(products, v128.bitselect(f32x4.splat(0), f32x4.mul(t, f32x4.sub(v128.load(at(z, k)), shift)), f32x4.eq(t, f32x4.splat(0))));
      }
      targetTotal = total(totals);
      weighted = total(products);
      for (; k < classes; k++) {
        const t = denseTarget(y, classWeights, k, keep, spread);
        targetTotal += <f64>t;
        if (t != 0) weighted += <f64>t * <f64>(load<f32>(at(z, k)) - m);
      }
    }
    if (label != -2) {
      value = logSumShifted * targetTotal - weighted;
      if (!isFinite(value)) value = termByTerm(z, y, classWeights, classes, m, logSumShifted, keep, spread, label);
      if (zLoss != 0) value += <f64>zLoss * (<f64>m + logSumShifted) * (<f64>m + logSumShifted);
    }
    store<f32>(at(loss, row), <f32>value);
    store<f32>(at(maxima, row), m);
    store<f32>(at(logSums, row), <f32>logSumShifted);
    store<f32>(at(targetSums, row), <f32>targetTotal);
  }
}

/**
 * ∂/∂logits: dy·(softmax(z)·(Σt + 2w·L) − t), softmax(z) = exp((z − m) − log Σ exp(z − m)),
 * L = m + log Σ exp(z − m); 0 for an ignored sample. Arguments as the
 * forward's, and the saved outputs.
 */
export function softmaxCrossEntropyGradLogits(
  dy: usize, labels: usize, logits: usize, classWeights: usize,
  maxima: usize, logSums: usize, targetSums: usize, gradient: usize,
  rows: i32, classes: i32, keep: f32, spread: f32, sparse: bool, ignores: bool, ignoreIndex: i32, zLoss: f32,
): void {
  for (let row = 0; row < rows; row++) {
    const z = logits + (<usize>row * <usize>classes << 2);
    const y = labels + (<usize>row * <usize>classes << 2);
    const out = gradient + (<usize>row * <usize>classes << 2);
    const label = sparse ? load<i32>(at(labels, row)) : -1;
    if (sparse && ignores && label == ignoreIndex) {
      memory.fill(out, 0, <usize>classes << 2);
      continue;
    }
    const m = load<f32>(at(maxima, row));
    const logSumShifted = load<f32>(at(logSums, row));
    const upstream = load<f32>(at(dy, row));
    // The multiple of softmax(z): Σt, plus 2w·L with a z-loss.
    const multiple: f32 = zLoss != 0 ? <f32>(<f64>load<f32>(at(targetSums, row)) + 2 * <f64>zLoss * (<f64>m + <f64>logSumShifted)) : load<f32>(at(targetSums, row));
    const shift = f32x4.splat(m);
    const logSum = f32x4.splat(logSumShifted);
    const scale = f32x4.splat(upstream);
    const multiples = f32x4.splat(multiple);
    const keeps = f32x4.splat(keep);
    const spreads = f32x4.splat(spread);
    let k = 0;
    for (; k + 4 <= classes; k += 4) {
      const p = exp4(f32x4.sub(f32x4.sub(v128.load(at(z, k)), shift), logSum));
      const t = sparse ? f32x4.splat(0) : f32x4.mul(v128.load(at(classWeights, k)), f32x4.add(f32x4.mul(keeps, v128.load(at(y, k))), spreads));
      v128.store(at(out, k), f32x4.mul(scale, f32x4.sub(f32x4.mul(p, multiples), t)));
    }
    for (; k < classes; k++) {
      const p = exp1(load<f32>(at(z, k)) - m - logSumShifted);
      const t: f32 = sparse ? 0 : denseTarget(y, classWeights, k, keep, spread);
      store<f32>(at(out, k), upstream * (p * multiple - t));
    }
    if (sparse) {
      const p = exp1(load<f32>(at(z, label)) - m - logSumShifted);
      store<f32>(at(out, label), upstream * (p * multiple - load<f32>(at(classWeights, label)) * keep));
    }
  }
}

// ---------------------------------------------------------------------------
// Elementwise terms (elementwise-sum.ts), classes last: `rows` × `columns`
// entries; an input of `size` 1 is one number, of size `columns` one per
// column, else one per entry. The forward writes the terms, or their row
// sums (`sumRows`); a gradient reads dy per entry, or per row (`dyPerRow`).

/** Four entries of an input at (row, column k), by its size. */
@inline function entries(input: usize, size: i32, row: i32, columns: i32, k: i32): v128 {
  if (size == 1) return f32x4.splat(load<f32>(input));
  if (size == columns) return v128.load(at(input, k));
  return v128.load(at(input, row * columns + k));
}

/** One entry of an input at (row, column k), by its size, in lane 0. */
@inline function entry(input: usize, size: i32, row: i32, columns: i32, k: i32): v128 {
  if (size == 1) return f32x4.splat(load<f32>(input));
  if (size == columns) return f32x4.splat(load<f32>(at(input, k)));
  return f32x4.splat(load<f32>(at(input, row * columns + k)));
}

/** log1p(e) for e in [0, 1]: log(u)·e/(u − 1) with u = 1 + e (exact for tiny e), e where u = 1. NaN stays NaN. */
@inline function log1pUnit(e: v128): v128 {
  const u = f32x4.add(f32x4.splat(1), e);
  const corrected = f32x4.div(f32x4.mul(log4(u), e), f32x4.sub(u, f32x4.splat(1)));
  return v128.bitselect(e, corrected, f32x4.eq(u, f32x4.splat(1)));
}

/** w·v with 0·v = 0 unless v is NaN (the 0·log 0 = 0 rule). */
@inline function masked(w: v128, v: v128): v128 {
  return v128.bitselect(f32x4.splat(0), f32x4.mul(w, v), v128.and(f32x4.eq(w, f32x4.splat(0)), f32x4.eq(v, v)));
}

/** The sigmoid cross-entropy term w·y·softplus(−z) + (1 − y)·softplus(z), and its partials. */
function sigmoidTerm(y: v128, z: v128, w: v128, what: i32): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(z)));
  const tail = log1pUnit(e);
  const softplusPositive = f32x4.add(f32x4.max(z, f32x4.splat(0)), tail);
  const softplusNegative = f32x4.add(f32x4.max(f32x4.neg(z), f32x4.splat(0)), tail);
  const oneMinusY = f32x4.sub(f32x4.splat(1), y);
  if (what == 0) return f32x4.sub(f32x4.mul(w, softplusNegative), softplusPositive); // ∂/∂y
  if (what == 1) {
    // ∂/∂z = (1 − y)·σ(z) − w·y·σ(−z), σ(±z) from e = e^−|z|: exact in both tails.
    const positive = f32x4.ge(z, f32x4.splat(0));
    const one = f32x4.splat(1);
    const denominator = f32x4.add(one, e);
    const sigmoid = f32x4.div(v128.bitselect(one, e, positive), denominator);
    const sigmoidNegative = f32x4.div(v128.bitselect(e, one, positive), denominator);
    return f32x4.sub(f32x4.mul(oneMinusY, sigmoid), f32x4.mul(f32x4.mul(w, y), sigmoidNegative));
  }
  return f32x4.add(masked(f32x4.mul(w, y), softplusNegative), masked(oneMinusY, softplusPositive));
}

const VALUE: i32 = -1;

/** The sigmoid cross-entropy terms of labels y, logits z (both one per entry) and positive weights w (`weightSize`). */
export function sigmoidCrossEntropy(labels: usize, logits: usize, weights: usize, weightSize: i32, output: usize, rows: i32, columns: i32, sumRows: bool): void {
  for (let row = 0; row < rows; row++) {
    const y = labels + (<usize>row * <usize>columns << 2);
    const z = logits + (<usize>row * <usize>columns << 2);
    let acc = f64x2.splat(0);
    let sum: f64 = 0;
    let k = 0;
    for (; k + 4 <= columns; k += 4) {
      const term = sigmoidTerm(v128.load(at(y, k)), v128.load(at(z, k)), entries(weights, weightSize, row, columns, k), VALUE);
      if (sumRows) acc = addWide(acc, term);
      else v128.store(at(output, row * columns + k), term);
    }
    for (; k < columns; k++) {
      const term = f32x4.extract_lane(sigmoidTerm(f32x4.splat(load<f32>(at(y, k))), f32x4.splat(load<f32>(at(z, k))), entry(weights, weightSize, row, columns, k), VALUE), 0);
      if (sumRows) sum += <f64>term;
      else store<f32>(at(output, row * columns + k), term);
    }
    if (sumRows) store<f32>(at(output, row), <f32>(total(acc) + sum));
  }
}

/** dy·∂term/∂(labels) (`input` 0) or ∂/∂(logits) (`input` 1), one per entry. */
export function sigmoidCrossEntropyGrad(dy: usize, labels: usize, logits: usize, weights: usize, weightSize: i32, gradient: usize, rows: i32, columns: i32, dyPerRow: bool, input: i32): void {
  for (let row = 0; row < rows; row++) {
    const y = labels + (<usize>row * <usize>columns << 2);
    const z = logits + (<usize>row * <usize>columns << 2);
    let k = 0;
    for (; k + 4 <= columns; k += 4) {
      const upstream = dyPerRow ? f32x4.splat(load<f32>(at(dy, row))) : v128.load(at(dy, row * columns + k));
      const slope = sigmoidTerm(v128.load(at(y, k)), v128.load(at(z, k)), entries(weights, weightSize, row, columns, k), input);
      v128.store(at(gradient, row * columns + k), f32x4.mul(upstream, slope));
    }
    for (; k < columns; k++) {
      const upstream = dyPerRow ? load<f32>(at(dy, row)) : load<f32>(at(dy, row * columns + k));
      const slope = f32x4.extract_lane(sigmoidTerm(f32x4.splat(load<f32>(at(y, k))), f32x4.splat(load<f32>(at(z, k))), entry(weights, weightSize, row, columns, k), input), 0);
      store<f32>(at(gradient, row * columns + k), upstream * slope);
    }
  }
}

/**
 * log(x) of four lanes: x = 2^e·f, f in [√½, √2), Cephes' logf polynomial
 * for log f. Subnormals are scaled up first; 0 gives −Infinity, x < 0 and
 * NaN give NaN, +Infinity gives +Infinity.
 */
function log4(x: v128): v128 {
  const subnormal = f32x4.lt(x, f32x4.splat(1.17549435e-38));
  const scaled = v128.bitselect(f32x4.mul(x, f32x4.splat(16777216)), x, subnormal);
  const bits = scaled;
  let exponent = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  exponent = f32x4.sub(exponent, v128.bitselect(f32x4.splat(24), f32x4.splat(0), subnormal));
  let mantissa = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // in [0.5, 1)
  const small = f32x4.lt(mantissa, f32x4.splat(0.707106781));
  exponent = f32x4.sub(exponent, v128.bitselect(f32x4.splat(1), f32x4.splat(0), small));
  const f = f32x4.sub(v128.bitselect(f32x4.add(mantissa, mantissa), mantissa, small), f32x4.splat(1));
  const z = f32x4.mul(f, f);
  let y = f32x4.splat(7.0376836292e-2);
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-1.1514610310e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(1.1676998740e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-1.2420140846e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(1.4249322787e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-1.6668057665e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(2.0000714765e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(-2.4999993993e-1));
  y = f32x4.add(f32x4.mul(y, f), f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, f), z);
  y = f32x4.add(y, f32x4.mul(exponent, f32x4.splat(-2.12194440e-4)));
  y = f32x4.add(y, f32x4.mul(z, f32x4.splat(-0.5)));
  let result = f32x4.add(f32x4.add(f, y), f32x4.mul(exponent, f32x4.splat(0.693359375)));
  result = v128.bitselect(f32x4.splat(-Infinity), result, f32x4.eq(x, f32x4.splat(0)));
  result = v128.bitselect(f32x4.splat(Infinity), result, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(f32x4.splat(NaN), result, v128.or(f32x4.lt(x, f32x4.splat(0)), f32x4.ne(x, x)));
}

/** expm1(x) by Kahan's trick: (u − 1)·x/log u with u = e^x, exact as x → 0; x where u = 1, −1 where u − 1 = −1. */
@inline function expm14(x: v128): v128 {
  const u = exp4(x);
  const um1 = f32x4.sub(u, f32x4.splat(1));
  const kahan = f32x4.div(f32x4.mul(um1, x), log4(u));
  const large = v128.or(f32x4.eq(um1, f32x4.splat(-1)), f32x4.eq(u, f32x4.splat(Infinity)));
  return v128.bitselect(x, v128.bitselect(um1, kahan, large), f32x4.eq(u, f32x4.splat(1)));
}

const ZERO = f32x4.splat(0);
const ONE = f32x4.splat(1);
const HALF = f32x4.splat(0.5);

/** ∂(x·log y)/∂x = log y, 0 where x = y = 0. */
@inline function xlogyDx(x: v128, y: v128): v128 {
  return v128.bitselect(ZERO, log4(y), v128.and(f32x4.eq(x, ZERO), f32x4.eq(y, ZERO)));
}

/** ∂(x·log y)/∂y = x/y, 0 where x = 0. */
@inline function xlogyDy(x: v128, y: v128): v128 {
  return v128.bitselect(ZERO, f32x4.div(x, y), f32x4.eq(x, ZERO));
}

/** φ'(x) = log x + 1, 0 at x = 0. */
@inline function xLogXDerivative(x: v128): v128 {
  return f32x4.add(xlogyDx(x, x), xlogyDy(x, x));
}

/** x·(log x − ℓ), 0 where x = 0 and ℓ is not NaN. */
@inline function relativeEntropy(x: v128, logY: v128): v128 {
  return masked(x, f32x4.sub(log4(v128.bitselect(ONE, x, f32x4.eq(x, ZERO))), logY));
}

/** log m, m = (p + q)/2: halved where that is exact, else log(p + q) − ln 2 (subnormal halves). */
@inline function logMixture(p: v128, q: v128): v128 {
  const sum = f32x4.add(p, q);
  const subnormalHalf = f32x4.lt(sum, f32x4.splat(2.3509887e-38));
  return v128.bitselect(f32x4.sub(log4(sum), f32x4.splat(0.693147181)), log4(f32x4.mul(sum, HALF)), subnormalHalf);
}

const ENTROPY: i32 = 0;
const CROSS_ENTROPY: i32 = 1;
const KL_DIVERGENCE: i32 = 2;
const JS_DIVERGENCE: i32 = 3;

/** The term of measure `measure` at (p, q), or its partial by p (`what` 0) or q (1); VALUE for the term. */
function measureTerm(measure: i32, p: v128, q: v128, what: i32): v128 {
  if (measure == ENTROPY) return f32x4.neg(what == VALUE ? masked(p, log4(p)) : xLogXDerivative(p));
  if (measure == CROSS_ENTROPY) return f32x4.neg(what == VALUE ? masked(p, log4(q)) : what == 0 ? xlogyDx(p, q) : xlogyDy(p, q));
  if (measure == KL_DIVERGENCE) {
    if (what == VALUE) return relativeEntropy(p, log4(q));
    return what == 0 ? f32x4.sub(xLogXDerivative(p), xlogyDx(p, q)) : f32x4.neg(xlogyDy(p, q));
  }
  const logM = logMixture(p, q);
  if (what == VALUE) return f32x4.mul(HALF, f32x4.add(relativeEntropy(p, logM), relativeEntropy(q, logM)));
  const mixture = v128.bitselect(ZERO, f32x4.add(logM, ONE), f32x4.eq(f32x4.add(p, q), ZERO));
  return f32x4.mul(HALF, f32x4.sub(xLogXDerivative(what == 0 ? p : q), mixture));
}

/** Row sums of measure `measure`'s terms (in nats) of p and q, `rows` × `columns`, classes last. */
export function informationMeasure(measure: i32, p: usize, q: usize, output: usize, rows: i32, columns: i32): void {
  for (let row = 0; row < rows; row++) {
    const a = p + (<usize>row * <usize>columns << 2);
    const b = q + (<usize>row * <usize>columns << 2);
    let acc = f64x2.splat(0);
    let sum: f64 = 0;
    let k = 0;
    for (; k + 4 <= columns; k += 4) acc = addWide(acc, measureTerm(measure, v128.load(at(a, k)), v128.load(at(b, k)), VALUE));
    for (; k < columns; k++) sum += <f64>f32x4.extract_lane(measureTerm(measure, f32x4.splat(load<f32>(at(a, k))), f32x4.splat(load<f32>(at(b, k))), VALUE), 0);
    store<f32>(at(output, row), <f32>(total(acc) + sum));
  }
}

/** dy (one per row)·∂term/∂p (`input` 0) or ∂/∂q (1). */
export function informationMeasureGrad(measure: i32, dy: usize, p: usize, q: usize, gradient: usize, rows: i32, columns: i32, input: i32): void {
  for (let row = 0; row < rows; row++) {
    const offset = <usize>row * <usize>columns << 2;
    const upstream = load<f32>(at(dy, row));
    let k = 0;
    for (; k + 4 <= columns; k += 4) {
      const slope = measureTerm(measure, v128.load(at(p + offset, k)), v128.load(at(q + offset, k)), input);
      v128.store(at(gradient + offset, k), f32x4.mul(f32x4.splat(upstream), slope));
    }
    for (; k < columns; k++) {
      const slope = f32x4.extract_lane(measureTerm(measure, f32x4.splat(load<f32>(at(p + offset, k))), f32x4.splat(load<f32>(at(q + offset, k))), input), 0);
      store<f32>(at(gradient + offset, k), upstream * slope);
    }
  }
}

const GAUSSIAN_KL: i32 = 0;
const GAUSSIAN_CROSS_ENTROPY: i32 = 1;

/** The Gaussian term (KL or cross-entropy) of (μ_P, log σ_P², μ_Q, log σ_Q²), or its partial by input `what`. */
@inline function gaussianTerm(measure: i32, meanP: v128, logVarP: v128, meanQ: v128, logVarQ: v128, what: i32): v128 {
  const difference = f32x4.sub(meanP, meanQ);
  const r = f32x4.sub(logVarP, logVarQ);
  const precisionQ = exp4(f32x4.neg(logVarQ));
  const scaledSquare = f32x4.mul(f32x4.mul(difference, difference), precisionQ);
  if (what == 0 || what == 2) {
    const slope = f32x4.mul(difference, precisionQ);
    return what == 0 ? slope : f32x4.neg(slope);
  }
  if (measure == GAUSSIAN_KL) {
    const halfExpm1 = f32x4.mul(HALF, expm14(r));
    if (what == 1) return halfExpm1;
    if (what == 3) return f32x4.neg(f32x4.add(halfExpm1, f32x4.mul(HALF, scaledSquare)));
    return f32x4.mul(HALF, f32x4.add(f32x4.sub(expm14(r), r), scaledSquare));
  }
  const ratio = exp4(r);
  if (what == 1) return f32x4.mul(HALF, ratio);
  if (what == 3) return f32x4.mul(HALF, f32x4.sub(ONE, f32x4.add(ratio, scaledSquare)));
  return f32x4.mul(HALF, f32x4.add(f32x4.add(f32x4.splat(1.83787706641), logVarQ), f32x4.add(ratio, scaledSquare)));
}

/** The Gaussian terms, or their row sums (`sumRows`); μ_Q and log σ_Q² of `meanQSize` and `logVarQSize` entries (1, one per column, or one per entry). */
export function gaussian(measure: i32, meanP: usize, logVarP: usize, meanQ: usize, logVarQ: usize, meanQSize: i32, logVarQSize: i32, output: usize, rows: i32, columns: i32, sumRows: bool): void {
  for (let row = 0; row < rows; row++) {
    const offset = <usize>row * <usize>columns << 2;
    let acc = f64x2.splat(0);
    let sum: f64 = 0;
    let k = 0;
    for (; k + 4 <= columns; k += 4) {
      const term = gaussianTerm(measure, v128.load(at(meanP + offset, k)), v128.load(at(logVarP + offset, k)), entries(meanQ, meanQSize, row, columns, k), entries(logVarQ, logVarQSize, row, columns, k), VALUE);
      if (sumRows) acc = addWide(acc, term);
      else v128.store(at(output + offset, k), term);
    }
    for (; k < columns; k++) {
      const term = f32x4.extract_lane(gaussianTerm(measure, f32x4.splat(load<f32>(at(meanP + offset, k))), f32x4.splat(load<f32>(at(logVarP + offset, k))), entry(meanQ, meanQSize, row, columns, k), entry(logVarQ, logVarQSize, row, columns, k), VALUE), 0);
      if (sumRows) sum += <f64>term;
      else store<f32>(at(output + offset, k), term);
    }
    if (sumRows) store<f32>(at(output, row), <f32>(total(acc) + sum));
  }
}

/** dy·∂term/∂(μ_P) (`input` 0) or ∂/∂(log σ_P²) (1), one per entry; dy per entry or per row. */
export function gaussianGrad(measure: i32, dy: usize, meanP: usize, logVarP: usize, meanQ: usize, logVarQ: usize, meanQSize: i32, logVarQSize: i32, gradient: usize, rows: i32, columns: i32, dyPerRow: bool, input: i32): void {
  for (let row = 0; row < rows; row++) {
    const offset = <usize>row * <usize>columns << 2;
    let k = 0;
    for (; k + 4 <= columns; k += 4) {
      const upstream = dyPerRow ? f32x4.splat(load<f32>(at(dy, row))) : v128.load(at(dy + offset, k));
      const slope = gaussianTerm(measure, v128.load(at(meanP + offset, k)), v128.load(at(logVarP + offset, k)), entries(meanQ, meanQSize, row, columns, k), entries(logVarQ, logVarQSize, row, columns, k), input);
      v128.store(at(gradient + offset, k), f32x4.mul(upstream, slope));
    }
    for (; k < columns; k++) {
      const upstream = dyPerRow ? load<f32>(at(dy, row)) : load<f32>(at(dy + offset, k));
      const slope = f32x4.extract_lane(gaussianTerm(measure, f32x4.splat(load<f32>(at(meanP + offset, k))), f32x4.splat(load<f32>(at(logVarP + offset, k))), entry(meanQ, meanQSize, row, columns, k), entry(logVarQ, logVarQSize, row, columns, k), input), 0);
      store<f32>(at(gradient + offset, k), upstream * slope);
    }
  }
}

// ---------------------------------------------------------------------------
// Categorical KL of logits (categorical-kl.ts), classes last: per row,
// π = softmax(p/T), ρ = softmax(q/T), KL = Σ π·(log π − log ρ).

/** max of x/T and log Σ exp(x/T − max) of a row, into maxima and logSums at `row`. */
function temperedLogSumExp(x: usize, classes: i32, temperature: f32, maxima: usize, logSums: usize, row: i32): void {
  const scale = f32x4.splat(temperature);
  let lanes = f32x4.splat(-Infinity);
  let k = 0;
  for (; k + 4 <= classes; k += 4) lanes = f32x4.max(lanes, f32x4.div(v128.load(at(x, k)), scale));
  let largest = max<f32>(max<f32>(f32x4.extract_lane(lanes, 0), f32x4.extract_lane(lanes, 1)), max<f32>(f32x4.extract_lane(lanes, 2), f32x4.extract_lane(lanes, 3)));
  for (; k < classes; k++) largest = max<f32>(largest, load<f32>(at(x, k)) / temperature);
  const shift = f32x4.splat(largest);
  let acc = f64x2.splat(0);
  k = 0;
  for (; k + 4 <= classes; k += 4) acc = addWide(acc, exp4(f32x4.sub(f32x4.div(v128.load(at(x, k)), scale), shift)));
  let sum = total(acc);
  for (; k < classes; k++) sum += <f64>exp1(load<f32>(at(x, k)) / temperature - largest);
  store<f32>(at(maxima, row), largest);
  store<f32>(at(logSums, row), <f32>Math.log(sum));
}

/** log softmax(x/T) of four classes (`temperature` splat), from the row's saved max and log-sum. */
@inline function temperedLogSoftmax(x: v128, temperature: v128, max: v128, logSum: v128): v128 {
  return f32x4.sub(f32x4.sub(f32x4.div(x, temperature), max), logSum);
}

/** KL per row, and each row's max and log-sum of p/T and of q/T. */
export function categoricalKL(p: usize, q: usize, kl: usize, pMax: usize, pLogSum: usize, qMax: usize, qLogSum: usize, rows: i32, classes: i32, temperature: f32): void {
  const scale = f32x4.splat(temperature);
  for (let row = 0; row < rows; row++) {
    const offset = <usize>row * <usize>classes << 2;
    temperedLogSumExp(p + offset, classes, temperature, pMax, pLogSum, row);
    temperedLogSumExp(q + offset, classes, temperature, qMax, qLogSum, row);
    const mp = f32x4.splat(load<f32>(at(pMax, row)));
    const lp = f32x4.splat(load<f32>(at(pLogSum, row)));
    const mq = f32x4.splat(load<f32>(at(qMax, row)));
    const lq = f32x4.splat(load<f32>(at(qLogSum, row)));
    let acc = f64x2.splat(0);
    let sum: f64 = 0;
    let k = 0;
    for (; k + 4 <= classes; k += 4) {
      const logPi = temperedLogSoftmax(v128.load(at(p + offset, k)), scale, mp, lp);
      const pi = exp4(logPi);
      acc = addWide(acc, f32x4.sub(masked(pi, logPi), masked(pi, temperedLogSoftmax(v128.load(at(q + offset, k)), scale, mq, lq))));
    }
    for (; k < classes; k++) {
      const logPi = temperedLogSoftmax(f32x4.splat(load<f32>(at(p + offset, k))), scale, mp, lp);
      const pi = exp4(logPi);
      sum += <f64>f32x4.extract_lane(f32x4.sub(masked(pi, logPi), masked(pi, temperedLogSoftmax(f32x4.splat(load<f32>(at(q + offset, k))), scale, mq, lq))), 0);
    }
    store<f32>(at(kl, row), <f32>(total(acc) + sum));
  }
}

/** The slope of four classes: by p, π·(log π − log ρ − KL), 0 where π = 0 (`input` 0); by q, ρ − π (1). */
@inline function categoricalKLSlope(logPi: v128, logRho: v128, kl: v128, input: i32): v128 {
  const pi = exp4(logPi);
  if (input == 1) return f32x4.sub(exp4(logRho), pi);
  return v128.bitselect(ZERO, f32x4.mul(pi, f32x4.sub(f32x4.sub(logPi, logRho), kl)), f32x4.eq(pi, ZERO));
}

/** dy/T (one per row) times the slope by p (`input` 0) or q (1). */
export function categoricalKLGrad(dy: usize, p: usize, q: usize, kl: usize, pMax: usize, pLogSum: usize, qMax: usize, qLogSum: usize, gradient: usize, rows: i32, classes: i32, temperature: f32, input: i32): void {
  const scale = f32x4.splat(temperature);
  for (let row = 0; row < rows; row++) {
    const offset = <usize>row * <usize>classes << 2;
    const mp = f32x4.splat(load<f32>(at(pMax, row)));
    const lp = f32x4.splat(load<f32>(at(pLogSum, row)));
    const mq = f32x4.splat(load<f32>(at(qMax, row)));
    const lq = f32x4.splat(load<f32>(at(qLogSum, row)));
    const value = f32x4.splat(load<f32>(at(kl, row)));
    const upstream = f32x4.splat(load<f32>(at(dy, row)) / temperature);
    let k = 0;
    for (; k + 4 <= classes; k += 4) {
      const slope = categoricalKLSlope(temperedLogSoftmax(v128.load(at(p + offset, k)), scale, mp, lp), temperedLogSoftmax(v128.load(at(q + offset, k)), scale, mq, lq), value, input);
      v128.store(at(gradient + offset, k), f32x4.mul(upstream, slope));
    }
    for (; k < classes; k++) {
      const slope = categoricalKLSlope(temperedLogSoftmax(f32x4.splat(load<f32>(at(p + offset, k))), scale, mp, lp), temperedLogSoftmax(f32x4.splat(load<f32>(at(q + offset, k))), scale, mq, lq), value, input);
      store<f32>(at(gradient + offset, k), f32x4.extract_lane(f32x4.mul(upstream, slope), 0));
    }
  }
}
