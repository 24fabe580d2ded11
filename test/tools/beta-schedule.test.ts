/** β schedules: their values at known steps, their shapes, and their errors. */
import { fc, it } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { constantBeta, cyclicalBeta, linearWarmupBeta } from '../../src/index.js';

describe('β schedules', () => {
  test('constantBeta is constant', () => {
    const beta = constantBeta(4);
    expect([0, 10, 1e6].map(beta)).toEqual([4, 4, 4]);
    expect(constantBeta()(7)).toBe(1);
  });

  test('linearWarmupBeta: hold, ramp, then stay (Bowman et al. 2016)', () => {
    const beta = linearWarmupBeta({ warmupSteps: 100, delaySteps: 50, minBeta: 0.1, maxBeta: 2 });
    expect([0, 50, 100, 150, 1000].map(beta)).toEqual([0.1, 0.1, 0.1 + 1.9 * 0.5, 2, 2]);
    expect([0, 500, 2000].map(linearWarmupBeta({ warmupSteps: 1000 }))).toEqual([0, 0.5, 1]);
  });

  test('cyclicalBeta: ramp over the first half of each cycle, then hold (Fu et al. 2019)', () => {
    const beta = cyclicalBeta({ cycleSteps: 100 });
    expect([0, 25, 50, 60, 99, 100, 125].map(beta)).toEqual([0, 0.5, 1, 1, 1, 0, 0.5]);
    const twoCycles = cyclicalBeta({ cycleSteps: 10, cycles: 2, rampFraction: 1, minBeta: 0.2, maxBeta: 0.8 });
    expect([0, 5, 10, 15, 20, 25].map(twoCycles)).toEqual([0.2, 0.5, 0.2, 0.5, 0.8, 0.8]);
  });

  it.prop([fc.double({ min: 0, max: 1e5, noNaN: true }), fc.integer({ min: 1, max: 500 }), fc.double({ min: 0.05, max: 1, noNaN: true })])(
    'every schedule stays within [min β, max β]',
    (step, steps, rampFraction) => {
      const warm = linearWarmupBeta({ warmupSteps: steps, maxBeta: 3 })(step);
      const cyclic = cyclicalBeta({ cycleSteps: steps, rampFraction, maxBeta: 3, minBeta: 1 })(step);
      expect(warm).toBeGreaterThanOrEqual(0);
      expect(warm).toBeLessThanOrEqual(3);
      expect(cyclic).toBeGreaterThanOrEqual(1);
      expect(cyclic).toBeLessThanOrEqual(3);
    },
  );

  test.each([
    [() => constantBeta(-1), 'constantBeta: beta must be a finite number ≥ 0, got -1'],
    [() => linearWarmupBeta({ warmupSteps: 0 }), 'linearWarmupBeta: warmupSteps must be a finite number > 0, got 0'],
    [() => cyclicalBeta({ cycleSteps: 10, rampFraction: 1.5 }), 'cyclicalBeta: rampFraction must be a finite number in [0, 1], got 1.5'],
    [() => cyclicalBeta({ cycleSteps: 10, minBeta: 2 }), 'cyclicalBeta: minBeta must be a finite number in [0, 1], got 2'],
    [() => linearWarmupBeta({ warmupSteps: 10 })(-1), 'linearWarmupBeta: step must be a finite number ≥ 0, got -1'],
    [() => cyclicalBeta({ cycleSteps: 10 })(NaN), 'cyclicalBeta: step must be a finite number ≥ 0, got NaN'],
    [() => linearWarmupBeta({ warmupSteps: 10, maxbeta: 2 } as never), "linearWarmupBeta: unknown option 'maxbeta' (expected one of: warmupSteps, maxBeta, minBeta, delaySteps)"],
    [() => cyclicalBeta({ cycleSteps: 10, cycle: 3 } as never), "cyclicalBeta: unknown option 'cycle'"],
    [() => linearWarmupBeta({ warmupSteps: 10, maxBeta: null } as never), "linearWarmupBeta: option 'maxBeta' is null"],
  ])('%#: bad parameters throw', (call, message) => {
    expect(call).toThrowError(message);
  });
});
