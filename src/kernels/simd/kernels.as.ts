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

// exp of four lanes, for x ≤ 88: x = n·ln 2 + r, |r| ≤ ½ln 2, e^r by a degree-7 polynomial, 2^n by the exponent bits.
// x < −87.3 (−Infinity included) gives 0; NaN stays NaN.
@inline function exp4(x: v128): v128 {
  const low = f32x4.splat(-87.33654);
  const clamped = f32x4.min(f32x4.max(x, low), f32x4.splat(88.37626));
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
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return v128.bitselect(f32x4.splat(0), f32x4.mul(p, scale), f32x4.lt(x, low));
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
 * `ignoreIndex` makes its sample's loss 0.
 */
export function softmaxCrossEntropy(
  labels: usize, logits: usize, classWeights: usize,
  loss: usize, maxima: usize, logSums: usize, targetSums: usize, targetWeights: usize,
  rows: i32, classes: i32, keep: f32, spread: f32, sparse: bool, ignores: bool, ignoreIndex: i32,
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
    }
    store<f32>(at(loss, row), <f32>value);
    store<f32>(at(maxima, row), m);
    store<f32>(at(logSums, row), <f32>logSumShifted);
    store<f32>(at(targetSums, row), <f32>targetTotal);
  }
}

/**
 * ∂/∂logits: dy·(softmax(z)·Σt − t), softmax(z) = exp((z − m) − log Σ exp(z − m));
 * 0 for an ignored sample. Arguments as the forward's, and the saved outputs.
 */
export function softmaxCrossEntropyGradLogits(
  dy: usize, labels: usize, logits: usize, classWeights: usize,
  maxima: usize, logSums: usize, targetSums: usize, gradient: usize,
  rows: i32, classes: i32, keep: f32, spread: f32, sparse: bool, ignores: bool, ignoreIndex: i32,
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
    const targetTotal = load<f32>(at(targetSums, row));
    const shift = f32x4.splat(m);
    const logSum = f32x4.splat(logSumShifted);
    const scale = f32x4.splat(upstream);
    const totals = f32x4.splat(targetTotal);
    const keeps = f32x4.splat(keep);
    const spreads = f32x4.splat(spread);
    let k = 0;
    for (; k + 4 <= classes; k += 4) {
      const p = exp4(f32x4.sub(f32x4.sub(v128.load(at(z, k)), shift), logSum));
      const t = sparse ? f32x4.splat(0) : f32x4.mul(v128.load(at(classWeights, k)), f32x4.add(f32x4.mul(keeps, v128.load(at(y, k))), spreads));
      v128.store(at(out, k), f32x4.mul(scale, f32x4.sub(f32x4.mul(p, totals), t)));
    }
    for (; k < classes; k++) {
      const p = exp1(load<f32>(at(z, k)) - m - logSumShifted);
      const t: f32 = sparse ? 0 : denseTarget(y, classWeights, k, keep, spread);
      store<f32>(at(out, k), upstream * (p * targetTotal - t));
    }
    if (sparse) {
      const p = exp1(load<f32>(at(z, label)) - m - logSumShifted);
      store<f32>(at(out, label), upstream * (p * targetTotal - load<f32>(at(classWeights, label)) * keep));
    }
  }
}
