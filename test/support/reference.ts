/**
 * Float64 reference implementations of the information measures and their
 * gradients, in plain TypeScript: the oracle the tfjs ops are tested against.
 *
 * One distribution at a time (a plain array); the same 0·log 0 convention as
 * losses/information.ts: a term with p = 0 is 0, φ'(0) = 0 for φ(x) = x log x,
 * ∂(p log q)/∂q = 0 at p = 0, and ∂(p log q)/∂p = 0 at p = q = 0.
 */

export interface Measured {
  value: number;
  /** ∂value/∂(each input), one array per input. */
  gradients: number[][];
}

const xLogX = (x: number): number => (x === 0 ? 0 : x * Math.log(x));
const xLogXDerivative = (x: number): number => (x === 0 ? 0 : Math.log(x) + 1);
const relativeEntropyTerm = (p: number, q: number): number => (p === 0 ? 0 : p * Math.log(p / q));
const ratioOrZero = (p: number, q: number): number => (p === 0 ? 0 : p / q);
const logQOrZero = (p: number, q: number): number => (p === 0 && q === 0 ? 0 : Math.log(q));
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
const inBase = (m: Measured, base: number): Measured => ({
  value: m.value / Math.log(base),
  gradients: m.gradients.map((g) => g.map((x) => x / Math.log(base))),
});

export function entropy64(p: readonly number[], base = Math.E): Measured {
  return inBase({ value: -sum(p.map(xLogX)), gradients: [p.map((x) => -xLogXDerivative(x))] }, base);
}

export function crossEntropy64(p: readonly number[], q: readonly number[], base = Math.E): Measured {
  return inBase(
    {
      value: -sum(p.map((pi, i) => (pi === 0 ? 0 : pi * Math.log(q[i]!)))),
      gradients: [q.map((qi, i) => -logQOrZero(p[i]!, qi)), p.map((pi, i) => -ratioOrZero(pi, q[i]!))],
    },
    base,
  );
}

export function klDivergence64(p: readonly number[], q: readonly number[], base = Math.E): Measured {
  return inBase(
    {
      value: sum(p.map((pi, i) => relativeEntropyTerm(pi, q[i]!))),
      gradients: [
        p.map((pi, i) => xLogXDerivative(pi) - logQOrZero(pi, q[i]!)),
        p.map((pi, i) => -ratioOrZero(pi, q[i]!)),
      ],
    },
    base,
  );
}

export function jsDivergence64(p: readonly number[], q: readonly number[], base = Math.E): Measured {
  const m = p.map((pi, i) => (pi + q[i]!) / 2);
  return inBase(
    {
      value: sum(p.map((pi, i) => relativeEntropyTerm(pi, m[i]!) / 2 + relativeEntropyTerm(q[i]!, m[i]!) / 2)),
      gradients: [
        p.map((pi, i) => (xLogXDerivative(pi) - xLogXDerivative(m[i]!)) / 2),
        q.map((qi, i) => (xLogXDerivative(qi) - xLogXDerivative(m[i]!)) / 2),
      ],
    },
    base,
  );
}

/** Unit roundoff of float32, 2⁻²⁴. */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/**
 * A bound on the float32 rounding error of a measure of one distribution of
 * C entries, from the standard error model: each entry's term (a log, a
 * product, a difference, a division by ln(base)) is off by at most a few
 * units of roundoff of |p|·(|log p| + |log q| + 1), with 8 allowing for a log
 * accurate to a few ulp; a float32 sum of C terms adds at most (C − 1)·u·Σ|term|
 * (the wasm backend accumulates in float32).
 */
export function float32ValueBound(p: readonly number[], q: readonly number[], base = Math.E): number {
  // Terms held at 0 (p = 0) are exact; a term with q = 0 < p is +Infinity, compared exactly.
  const scale = sum(p.map((pi, i) => (pi === 0 || q[i] === 0 ? 0 : pi * (Math.abs(Math.log(pi)) + Math.abs(Math.log(q[i]!)) + 1))));
  return ((8 + p.length) * FLOAT32_UNIT_ROUNDOFF * scale) / Math.log(base);
}

/**
 * A bound on the float32 rounding error of one gradient entry: a few units
 * of roundoff of the magnitudes that entry is computed from.
 */
export function float32GradientBound(pi: number, qi: number, base = Math.E): number {
  const logs = (pi === 0 ? 0 : Math.abs(Math.log(pi))) + (qi === 0 ? 0 : Math.abs(Math.log(qi))) + 1;
  const ratio = qi === 0 ? 0 : Math.abs(ratioOrZero(pi, qi));
  return (8 * FLOAT32_UNIT_ROUNDOFF * (logs + ratio)) / Math.log(base);
}
