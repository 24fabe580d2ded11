/**
 * Float64 references of the classification losses, in plain TypeScript,
 * written from the formulas of PyTorch's `F.cross_entropy` (with T5X's
 * z-loss, `cross_entropy_with_logits(logits, targets, z_loss)`),
 * `F.binary_cross_entropy_with_logits`, torchvision's `sigmoid_focal_loss`
 * and Keras's `CategoricalFocalCrossentropy` (without its clipping), not from
 * this package's code. Rows are samples, columns classes (class axis last).
 * Gradients of any of them: {@link numericGradient64}.
 */

export type Reduction = 'none' | 'sum' | 'mean';
export type Rows = number[][];

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** log Σ exp z, shifted by the max. */
export function logSumExp64(z: readonly number[]): number {
  const max = Math.max(...z);
  return max + Math.log(sum(z.map((v) => Math.exp(v - max))));
}

export function logSoftmax64(z: readonly number[]): number[] {
  const lse = logSumExp64(z);
  return z.map((v) => v - lse);
}

/** T5X's auxiliary z-loss of one sample: z_loss·log_z², log_z = logsumexp(logits). */
export const zLoss64 = (z: readonly number[], weight: number): number => weight * logSumExp64(z) ** 2;

/** softplus(x) = log(1 + eˣ), stably. */
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** PyTorch's reductions: 'mean' divides by `denominator` (the element count by default). */
function reduce(losses: number[], reduction: Reduction, denominator = losses.length): number[] | number {
  if (reduction === 'none') return losses;
  const total = sum(losses);
  if (reduction === 'sum') return total;
  return denominator === 0 ? 0 : total / denominator;
}

/** Sample weights w: 'mean' = Σ w·l / Σ w·d (d = 1 unless given). */
function weighted(losses: number[], w: number[] | undefined, reduction: Reduction, d?: number[]): number[] | number {
  const ws = w ?? losses.map(() => 1);
  const ds = d ?? losses.map(() => 1);
  return reduce(
    losses.map((l, i) => l * ws[i]!),
    reduction,
    sum(ds.map((di, i) => di * ws[i]!)),
  );
}

export interface SoftmaxOptions64 {
  labelSmoothing?: number;
  /** T5X's z_loss w: each sample's loss gains w·(log Σ exp z)², with no class weight, before sample weights. */
  zLoss?: number;
  classWeights?: number[];
  weights?: number[];
  reduction?: Reduction;
}

/** F.cross_entropy with probability targets, plus T5X's z-loss, one row per sample. */
export function softmaxCrossEntropy64(labels: Rows, logits: Rows, o: SoftmaxOptions64 = {}): number[] | number {
  const eps = o.labelSmoothing ?? 0;
  const losses = logits.map((z, n) => {
    const C = z.length;
    const logp = logSoftmax64(z);
    const ce = -sum(logp.map((lp, c) => lp * (labels[n]![c]! * (1 - eps) + eps / C) * (o.classWeights?.[c] ?? 1)));
    return ce + zLoss64(z, o.zLoss ?? 0);
  });
  return weighted(losses, o.weights, o.reduction ?? 'mean');
}

/** F.cross_entropy with class-index targets, ignore_index and label smoothing, plus T5X's z-loss (none for an ignored sample). */
export function sparseSoftmaxCrossEntropy64(
  labels: number[],
  logits: Rows,
  o: SoftmaxOptions64 & { ignoreIndex?: number } = {},
): number[] | number {
  const eps = o.labelSmoothing ?? 0;
  const cw = (c: number) => o.classWeights?.[c] ?? 1;
  const kept = labels.map((y) => y !== o.ignoreIndex);
  const losses = logits.map((z, n) => {
    if (!kept[n]) return 0;
    const y = labels[n]!;
    const logp = logSoftmax64(z);
    const nll = -cw(y) * logp[y]!;
    const smooth = -sum(logp.map((lp, c) => cw(c) * lp));
    return (1 - eps) * nll + (eps / z.length) * smooth + zLoss64(z, o.zLoss ?? 0);
  });
  const denominators = labels.map((y, n) => (kept[n] ? cw(y) : 0));
  return weighted(losses, o.weights, o.reduction ?? 'mean', denominators);
}

/** F.binary_cross_entropy_with_logits(pos_weight) with label smoothing y(1−ε) + ε/2, elementwise over rows. */
export function sigmoidCrossEntropy64(
  labels: Rows,
  logits: Rows,
  o: { posWeight?: number[]; labelSmoothing?: number; weights?: Rows; reduction?: Reduction } = {},
): number[] | number {
  const eps = o.labelSmoothing ?? 0;
  const losses = logits.flatMap((z, n) =>
    z.map((zc, c) => {
      const y = labels[n]![c]! * (1 - eps) + eps / 2;
      const w = o.posWeight?.[c] ?? 1;
      // −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))]
      return w * y * softplus(-zc) + (1 - y) * softplus(zc);
    }),
  );
  return weighted(losses, o.weights?.flat(), o.reduction ?? 'mean');
}

/** torchvision.ops.sigmoid_focal_loss, elementwise over rows. */
export function sigmoidFocalLoss64(
  labels: Rows,
  logits: Rows,
  o: { gamma?: number; alpha?: number; weights?: number[]; reduction?: Reduction } = {},
): number[] | number {
  const gamma = o.gamma ?? 2;
  const alpha = o.alpha ?? 0.25;
  const losses = logits.flatMap((z, n) =>
    z.map((zc, c) => {
      const y = labels[n]![c]!;
      const p = sigmoid(zc);
      const ce = y * softplus(-zc) + (1 - y) * softplus(zc);
      const pt = p * y + (1 - p) * (1 - y);
      const alphaT = alpha >= 0 ? alpha * y + (1 - alpha) * (1 - y) : 1;
      return alphaT * ce * (1 - pt) ** gamma;
    }),
  );
  return weighted(losses, o.weights, o.reduction ?? 'mean');
}

/**
 * d/dy of the sigmoid focal loss α_t·(1 − p_t)^γ·BCE at label y and logit z,
 * by the product rule (α_t' = 2α − 1, m' = σ(−z) − σ(z), BCE' = −z): an
 * independent check of the gradient where finite differences cannot reach
 * (at y = 1 the loss is undefined just above it for γ < 1).
 */
export function focalLabelGradient64(y: number, z: number, gamma: number, alpha: number): number {
  const alphaT = alpha * y + (1 - alpha) * (1 - y);
  const m = y * sigmoid(-z) + (1 - y) * sigmoid(z);
  const ce = y * softplus(-z) + (1 - y) * softplus(z);
  const dm = sigmoid(-z) - sigmoid(z);
  return (2 * alpha - 1) * m ** gamma * ce + alphaT * gamma * m ** (gamma - 1) * dm * ce - alphaT * m ** gamma * z;
}

/** Keras CategoricalFocalCrossentropy(from_logits=True), without clipping. */
export function softmaxFocalLoss64(
  labels: Rows,
  logits: Rows,
  o: { gamma?: number; alpha?: number; weights?: number[]; reduction?: Reduction } = {},
): number[] | number {
  const gamma = o.gamma ?? 2;
  const alpha = o.alpha ?? 0.25;
  const losses = logits.map((z, n) => {
    const logp = logSoftmax64(z);
    return -sum(logp.map((lp, c) => alpha * (1 - Math.exp(lp)) ** gamma * labels[n]![c]! * lp));
  });
  return weighted(losses, o.weights, o.reduction ?? 'mean');
}

/**
 * Gradient of a scalar float64 function of a flat parameter vector by
 * central differences with step 1e-6 (error ~1e-9 for these smooth losses),
 * weighted by `dy` for vector-valued f.
 */
export function numericGradient64(f: (x: number[]) => number | number[], x: readonly number[], dy?: readonly number[]): number[] {
  const h = 1e-6;
  const project = (v: number | number[]) => (typeof v === 'number' ? v * (dy?.[0] ?? 1) : sum(v.map((vi, i) => vi * (dy?.[i] ?? 1))));
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] = x[i]! + h;
    minus[i] = x[i]! - h;
    return (project(f(plus)) - project(f(minus))) / (2 * h);
  });
}

/** Reshapes a flat array into rows of `width`. */
export function toRows(flat: readonly number[], width: number): Rows {
  const rows: Rows = [];
  for (let i = 0; i < flat.length; i += width) rows.push(flat.slice(i, i + width));
  return rows;
}
