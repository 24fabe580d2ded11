/**
 * Type-level tests: `npm test` type-checks this file (tsc --noEmit) before
 * vitest runs it, so each `@ts-expect-error` below must be a real type error
 * (a misspelt option, a wrong reduction name) or the type-check fails.
 */
import type * as tf from '@tensorflow/tfjs';
import { expectTypeOf, test } from 'vitest';
import {
  checkGradients,
  entropy,
  gaussianKL,
  layers,
  softmaxCrossEntropy,
  type GradientCheckResult,
  type Reduction,
} from '../src/index.js';

test('public signatures have precise types', () => {
  expectTypeOf(entropy).returns.toEqualTypeOf<tf.Tensor>();
  expectTypeOf(checkGradients).returns.toEqualTypeOf<GradientCheckResult>();
  expectTypeOf<Reduction>().toEqualTypeOf<'none' | 'sum' | 'mean'>();
  expectTypeOf(layers.sparseCategoricalCrossentropy()).toEqualTypeOf<layers.LayersLoss>();
  expectTypeOf<layers.LayersLoss>().parameters.toEqualTypeOf<[tf.Tensor, tf.Tensor]>();
  expectTypeOf(new layers.VAESampling().lastKL()).toEqualTypeOf<layers.KLReport | null>();
});

test('misspelt options and wrong values are type errors', () => {
  const check = (): unknown[] => [
    // @ts-expect-error: a misspelt option
    () => softmaxCrossEntropy([[1]], [[1]], { labelSmothing: 0.1 }),
    // @ts-expect-error: an unknown reduction
    () => softmaxCrossEntropy([[1]], [[1]], { reduction: 'avg' }),
    // @ts-expect-error: freeBits is a number
    () => gaussianKL([[0]], [[0]], { freeBits: '0.1' }),
    // @ts-expect-error: fromLogits is a boolean
    () => layers.categoricalCrossentropy({ fromLogits: 'yes' }),
    // @ts-expect-error: a schedule kind that does not exist
    () => new layers.VAESampling({ beta: { kind: 'sigmoid', beta: 1 } }),
  ];
  expectTypeOf(check).toBeFunction();
});

test('an option may be undefined (its default), also under exactOptionalPropertyTypes; null is a type error', () => {
  const maybe = (): number | undefined => undefined;
  const check = (): unknown[] => [
    () => entropy([0.5, 0.5], { base: maybe(), axis: undefined }),
    () => softmaxCrossEntropy([[1]], [[1]], { labelSmoothing: maybe(), weights: undefined, reduction: undefined }),
    () => layers.binaryCrossentropy({ fromLogits: undefined, labelSmoothing: maybe() }),
    // @ts-expect-error: null is not a default (it throws at run time)
    () => entropy([0.5, 0.5], { base: null }),
  ];
  expectTypeOf(check).toBeFunction();
});
