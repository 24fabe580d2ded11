/**
 * Sigmoid cross-entropy fused, as an elementwise term (elementwise-sum.ts):
 * l = w·y·softplus(−z) + (1 − y)·softplus(z) of labels y, logits z and
 * positive weight w, each term held at 0 where its label weight is 0 (a
 * hard label against an infinite logit of the right sign gives 0), unless
 * its softplus is NaN.
 */
import { elementwiseSumOp, type ElementwiseTerm } from './elementwise-sum.js';

/** w·v with 0·v = 0 unless v is NaN: the 0·log 0 = 0 rule of src/machinery/numerics.ts, for numbers. */
export const maskedProduct = (w: number, v: number) => (w === 0 && !Number.isNaN(v) ? 0 : w * v);

/** σ(z) from e = e^−|z|: 1/(1 + e) for z ≥ 0, e/(1 + e) below; exact in both tails. */
const sigmoidOf = (z: number, e: number) => (z >= 0 ? 1 : e) / (1 + e);

/** log1p(e^−|z|): softplus(±z) = max(±z, 0) + this, so one exp and one log1p give both. NaN stays NaN. */
const softplusTail = (z: number) => Math.log1p(Math.exp(-Math.abs(z)));

export const sigmoidCrossEntropyTerm: ElementwiseTerm = {
  name: 'EntropySigmoidCrossEntropy',
  inputNames: ['labels', 'logits', 'posWeight'],
  value: (y, z, w) => {
    const tail = softplusTail(z);
    return maskedProduct(w * y, Math.max(-z, 0) + tail) + maskedProduct(1 - y, Math.max(z, 0) + tail);
  },
  partials: [
    (_y, z, w) => {
      const tail = softplusTail(z);
      return w * (Math.max(-z, 0) + tail) - (Math.max(z, 0) + tail);
    },
    (y, z, w) => {
      const e = Math.exp(-Math.abs(z));
      return (1 - y) * sigmoidOf(z, e) - w * y * sigmoidOf(-z, e);
    },
    // The positive term's slope, 0 where it is held at 0.
    (y, z) => (y === 0 ? 0 : y * (Math.max(-z, 0) + softplusTail(z))),
  ],
  glsl: {
    functions: `
      float softplusTail(float z) { return log1pSmall(expNaN(-abs(z))); }
      float sigmoidOf(float z) { float e = expNaN(-abs(z)); return (z >= 0.0 ? 1.0 : e) / (1.0 + e); }
      float relu(float x) { return isnan(x) ? x : max(x, 0.0); }
    `,
    // a: labels y, b: logits z, c: positive weight w.
    value: 'masked(c * a, relu(-b) + softplusTail(b)) + masked(1.0 - a, relu(b) + softplusTail(b))',
    partials: ['c * (relu(-b) + softplusTail(b)) - (relu(b) + softplusTail(b))', '(1.0 - a) * sigmoidOf(b) - c * a * sigmoidOf(-b)', 'a == 0.0 ? 0.0 : a * (relu(-b) + softplusTail(b))'],
  },
  simd: {
    // Labels and logits one per entry; the positive weight one number, one per class or one per entry.
    forward(simd, { places: [labels, logits, weights], sizes, rows, columns }, output, sumRows) {
      if (sizes[0] !== sizes[1]) return false;
      simd.sigmoidCrossEntropy(labels!, logits!, weights!, sizes[2]!, output, rows, columns, sumRows);
      return true;
    },
    // ∂/∂labels and ∂/∂logits; the positive weight's, a sum over entries, in JavaScript.
    gradient(simd, { places: [labels, logits, weights], sizes, rows, columns }, input, dy, gradient, dyPerRow) {
      if (input > 1 || sizes[0] !== sizes[1]) return false;
      simd.sigmoidCrossEntropyGrad(dy, labels!, logits!, weights!, sizes[2]!, gradient, rows, columns, dyPerRow, input);
      return true;
    },
  },
};

/** The fused sigmoid cross-entropy: its kernels for cpu and wasm, and its gradient. */
export const fusedSigmoidCrossEntropy = elementwiseSumOp(sigmoidCrossEntropyTerm);
