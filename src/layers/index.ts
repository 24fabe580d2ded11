/**
 * tfjs-entropy/layers: the losses for `model.compile`, the VAE sampling layer
 * and a progress callback for `model.fit` (API.md §5). Also available as the
 * `layers` namespace of the main entry point.
 *
 * Importing this module registers {@link VAESampling} with
 * `tf.serialization`, so saved models that use it reload.
 *
 * @packageDocumentation
 */
export {
  binaryCrossentropy,
  binaryFocalCrossentropy,
  categoricalCrossentropy,
  categoricalFocalCrossentropy,
  kullbackLeiblerDivergence,
  sparseCategoricalCrossentropy,
} from './loss-functions.js';
export type {
  BinaryCrossentropyOptions,
  BinaryFocalCrossentropyOptions,
  CategoricalCrossentropyOptions,
  CategoricalFocalCrossentropyOptions,
  KullbackLeiblerDivergenceOptions,
  LayersLoss,
  SparseCategoricalCrossentropyOptions,
} from './loss-functions.js';
export { VAESampling } from './vae-sampling.js';
export type { BetaScheduleConfig, KLReport, VAESamplingArgs } from './vae-sampling.js';
export { ProgressLogger } from './progress.js';
export type { ProgressLoggerOptions, ProgressStream } from './progress.js';
