/**
 * Schedules for β, the weight of the KL term in a β-VAE loss
 * reconstruction + β·KL: plain functions from the training step (or epoch,
 * as you count) to β, used by the examples and the tfjs-layers KL layer.
 */
import { assertKnownOptions, numberInRange, positiveNumber } from './validate.js';

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

/** Options of {@link linearWarmupBeta}. */
export interface LinearWarmupOptions {
  /** Steps over which β rises linearly from `minBeta` to `maxBeta` (> 0). */
  readonly warmupSteps: number;
  /** β after the warm-up. Default 1. */
  readonly maxBeta?: number | undefined;
  /** β before and at the start of the warm-up, ≤ `maxBeta`. Default 0. */
  readonly minBeta?: number | undefined;
  /** Steps to hold `minBeta` before the warm-up begins. Default 0. */
  readonly delaySteps?: number | undefined;
}

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
  assertKnownOptions(fn, options, ['warmupSteps', 'maxBeta', 'minBeta', 'delaySteps']);
  const { warmupSteps, maxBeta = 1, minBeta = 0, delaySteps = 0 } = options;
  positiveNumber(fn, 'warmupSteps', warmupSteps);
  numberInRange(fn, 'maxBeta', maxBeta, 0, Infinity);
  numberInRange(fn, 'minBeta', minBeta, 0, maxBeta);
  numberInRange(fn, 'delaySteps', delaySteps, 0, Infinity);
  return (step) => {
    const progress = Math.min(1, Math.max(0, (checkStep(fn, step) - delaySteps) / warmupSteps));
    return minBeta + (maxBeta - minBeta) * progress;
  };
}

/** Options of {@link cyclicalBeta}. */
export interface CyclicalOptions {
  /** Length of one cycle in steps (> 0). */
  readonly cycleSteps: number;
  /** Fraction of each cycle spent rising from `minBeta` to `maxBeta`, in (0, 1]. Default 0.5. */
  readonly rampFraction?: number | undefined;
  /** β at the top of each cycle. Default 1. */
  readonly maxBeta?: number | undefined;
  /** β at the start of each cycle. Default 0. */
  readonly minBeta?: number | undefined;
  /** Number of cycles; after them β stays at `maxBeta`. Default: cycles forever. */
  readonly cycles?: number | undefined;
}

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
  assertKnownOptions(fn, options, ['cycleSteps', 'rampFraction', 'maxBeta', 'minBeta', 'cycles']);
  const { cycleSteps, rampFraction = 0.5, maxBeta = 1, minBeta = 0, cycles = Infinity } = options;
  positiveNumber(fn, 'cycleSteps', cycleSteps);
  positiveNumber(fn, 'rampFraction', rampFraction);
  numberInRange(fn, 'rampFraction', rampFraction, 0, 1);
  numberInRange(fn, 'maxBeta', maxBeta, 0, Infinity);
  numberInRange(fn, 'minBeta', minBeta, 0, maxBeta);
  if (cycles !== Infinity) positiveNumber(fn, 'cycles', cycles);
  return (step) => {
    const s = checkStep(fn, step);
    if (s >= cycles * cycleSteps) return maxBeta;
    const phase = (s % cycleSteps) / cycleSteps;
    return minBeta + (maxBeta - minBeta) * Math.min(1, phase / rampFraction);
  };
}
