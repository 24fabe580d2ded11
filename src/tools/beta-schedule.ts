/**
 * Schedules for β, the weight of the KL term in a β-VAE loss
 * reconstruction + β·KL: plain functions from the training step (or epoch,
 * as you count) to β, used by the examples and the tfjs-layers KL layer.
 */
import { readOptions, required, unchecked, withDefault, type OptionsOf } from '../machinery/options.js';
import { inRange, numberInRange, positiveNumber } from '../machinery/validate.js';

/** β as a function of the step (a number ≥ 0; fractional steps interpolate). */
export type BetaSchedule = (step: number) => number;

function checkStep(fn: string, step: number): number {
  return numberInRange(fn, 'step', step, 0, Infinity);
}

/**
 * A constant β (β = 1 is the plain ELBO; β > 1 the β-VAE of Higgins et al. 2017).
 *
 * @example
 * ```ts
 * constantBeta(4)(1000); // 4
 * ```
 */
export function constantBeta(beta = 1): BetaSchedule {
  numberInRange('constantBeta', 'beta', beta, 0, Infinity);
  return (step) => {
    checkStep('constantBeta', step);
    return beta;
  };
}

/** β after the warm-up or at the top of each cycle: a finite number ≥ 0. */
const MAX_BETA = withDefault(1, inRange(0, Infinity));
/** β before the warm-up or at the start of each cycle, ≤ `maxBeta` (checked against it once both are read). */
const MIN_BETA = withDefault<number>(0, unchecked);

/** The options of {@link linearWarmupBeta}. */
export const linearWarmupOptions = {
  /** Steps over which β rises linearly from `minBeta` to `maxBeta` (> 0). */
  warmupSteps: required(positiveNumber),
  /** β after the warm-up. Default 1. */
  maxBeta: MAX_BETA,
  /** β before and at the start of the warm-up, ≤ `maxBeta`. Default 0. */
  minBeta: MIN_BETA,
  /** Steps to hold `minBeta` before the warm-up begins. Default 0. */
  delaySteps: withDefault(0, inRange(0, Infinity)),
};

/** Options of {@link linearWarmupBeta}. */
export type LinearWarmupOptions = OptionsOf<typeof linearWarmupOptions>;

/**
 * KL annealing (Bowman et al. 2016): β = minBeta until `delaySteps`, then
 * rises linearly to `maxBeta` over `warmupSteps`, then stays there. Lets the
 * decoder learn to use the latent code before the KL term pulls it to the
 * prior (against posterior collapse).
 *
 * @example
 * ```ts
 * const beta = linearWarmupBeta({ warmupSteps: 1000 });
 * [beta(0), beta(500), beta(2000)]; // [0, 0.5, 1]
 * ```
 */
export function linearWarmupBeta(options: LinearWarmupOptions): BetaSchedule {
  const fn = 'linearWarmupBeta';
  const { warmupSteps, maxBeta, minBeta, delaySteps } = readOptions(fn, linearWarmupOptions, options);
  numberInRange(fn, 'minBeta', minBeta, 0, maxBeta);
  return (step) => {
    const progress = Math.min(1, Math.max(0, (checkStep(fn, step) - delaySteps) / warmupSteps));
    return minBeta + (maxBeta - minBeta) * progress;
  };
}

/** The options of {@link cyclicalBeta}. */
export const cyclicalOptions = {
  /** Length of one cycle in steps (> 0). */
  cycleSteps: required(positiveNumber),
  /** Fraction of each cycle spent rising from `minBeta` to `maxBeta`, in (0, 1]. Default 0.5. */
  rampFraction: withDefault(0.5, (fn, name, value: number) => numberInRange(fn, name, positiveNumber(fn, name, value), 0, 1)),
  /** β at the top of each cycle. Default 1. */
  maxBeta: MAX_BETA,
  /** β at the start of each cycle, ≤ `maxBeta`. Default 0. */
  minBeta: MIN_BETA,
  /** Number of cycles (> 0); after them β stays at `maxBeta`. Default: cycles forever. */
  cycles: withDefault(Infinity, (fn, name, value: number) => (value === Infinity ? value : positiveNumber(fn, name, value))),
};

/** Options of {@link cyclicalBeta}. */
export type CyclicalOptions = OptionsOf<typeof cyclicalOptions>;

/**
 * Cyclical annealing (Fu et al. 2019): each cycle of `cycleSteps` starts at
 * `minBeta`, rises linearly to `maxBeta` over the first `rampFraction` of the
 * cycle and holds it for the rest; repeated `cycles` times.
 *
 * @example
 * ```ts
 * const beta = cyclicalBeta({ cycleSteps: 100 });
 * [beta(0), beta(25), beta(60), beta(100)]; // [0, 0.5, 1, 0]
 * ```
 */
export function cyclicalBeta(options: CyclicalOptions): BetaSchedule {
  const fn = 'cyclicalBeta';
  const { cycleSteps, rampFraction, maxBeta, minBeta, cycles } = readOptions(fn, cyclicalOptions, options);
  numberInRange(fn, 'minBeta', minBeta, 0, maxBeta);
  return (step) => {
    const s = checkStep(fn, step);
    if (s >= cycles * cycleSteps) return maxBeta;
    const phase = (s % cycleSteps) / cycleSteps;
    return minBeta + (maxBeta - minBeta) * Math.min(1, phase / rampFraction);
  };
}
