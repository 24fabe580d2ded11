/**
 * Float64 references of the generative regularisers and continuous measures,
 * written from the textbook formulas (not from this package's code). One
 * sample at a time: a plain array over the last (event) axis.
 */
import { logSoftmax64 } from './classification-reference.js';

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const LOG_2PI = Math.log(2 * Math.PI);

/** Differential entropy of N(μ, diag e^lv): ½ Σ (log 2πe + lv). */
export const gaussianEntropy64 = (_mean: number[], logVar: number[]): number =>
  0.5 * sum(logVar.map((lv) => LOG_2PI + 1 + lv));

/** −∫ p log q for diagonal Gaussians. */
export const gaussianCrossEntropy64 = (mp: number[], lvp: number[], mq: number[], lvq: number[]): number =>
  0.5 * sum(mp.map((m, d) => LOG_2PI + lvq[d]! + (Math.exp(lvp[d]!) + (m - mq[d]!) ** 2) / Math.exp(lvq[d]!)));

/** Per-dimension KL(N(mp, e^lvp) ‖ N(mq, e^lvq)) = log(σq/σp) + (σp² + Δ²)/(2σq²) − ½. */
export const gaussianKLPerDimension64 = (mp: number[], lvp: number[], mq: number[], lvq: number[]): number[] =>
  mp.map((m, d) => 0.5 * (lvq[d]! - lvp[d]!) + (Math.exp(lvp[d]!) + (m - mq[d]!) ** 2) / (2 * Math.exp(lvq[d]!)) - 0.5);

/** KL(softmax(p/T) ‖ softmax(q/T)) for one distribution. */
export function categoricalKL64(p: number[], q: number[], temperature = 1): number {
  const logPi = logSoftmax64(p.map((v) => v / temperature));
  const logRho = logSoftmax64(q.map((v) => v / temperature));
  return sum(logPi.map((lp, c) => Math.exp(lp) * (lp - logRho[c]!)));
}

/** log σ(x) = −softplus(−x), accurate in float64 for every x. */
const logSigmoid = (x: number): number => -(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));

/** Σ_d KL(Bern(σ(a_d)) ‖ Bern(σ(b_d))) = s·log(s/t) + (1 − s)·log((1 − s)/(1 − t)), in log space (any logits). */
export const bernoulliKL64 = (a: number[], b: number[]): number =>
  sum(
    a.map((ad, d) => {
      const [logS, log1mS, logT, log1mT] = [logSigmoid(ad), logSigmoid(-ad), logSigmoid(b[d]!), logSigmoid(-b[d]!)];
      return Math.exp(logS) * (logS - logT) + Math.exp(log1mS) * (log1mS - log1mT);
    }),
  );

/** Schulman's k1, k2, k3 per sample from log P and log Q. */
export function monteCarloTerm64(estimator: 'k1' | 'k2' | 'k3', logP: number, logQ: number): number {
  const logRatio = logQ - logP;
  if (estimator === 'k1') return -logRatio;
  if (estimator === 'k2') return 0.5 * logRatio ** 2;
  return Math.exp(logRatio) - 1 - logRatio;
}
