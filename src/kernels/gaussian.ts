/**
 * The diagonal-Gaussian measures fused, as elementwise terms of
 * (μ_P, log σ_P², μ_Q, log σ_Q²) summed over the last axis
 * (elementwise-sum.ts); Δ = μ_P − μ_Q, r = log σ_P² − log σ_Q².
 */
import { elementwiseSumOp, type ElementwiseTerm, type SimdTerm } from './elementwise-sum.js';

/**
 * A Gaussian measure in the SIMD module (`gaussian`, its code there): the
 * terms or row sums, and the gradients of μ_P and log σ_P² (those of Q's
 * parameters, sums where Q is broadcast, run in JavaScript).
 */
function simdGaussian(code: number): SimdTerm {
  return {
    forward(simd, { places: [meanP, logVarP, meanQ, logVarQ], sizes, rows, columns }, output, sumRows) {
      if (sizes[0] !== sizes[1]) return false;
      simd.gaussian(code, meanP!, logVarP!, meanQ!, logVarQ!, sizes[2]!, sizes[3]!, output, rows, columns, sumRows);
      return true;
    },
    gradient(simd, { places: [meanP, logVarP, meanQ, logVarQ], sizes, rows, columns }, input, dy, gradient, dyPerRow) {
      if (input > 1 || sizes[0] !== sizes[1]) return false;
      simd.gaussianGrad(code, dy, meanP!, logVarP!, meanQ!, logVarQ!, sizes[2]!, sizes[3]!, gradient, rows, columns, dyPerRow, input);
      return true;
    },
  };
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Δ²/σ_Q². */
const scaledSquare = (meanP: number, meanQ: number, logVarQ: number) => (meanP - meanQ) ** 2 * Math.exp(-logVarQ);

/** Δ/σ_Q². */
const scaledDifference = (meanP: number, meanQ: number, logVarQ: number) => (meanP - meanQ) * Math.exp(-logVarQ);

/** Δ²/σ_Q² in GLSL: a, b, c, d are μ_P, log σ_P², μ_Q, log σ_Q². */
const GLSL_GAUSSIAN = `
  float scaledSquare(float mp, float mq, float vq) { float d = mp - mq; return d * d * expNaN(-vq); }
`;

/** D_KL(P ‖ Q) = ½[expm1(r) − r + Δ²/σ_Q²]: expm1(r) − r is exact as r → 0. */
export const gaussianKLTerm: ElementwiseTerm = {
  name: 'EntropyGaussianKL',
  inputNames: ['meanP', 'logVarP', 'meanQ', 'logVarQ'],
  value: (mp, vp, mq, vq) => 0.5 * (Math.expm1(vp - vq) - (vp - vq) + scaledSquare(mp, mq, vq)),
  partials: [
    (mp, _vp, mq, vq) => scaledDifference(mp, mq, vq),
    (_mp, vp, _mq, vq) => 0.5 * Math.expm1(vp - vq),
    (mp, _vp, mq, vq) => -scaledDifference(mp, mq, vq),
    (mp, vp, mq, vq) => -(0.5 * Math.expm1(vp - vq) + 0.5 * scaledSquare(mp, mq, vq)),
  ],
  glsl: {
    functions: GLSL_GAUSSIAN,
    value: '0.5 * (expm1Small(b - d) - (b - d) + scaledSquare(a, c, d))',
    partials: ['(a - c) * expNaN(-d)', '0.5 * expm1Small(b - d)', '-(a - c) * expNaN(-d)', '-(0.5 * expm1Small(b - d) + 0.5 * scaledSquare(a, c, d))'],
  },
  simd: simdGaussian(0),
};

/** H(P, Q) = ½[log 2π + log σ_Q² + (σ_P² + Δ²)/σ_Q²]. */
export const gaussianCrossEntropyTerm: ElementwiseTerm = {
  name: 'EntropyGaussianCrossEntropy',
  inputNames: ['meanP', 'logVarP', 'meanQ', 'logVarQ'],
  value: (mp, vp, mq, vq) => 0.5 * (LOG_2PI + vq + (Math.exp(vp - vq) + scaledSquare(mp, mq, vq))),
  partials: [
    (mp, _vp, mq, vq) => scaledDifference(mp, mq, vq),
    (_mp, vp, _mq, vq) => 0.5 * Math.exp(vp - vq),
    (mp, _vp, mq, vq) => -scaledDifference(mp, mq, vq),
    (mp, vp, mq, vq) => 0.5 * (1 - (Math.exp(vp - vq) + scaledSquare(mp, mq, vq))),
  ],
  glsl: {
    functions: GLSL_GAUSSIAN,
    value: '0.5 * (1.8378770664093453 + d + (expNaN(b - d) + scaledSquare(a, c, d)))',
    partials: ['(a - c) * expNaN(-d)', '0.5 * expNaN(b - d)', '-(a - c) * expNaN(-d)', '0.5 * (1.0 - (expNaN(b - d) + scaledSquare(a, c, d)))'],
  },
  simd: simdGaussian(1),
};

export const fusedGaussianKL = elementwiseSumOp(gaussianKLTerm);
export const fusedGaussianCrossEntropy = elementwiseSumOp(gaussianCrossEntropyTerm);
