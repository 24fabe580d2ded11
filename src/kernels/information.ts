/**
 * The information measures fused, as elementwise terms summed along the
 * class axis (elementwise-sum.ts), in nats (the caller divides by ln base):
 * H(p) = −Σ p log p, H(p, q) = −Σ p log q, D_KL(p ‖ q) = Σ p (log p − log q),
 * JS(p, q) = ½ D_KL(p ‖ m) + ½ D_KL(q ‖ m) with m = (p + q)/2.
 *
 * The 0·log 0 = 0 rule and the NaN rule of src/machinery/numerics.ts, for
 * numbers: a term whose weight is 0 is 0 unless what it weighs is NaN; in
 * gradients a held term is a constant, its slope 0.
 */
import { elementwiseSumOp, type ElementwiseTerm, type SimdTerm } from './elementwise-sum.js';
import { maskedProduct } from './sigmoid-cross-entropy.js';

/** x·log y, 0 where x = 0 and log y is not NaN. */
const xlogy = (x: number, y: number) => maskedProduct(x, Math.log(y));

/** ∂(x·log y)/∂x: log y, 0 where x = y = 0 (the held term). */
const xlogyDx = (x: number, y: number) => (x === 0 && y === 0 ? 0 : Math.log(y));

/** ∂(x·log y)/∂y: x/y, 0 where x = 0. */
const xlogyDy = (x: number, y: number) => (x === 0 ? 0 : x / y);

/** x·(log x − ℓ), 0 where x = 0 and ℓ is not NaN: the log difference first, so x = y gives exactly 0. */
const relativeEntropy = (x: number, logY: number) => maskedProduct(x, Math.log(x === 0 ? 1 : x) - logY);

/** φ'(x) = d(x log x)/dx = log x + 1, 0 at x = 0. */
const xLogXDerivative = (x: number) => xlogyDx(x, x) + xlogyDy(x, x);

/** log m for m = (p + q)/2, exact in float64 for float32 p and q. */
const logMixture = (p: number, q: number) => Math.log((p + q) / 2);

/** φ'(m), 0 where m = 0. */
const mixtureDerivative = (p: number, q: number) => (p + q === 0 ? 0 : logMixture(p, q) + 1);

/**
 * A measure in the SIMD module (`informationMeasure`, its code there): the
 * row sums, and the gradients of p and q (entropy reads p as both).
 */
function simdMeasure(code: number): SimdTerm {
  return {
    forward(simd, { places, sizes, rows, columns }, output, sumRows) {
      if (!sumRows || sizes[0] !== (sizes[1] ?? sizes[0])) return false;
      simd.informationMeasure(code, places[0]!, places[1] ?? places[0]!, output, rows, columns);
      return true;
    },
    gradient(simd, { places, sizes, rows, columns }, input, dy, gradient, dyPerRow) {
      if (!dyPerRow || sizes[0] !== (sizes[1] ?? sizes[0])) return false;
      simd.informationMeasureGrad(code, dy, places[0]!, places[1] ?? places[0]!, gradient, rows, columns, input);
      return true;
    },
  };
}

/** The GLSL of the rules above (log0 and masked: elementwise-sum.webgl.ts). */
const GLSL_MEASURES = `
  float xlogyDx(float x, float y) { return (x == 0.0 && y == 0.0) ? 0.0 : log0(y); }
  float xlogyDy(float x, float y) { return x == 0.0 ? 0.0 : x / y; }
  float xLogXDerivative(float x) { return xlogyDx(x, x) + xlogyDy(x, x); }
  float relativeEntropy(float x, float logY) { return masked(x, log0(x == 0.0 ? 1.0 : x) - logY); }
  float logMixture(float p, float q) { float s = p + q; return s < 2.3509887e-38 ? log0(s) - 0.6931471805599453 : log0(s * 0.5); }
  float mixtureDerivative(float p, float q) { return p + q == 0.0 ? 0.0 : logMixture(p, q) + 1.0; }
`;

/** A measure's GLSL: a is p, b is q. */
const glslMeasure = (value: string, partials: string[]) => ({ functions: GLSL_MEASURES, value, partials });

export const entropyTerm: ElementwiseTerm = {
  name: 'EntropyEntropy',
  inputNames: ['p'],
  value: (p) => -xlogy(p, p),
  partials: [(p) => -xLogXDerivative(p)],
  simd: simdMeasure(0),
  glsl: glslMeasure('-masked(a, log0(a))', ['-xLogXDerivative(a)']),
};

export const crossEntropyTerm: ElementwiseTerm = {
  name: 'EntropyCrossEntropy',
  inputNames: ['p', 'q'],
  value: (p, q) => -xlogy(p, q),
  partials: [(p, q) => -xlogyDx(p, q), (p, q) => -xlogyDy(p, q)],
  simd: simdMeasure(1),
  glsl: glslMeasure('-masked(a, log0(b))', ['-xlogyDx(a, b)', '-xlogyDy(a, b)']),
};

export const klDivergenceTerm: ElementwiseTerm = {
  name: 'EntropyKLDivergence',
  inputNames: ['p', 'q'],
  value: (p, q) => relativeEntropy(p, Math.log(q)),
  partials: [(p, q) => xLogXDerivative(p) - xlogyDx(p, q), (p, q) => -xlogyDy(p, q)],
  simd: simdMeasure(2),
  glsl: glslMeasure('relativeEntropy(a, log0(b))', ['xLogXDerivative(a) - xlogyDx(a, b)', '-xlogyDy(a, b)']),
};

export const jsDivergenceTerm: ElementwiseTerm = {
  name: 'EntropyJSDivergence',
  inputNames: ['p', 'q'],
  value: (p, q) => 0.5 * (relativeEntropy(p, logMixture(p, q)) + relativeEntropy(q, logMixture(p, q))),
  partials: [(p, q) => 0.5 * (xLogXDerivative(p) - mixtureDerivative(p, q)), (p, q) => 0.5 * (xLogXDerivative(q) - mixtureDerivative(p, q))],
  simd: simdMeasure(3),
  glsl: glslMeasure('0.5 * (relativeEntropy(a, logMixture(a, b)) + relativeEntropy(b, logMixture(a, b)))', ['0.5 * (xLogXDerivative(a) - mixtureDerivative(a, b))', '0.5 * (xLogXDerivative(b) - mixtureDerivative(a, b))']),
};

/** The fused measures, by term. */
export const fusedMeasures = new Map([entropyTerm, crossEntropyTerm, klDivergenceTerm, jsDivergenceTerm].map((term) => [term, elementwiseSumOp(term)]));
