/**
 * A tfjs-layers layer for variational autoencoders (API.md §5): it turns the
 * encoder's `[mean, logVar]` into a reparameterised sample z and adds
 * β·D_KL(N(mean, e^logVar) ‖ N(0, I)) to the model's losses, so that
 * `model.fit` minimises reconstruction + β·KL.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { layers as tfLayers, type Shape } from '@tensorflow/tfjs-layers';
import { gaussianKL, standardNormalKLPerDimension } from '../../losses/gaussian.js';
import {
  constantBeta,
  cyclicalBeta,
  linearWarmupBeta,
  type BetaSchedule,
  type CyclicalOptions,
  type LinearWarmupOptions,
} from '../tools/beta-schedule.js';
import { formatShape, numberInRange } from '../machinery/validate.js';

/** A β schedule as plain data, so that it is saved with the model. */
export type BetaScheduleConfig =
  | { readonly kind: 'constant'; readonly beta: number }
  | ({ readonly kind: 'linearWarmup' } & LinearWarmupOptions)
  | ({ readonly kind: 'cyclical' } & CyclicalOptions);

/** Arguments of {@link VAESampling}, all saved with the model. */
export interface VAESamplingArgs {
  /** β, a number or a schedule over training steps (batches). Default 1. */
  readonly beta?: number | BetaScheduleConfig | undefined;
  /** Free bits λ (nats per latent dimension), as `gaussianKL`'s `freeBits`. Default none. */
  readonly freeBits?: number | undefined;
  /** The training step the β schedule starts from (saved, so a reloaded model resumes it). Default 0. */
  readonly step?: number | undefined;
  /** Seed of the sampling noise (then step-dependent, so each step draws anew). Default: unseeded. */
  readonly seed?: number | undefined;
  /** The layer's name, as for any tfjs layer. */
  readonly name?: string | undefined;
  /** As for any tfjs layer (the layer has no weights of its own). */
  readonly trainable?: boolean | undefined;
}

/** The last training batch's KL, for logging: batch means in nats, before β and free bits. */
export interface KLReport {
  readonly total: number;
  readonly perDimension: number[];
}

/** The β schedule a config describes (a number is a constant β). */
function scheduleOf(beta: number | BetaScheduleConfig): BetaSchedule {
  if (typeof beta === 'number') return constantBeta(beta);
  const { kind, ...options } = beta;
  if (kind === 'constant') return constantBeta((options as { beta: number }).beta);
  if (kind === 'linearWarmup') return linearWarmupBeta(options as LinearWarmupOptions);
  if (kind === 'cyclical') return cyclicalBeta(options as CyclicalOptions);
  throw new Error(`VAESampling: beta.kind must be 'constant', 'linearWarmup' or 'cyclical', got ${JSON.stringify(kind)}`);
}

/**
 * Reparameterised sampling with a KL penalty, for VAEs.
 *
 * Inputs `[mean, logVar]`, each `[batch, latent]`. Output z of the same
 * shape: in training (`fit`), z = mean + exp(logVar/2)·ε with ε ~ N(0, I);
 * otherwise (`predict`, `evaluate`) z = mean, so that encoding is
 * deterministic. In each training call it adds β(step)·`gaussianKL(mean,
 * logVar, {freeBits})` (the batch mean, standard-normal prior) to the
 * model's losses, and counts one step.
 *
 * tfjs 4.22 quirks this handles: the loss is registered once (in `build`) and
 * reads the value computed by the current `call`, since `addLoss` inside
 * `call` accumulates closures; `evaluate` ignores layer losses (as tfjs does
 * for every layer loss), so the evaluated loss is the reconstruction alone.
 * Outside `fit`, tfjs's `model.apply(x, {training: true})` does not pass
 * `training` to layers; call the layer itself for a training-mode sample.
 * An instance can be used once in a model.
 *
 * Registered with `tf.serialization.registerClass`, so a saved model reloads
 * with `tf.loadLayersModel` once this package is imported.
 *
 * @example
 * ```ts
 * const z = new VAESampling({ beta: { kind: 'linearWarmup', warmupSteps: 1000 }, freeBits: 0.1 })
 *   .apply([mean, logVar]) as tf.SymbolicTensor;
 * ```
 */
export class VAESampling extends tfLayers.Layer {
  static className = 'VAESampling';
  private readonly betaConfig: number | BetaScheduleConfig;
  private readonly schedule: BetaSchedule;
  private readonly freeBits: number | undefined;
  private readonly seed: number | undefined;
  /** Training steps taken, the β schedule's position. */
  step: number;
  /** β·KL of the current training call, read by the loss registered in `build`. */
  private currentLoss: Tensor | null = null;
  /** Batch-mean KL per latent dimension of the last training call, kept across steps for logging. */
  private lastPerDimension: Tensor | null = null;

  constructor(args: VAESamplingArgs = {}) {
    super({ ...(args.name !== undefined && { name: args.name }), ...(args.trainable !== undefined && { trainable: args.trainable }) });
    this.betaConfig = args.beta ?? 1;
    this.schedule = scheduleOf(this.betaConfig);
    this.freeBits = args.freeBits === undefined ? undefined : numberInRange('VAESampling', 'freeBits', args.freeBits, 0, Infinity);
    this.step = numberInRange('VAESampling', 'step', args.step ?? 0, 0, Infinity);
    this.seed = args.seed;
  }

  /** β at the current step. */
  get beta(): number {
    return this.schedule(this.step);
  }

  override build(inputShape: Shape | Shape[]): void {
    const shapes = inputShape as Shape[];
    const sameShape = (a: Shape | undefined, b: Shape | undefined) => JSON.stringify(a) === JSON.stringify(b);
    if (!Array.isArray(shapes[0]) || shapes.length !== 2 || !sameShape(shapes[0], shapes[1])) {
      throw new Error(`VAESampling: expects two inputs [mean, logVar] of one shape, got ${JSON.stringify(inputShape)}`);
    }
    // Registered once; returns the KL of the training call that just ran (0 before any).
    this.addLoss(() => (this.currentLoss === null || this.currentLoss.isDisposed ? tf.scalar(0) : this.currentLoss) as tf.Scalar);
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (inputShape as Shape[])[0] as Shape;
  }

  override call(inputs: Tensor | Tensor[], kwargs: { training?: boolean }): Tensor {
    const [mean, logVar] = inputs as Tensor[];
    if (mean === undefined || logVar === undefined || !tf.util.arraysEqual(mean.shape, logVar.shape)) {
      throw new Error(`VAESampling: expects [mean, logVar] of one shape, got ${Array.isArray(inputs) ? inputs.map((t) => formatShape(t.shape)).join(' and ') : formatShape(inputs.shape)}`);
    }
    if (!kwargs.training) return tf.clone(mean);
    return tf.tidy(() => {
      this.recordKL(mean, logVar);
      const noiseSeed = this.seed === undefined ? undefined : this.seed * 1_000_003 + this.step;
      const noise = tf.randomNormal(mean.shape, 0, 1, 'float32', noiseSeed);
      this.step += 1;
      return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), noise));
    });
  }

  /**
   * One use per instance: tfjs adds a layer's losses once per use, and the
   * stored KL is that of the last call, so a second use would count one
   * call's KL twice and advance the schedule twice per batch.
   */
  override apply(inputs: Parameters<tfLayers.Layer['apply']>[0], kwargs?: Parameters<tfLayers.Layer['apply']>[1]): ReturnType<tfLayers.Layer['apply']> {
    const symbolic = (Array.isArray(inputs) ? inputs : [inputs]).some((t) => !(t instanceof tf.Tensor));
    if (symbolic && this.inboundNodes.length > 0) {
      throw new Error('VAESampling: a layer instance can be used once in a model (its KL is added per use); create one per use');
    }
    return super.apply(inputs, kwargs);
  }

  /** Computes this step's β·KL for the registered loss, and keeps the per-dimension KL for logging. */
  private recordKL(mean: Tensor, logVar: Tensor): void {
    const kl = gaussianKL(mean, logVar, this.freeBits === undefined ? {} : { freeBits: this.freeBits });
    // Kept past call's tidy (the loss registered in build reads it later in the step); the previous one is freed.
    this.currentLoss?.dispose();
    this.currentLoss = tf.keep(tf.mul(kl, this.beta));
    // Monitoring only: recorded on the tape but off the loss's path, so it gets no gradient.
    const perDimension = tf.tidy(() => {
      const elementwise = standardNormalKLPerDimension(mean, logVar);
      const latent = elementwise.shape[elementwise.rank - 1] as number;
      return tf.mean(tf.reshape(elementwise, [-1, latent]), 0);
    });
    this.lastPerDimension?.dispose();
    this.lastPerDimension = tf.keep(perDimension);
  }

  /** The last training batch's KL (batch means, nats), or null before the first training step. One synchronous read. */
  lastKL(): KLReport | null {
    if (this.lastPerDimension === null || this.lastPerDimension.isDisposed) return null;
    const perDimension = Array.from(this.lastPerDimension.dataSync());
    return { total: perDimension.reduce((a, b) => a + b, 0), perDimension };
  }

  override dispose(): ReturnType<tfLayers.Layer['dispose']> {
    const result = super.dispose();
    if (result.refCountAfterDispose === 0) {
      this.lastPerDimension?.dispose();
      this.lastPerDimension = null;
      this.currentLoss?.dispose();
      this.currentLoss = null;
    }
    return result;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      beta: this.betaConfig as unknown as tf.serialization.ConfigDictValue,
      step: this.step,
    };
    if (this.freeBits !== undefined) config['freeBits'] = this.freeBits;
    if (this.seed !== undefined) config['seed'] = this.seed;
    return config;
  }
}

// Registered once per process: if an ES-module and a CommonJS copy of this
// package are both loaded, the first copy's class is the one models reload as.
if (!(VAESampling.className in tf.serialization.SerializationMap.getMap().classNameMap)) {
  tf.serialization.registerClass(VAESampling, 'tfjsEntropy');
}
