/**
 * Lets `model.fit` and `model.evaluate` take class-index targets for our
 * sparse loss, as they do for tfjs's own.
 *
 * tfjs-layers 4.22 checks every target against its output's shape
 * (`[batch, C]`), except for an output whose loss *is* its own
 * `sparseCategoricalCrossentropy` (an identity check), which gets
 * `[batch, 1]`. So a function loss can never receive class indices from
 * `fit`. This wraps `LayersModel.prototype.standardizeUserDataXY` once: for
 * outputs whose loss is one of ours marked here, the shape check sees tfjs's
 * own sparse loss; the loss that runs is still ours. Models without our
 * sparse loss are untouched.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LayersModel, input as tfInput, model as tfModel, layers as tfLayers, type SymbolicTensor } from '@tensorflow/tfjs-layers';

type LossFunction = (...args: never[]) => unknown;

// Shared through globalThis, so that an ES-module copy and a CommonJS copy of
// this package loaded in one process see each other's losses.
const REGISTRY = Symbol.for('tfjs-entropy.sparseTargetLosses');
const globalRegistry = globalThis as unknown as Record<symbol, WeakSet<LossFunction> | undefined>;
const sparseTargetLosses = (globalRegistry[REGISTRY] ??= new WeakSet<LossFunction>());
const INSTALLED = Symbol.for('tfjs-entropy.sparseTargets');

/** Marks `loss` as taking class-index targets, and makes sure fit accepts them. */
export function acceptsClassIndices<F extends LossFunction>(loss: F): F {
  installSparseTargetShapes();
  sparseTargetLosses.add(loss);
  return loss;
}

let tfjsSparseLoss: LossFunction | undefined;

/** tfjs's own sparse loss function object, found through a throwaway model compiled with its name. */
function tfjsSparseCategoricalCrossentropy(): LossFunction {
  if (tfjsSparseLoss === undefined) {
    // Named, so that the probe takes no auto-generated layer names from the user's models.
    const input = tfInput({ shape: [1], name: 'tfjs_entropy_probe_input' });
    const output = tfLayers.dense({ units: 2, name: 'tfjs_entropy_probe_dense' }).apply(input) as SymbolicTensor;
    const probe = tfModel({ inputs: input, outputs: output, name: 'tfjs_entropy_probe' });
    // The optimizer holds a tensor of its own (its learning rate): disposed with the probe.
    const optimizer = tf.train.sgd(0);
    probe.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
    tfjsSparseLoss = probe.lossFunctions[0] as LossFunction;
    probe.dispose();
    optimizer.dispose();
  }
  return tfjsSparseLoss;
}

type Standardize = (this: LayersModel, ...args: unknown[]) => unknown;

function installSparseTargetShapes(): void {
  const prototype = LayersModel.prototype as unknown as Record<PropertyKey, unknown>;
  if (prototype[INSTALLED]) return;
  const original = prototype['standardizeUserDataXY'] as Standardize;
  prototype['standardizeUserDataXY'] = function (this: LayersModel, ...args: unknown[]) {
    const feedLossFns = (this as unknown as { feedLossFns: LossFunction[] }).feedLossFns;
    const ours = feedLossFns.flatMap((fn, i) => (sparseTargetLosses.has(fn) ? [i] : []));
    if (ours.length === 0) return original.apply(this, args);
    const saved = feedLossFns.slice();
    for (const i of ours) feedLossFns[i] = tfjsSparseCategoricalCrossentropy();
    try {
      return original.apply(this, args);
    } finally {
      saved.forEach((fn, i) => (feedLossFns[i] = fn));
    }
  };
  prototype[INSTALLED] = true;
}
