/**
 * Float64 reference of linearCrossEntropy, in plain TypeScript, from its
 * anchors' definitions: PyTorch's
 * `F.cross_entropy(hidden @ W + b, labels, ignore_index, label_smoothing, reduction)`
 * on the materialised logits, plus T5X's z-loss w·(log Σ exp z)² per row not
 * ignored; and its gradient written out by hand, whose finite differences
 * give the Hessian-vector products the double backward is checked against.
 * Inputs are flat arrays in row-major order, as tensors hold them.
 */
import { logSoftmax64, sparseSoftmaxCrossEntropy64, type Reduction, type Rows } from './classification-reference.js';

/** N rows of D features, V classes. */
export interface LinearShape {
  readonly rows: number;
  readonly features: number;
  readonly classes: number;
}

export interface LinearOptions64 {
  /** `weight` is `[V, D]` instead of `[D, V]`. */
  readonly transposeWeight?: boolean;
  readonly ignoreIndex?: number | undefined;
  readonly labelSmoothing?: number;
  readonly zLoss?: number;
  readonly reduction?: Reduction;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** W[d][c] of a flat weight of either layout. */
const weightAt = (weight: readonly number[], d: number, c: number, { features, classes }: LinearShape, transposed: boolean) =>
  transposed ? weight[c * features + d]! : weight[d * classes + c]!;

/** The logits z = h·W + b, one row per row of `hidden`. */
export function linearLogits64(hidden: readonly number[], weight: readonly number[], bias: readonly number[] | undefined, shape: LinearShape, transposed = false): Rows {
  const { rows, features, classes } = shape;
  return Array.from({ length: rows }, (_, n) =>
    Array.from({ length: classes }, (_, c) => (bias?.[c] ?? 0) + sum(Array.from({ length: features }, (_, d) => hidden[n * features + d]! * weightAt(weight, d, c, shape, transposed)))),
  );
}

/** log Σ exp z, stably. */
export const logSumExp64 = (z: readonly number[]): number => z[0]! - logSoftmax64(z)[0]!;

/** Whether each row is kept (its label is not `ignoreIndex`). */
const keptRows = (labels: readonly number[], ignoreIndex: number | undefined) => labels.map((y) => y !== ignoreIndex);

/**
 * F.cross_entropy(h @ W + b, labels, …) with per-row z-loss w·lse² (0 for an
 * ignored row); `'mean'` over the rows not ignored, 0 if there are none.
 */
export function linearCrossEntropy64(
  hidden: readonly number[],
  weight: readonly number[],
  bias: readonly number[] | undefined,
  labels: readonly number[],
  shape: LinearShape,
  o: LinearOptions64 = {},
): number | number[] {
  const logits = linearLogits64(hidden, weight, bias, shape, o.transposeWeight);
  const options = { labelSmoothing: o.labelSmoothing ?? 0, reduction: 'none' as const, ...(o.ignoreIndex !== undefined && { ignoreIndex: o.ignoreIndex }) };
  const crossEntropy = sparseSoftmaxCrossEntropy64([...labels], logits, options) as number[];
  const kept = keptRows(labels, o.ignoreIndex);
  const losses = crossEntropy.map((l, n) => (kept[n] ? l + (o.zLoss ?? 0) * logSumExp64(logits[n]!) ** 2 : 0));
  const reduction = o.reduction ?? 'mean';
  if (reduction === 'none') return losses;
  const keptCount = kept.filter(Boolean).length;
  return reduction === 'sum' ? sum(losses) : keptCount === 0 ? 0 : sum(losses) / keptCount;
}

/**
 * The gradient of Σ_n dy_n·l_n with respect to hidden, weight and bias
 * (flat, in their layouts), l_n the unreduced loss of row n: with
 * G_nc = dy_n·(softmax(z_n)_c·(1 + 2w·lse_n) − t_nc), t = (1 − ε)·onehot(y) + ε/V
 * (0 for an ignored row), ∂/∂h = G·Wᵀ, ∂/∂W = hᵀ·G, ∂/∂b = Σ_n G_n.
 * A reduction is a choice of dy: 1 for `'sum'`, 1/(rows kept) for `'mean'`.
 */
export function linearCrossEntropyGradient64(
  hidden: readonly number[],
  weight: readonly number[],
  bias: readonly number[] | undefined,
  labels: readonly number[],
  shape: LinearShape,
  o: LinearOptions64,
  dy: readonly number[],
): [number[], number[], number[]] {
  const { rows, features, classes } = shape;
  const transposed = o.transposeWeight ?? false;
  const eps = o.labelSmoothing ?? 0;
  const w = o.zLoss ?? 0;
  const kept = keptRows(labels, o.ignoreIndex);
  const G = linearLogits64(hidden, weight, bias, shape, transposed).map((z, n) => {
    if (!kept[n]) return z.map(() => 0);
    const lse = logSumExp64(z);
    return z.map((zc, c) => dy[n]! * (Math.exp(zc - lse) * (1 + 2 * w * lse) - ((c === labels[n] ? 1 - eps : 0) + eps / classes)));
  });
  const dHidden = Array.from({ length: rows * features }, (_, i) => {
    const [n, d] = [Math.floor(i / features), i % features];
    return sum(G[n]!.map((g, c) => g * weightAt(weight, d, c, shape, transposed)));
  });
  const dWeight = Array.from({ length: features * classes }, (_, i) => {
    const [d, c] = transposed ? [i % features, Math.floor(i / features)] : [Math.floor(i / classes), i % classes];
    return sum(G.map((row, n) => hidden[n * features + d]! * row[c]!));
  });
  const dBias = Array.from({ length: classes }, (_, c) => sum(G.map((row) => row[c]!)));
  return [dHidden, dWeight, dBias];
}
