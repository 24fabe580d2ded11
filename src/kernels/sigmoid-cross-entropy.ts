/**
 * Sigmoid cross-entropy fused, as an elementwise term (elementwise-sum.ts):
 * l = w·y·softplus(−z) + (1 − y)·softplus(z) of labels y, logits z and
 * positive weight w, each term held at 0 where its label weight is 0 (a
 * hard label against an infinite logit of the right sign gives 0), unless
 * its softplus is NaN.
 */
import { elementwiseSumOp, type ElementwiseTerm } from './elementwise-sum.js';

/** softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): never overflows; NaN stays NaN. */
export const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** σ(x) = 1/(1 + e^−x): 0 at −∞, 1 at +∞. */
export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** w·v with 0·v = 0 unless v is NaN: the 0·log 0 = 0 rule of src/machinery/numerics.ts, for numbers. */
export const maskedProduct = (w: number, v: number) => (w === 0 && !Number.isNaN(v) ? 0 : w * v);

export const sigmoidCrossEntropyTerm: ElementwiseTerm = {
  name: 'EntropySigmoidCrossEntropy',
  inputNames: ['labels', 'logits', 'posWeight'],
  value: (y, z, w) => maskedProduct(w * y, softplus(-z)) + maskedProduct(1 - y, softplus(z)),
  partials: [
    (_y, z, w) => w * softplus(-z) - softplus(z),
    (y, z, w) => (1 - y) * sigmoid(z) - w * y * sigmoid(-z),
    // The positive term's slope, 0 where it is held at 0.
    (y, z) => (y === 0 ? 0 : y * softplus(-z)),
  ],
};

/** The fused sigmoid cross-entropy: its kernels for cpu and wasm, and its gradient. */
export const fusedSigmoidCrossEntropy = elementwiseSumOp(sigmoidCrossEntropyTerm);
