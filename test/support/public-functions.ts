/**
 * Every public function as `(inputs, options) => Tensor`, with what the
 * fuzzers need to know of it: how to make valid inputs, what each input
 * holds, which options are valid and which are not, and the shape it returns.
 * The cross-backend and fuzz tests walk this list.
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import * as entropyPackage from '../../src/index.js';

const { layers } = entropyPackage;

/**
 * probability: in [0, 1] (extremes: exact 0s and 1s); logit: any real (extremes: ±1e4);
 * logVar: a log-variance (extremes: ±30); mean: a Gaussian mean or a log-density, any real;
 * label: an int32 class index; weight: a sample weight ≥ 0, `[batch]`;
 * prior: a prior mean `[classes]`, broadcast against `[batch, classes]`;
 * classWeight: a weight ≥ 0 per class, `[classes]` (class weights, or `posWeight`);
 * embedding: a row of features, any real, compared with every row of another input (extremes:
 * ×1e4, and zero rows); a NaN in it reaches its own row's result surely, others' perhaps;
 * projection: a linear layer's weight from the `classes` features to {@link PROJECTED_CLASSES}
 * classes, `[classes, PROJECTED_CLASSES]` (`[PROJECTED_CLASSES, classes]` with the option
 * `transposeWeight`); projectionBias: its bias, `[PROJECTED_CLASSES]`.
 */
export type InputKind = 'probability' | 'logit' | 'logVar' | 'mean' | 'label' | 'weight' | 'prior' | 'classWeight' | 'embedding' | 'projection' | 'projectionBias';

/** The classes a 'projection' maps the `[batch, classes]` features to (and its labels index). */
export const PROJECTED_CLASSES = 7;

export type Options = Record<string, unknown>;

/** What a call returns: one value per distribution ('rows'), per entry ('elements'), or a scalar. */
export type OutputKind = 'rows' | 'elements' | 'scalar';

/** What a negative entry of a probability input gives: NaN in its row (it is under a log), or the formula's value (it only weighs a log). */
export type NegativeProbability = 'nan' | 'asGiven';

export interface PublicCase {
  /** The function's name, as its messages start. */
  readonly name: string;
  /** The name in test titles: the function's, or with the variant (a layers loss of logits or of probabilities). */
  readonly title: string;
  /** Makes the inputs for a batch of `batch` rows of `classes` entries (classes ≥ 1; batch may be 0). */
  readonly inputs: (batch: number, classes: number, random: () => number) => Array<number[][] | number[]>;
  /** What each input holds; `[batch, classes]` unless the kind says otherwise. */
  readonly kinds: readonly InputKind[];
  /** Which inputs are float and differentiated. */
  readonly differentiable: readonly number[];
  /** The inputs that also accept int32 and bool tensors (one-hot or 0/1 targets), cast to float32. */
  readonly castsIntegers?: readonly number[];
  /** The label inputs that also accept float32 tensors holding integers (tfjs-layers passes targets as float32). */
  readonly floatLabels?: readonly number[];
  /** What a negative entry does, for each 'probability' input (default 'nan'). */
  readonly negative?: Readonly<Record<number, NegativeProbability>>;
  /** Inputs the value does not depend on (a NaN there changes nothing). */
  readonly unused?: readonly number[];
  /** The ranks of the `[…, classes]` inputs the function takes (default: 1 to 4). */
  readonly ranks?: readonly number[];
  /** How many classes the labels index, for `classes` in the main inputs (default: `classes`). */
  readonly labelClasses?: (classes: number) => number;
  /** What the call returns for these options. */
  readonly output: (options: Options) => OutputKind;
  /** Options for the cross-backend test, away from the defaults. */
  readonly fixedOptions: Options;
  /** Random valid options, for a `[…, classes]` input of rank `rank`. */
  readonly validOptions: (rank: number) => fc.Arbitrary<Options>;
  /** Options with one bad entry each (its key first): each must throw an Error naming the function and that key. */
  readonly invalidOptions: (rank: number) => readonly Options[];
  readonly call: (inputs: readonly tf.Tensor[], options: Options) => tf.Tensor;
}

// ---------------------------------------------------------------------------
// Inputs

const matrix = (batch: number, classes: number, f: () => number) => Array.from({ length: batch }, () => Array.from({ length: classes }, f));
const distribution = (batch: number, classes: number, random: () => number) =>
  matrix(batch, classes, () => 0.05 + random()).map((row) => row.map((x) => x / row.reduce((a, b) => a + b, 0)));
const logits = (batch: number, classes: number, random: () => number) => matrix(batch, classes, () => 6 * random() - 3);
const vector = (length: number, random: () => number) => logits(1, length, random)[0] ?? [];
const labels = (batch: number, classes: number, random: () => number) => Array.from({ length: batch }, () => Math.floor(random() * classes));
const oneHot = (batch: number, classes: number, random: () => number) =>
  labels(batch, classes, random).map((y) => Array.from({ length: classes }, (_, k) => (k === y ? 1 : 0)));
const unit = (batch: number, classes: number, random: () => number) => matrix(batch, classes, () => 0.05 + 0.9 * random());
const positive = (length: number, random: () => number) => unit(1, length, random)[0] ?? [];

/**
 * The shape of input `i` when the main inputs have shape `mainShape` (`[...leading, classes]`):
 * labels drop the class axis, sample weights follow the unreduced rows (which `axis` may move),
 * priors and class weights are `[classes]`, a projection `[classes, PROJECTED_CLASSES]`
 * (transposed with `transposeWeight`) and its bias `[PROJECTED_CLASSES]`.
 */
export function inputShape(c: PublicCase, i: number, mainShape: readonly number[], options: Options = {}): number[] {
  const kind = c.kinds[i];
  if (kind === 'prior' || kind === 'classWeight') return mainShape.slice(-1);
  if (kind === 'projection') return options['transposeWeight'] === true ? [PROJECTED_CLASSES, mainShape.at(-1)!] : [mainShape.at(-1)!, PROJECTED_CLASSES];
  if (kind === 'projectionBias') return [PROJECTED_CLASSES];
  if (kind === 'label') return mainShape.slice(0, -1);
  if (kind === 'weight') return withoutAxis(mainShape, options);
  return [...mainShape];
}

/**
 * Tensors of the given shapes from raw inputs: labels as int32, the rest as
 * float32. Sample weights are cycled to fill their shape, which `axis` may have changed.
 */
export function toInputs(c: PublicCase, raw: ReadonlyArray<number[][] | number[]>, shapes: readonly number[][]): tf.Tensor[] {
  return raw.map((x, i) => {
    const values = (x as number[]).flat();
    const size = shapes[i]!.reduce((a, b) => a * b, 1);
    const filled = c.kinds[i] === 'weight' ? Array.from({ length: size }, (_, k) => values[k % values.length] ?? 1) : values;
    return tf.tensor(filled, shapes[i], c.kinds[i] === 'label' ? 'int32' : 'float32');
  });
}

const withoutAxis = (shape: readonly number[], options: Options) => {
  const axis = (options['axis'] as number | undefined) ?? -1;
  const classAxis = axis < 0 ? axis + shape.length : axis;
  return shape.filter((_, i) => i !== classAxis);
};

/**
 * Pushes an input to its kind's extremes: logits ±3e4, log-variances ±30, probabilities exactly 0 or 1,
 * embeddings ×1e4 with a row of zeros where its first entry is below −2.
 */
export function extreme(kind: InputKind, values: number[] | number[][]): number[] | number[][] {
  const map = (f: (x: number) => number) => (values as number[][]).map((row) => (Array.isArray(row) ? row.map(f) : f(row as unknown as number))) as number[][];
  if (kind === 'logit') return map((x) => x * 1e4);
  if (kind === 'embedding') return (values as number[][]).map((row) => row.map((x) => (row[0]! < -2 ? 0 : x * 1e4)));
  if (kind === 'logVar') return map((x) => x * 10);
  if (kind === 'probability') return map((x) => (x < 0.2 ? 0 : x > 0.8 ? 1 : x));
  return values;
}

/** The shape a call returns for main inputs (the `[…, classes]` ones) of shape `mainShape`. */
export function outputShape(c: PublicCase, options: Options, mainShape: readonly number[]): number[] {
  const kind = c.output(options);
  if (kind === 'scalar') return [];
  if (kind === 'elements') return [...mainShape];
  return withoutAxis(mainShape, options);
}

/** The value and the gradients with respect to every differentiable input, as numbers. Call inside `tf.tidy`. */
export function valueAndGradients(c: PublicCase, inputs: readonly tf.Tensor[], options: Options): { value: tf.Tensor; gradients: tf.Tensor[] } {
  const value = c.call(inputs, options);
  const withDifferentiated = (xs: tf.Tensor[]) => inputs.map((x, i) => (c.differentiable.includes(i) ? xs[c.differentiable.indexOf(i)]! : x));
  const gradients = tf.grads((...xs: tf.Tensor[]) => c.call(withDifferentiated(xs), options))(c.differentiable.map((i) => inputs[i]!));
  return { value, gradients };
}

// ---------------------------------------------------------------------------
// Options

/** An option's random valid values (undefined takes the default) and its invalid ones (null among them). */
interface OptionSpec {
  readonly valid: fc.Arbitrary<unknown>;
  readonly invalid: readonly unknown[];
}

const orDefault = (arbitrary: fc.Arbitrary<unknown>) => fc.oneof(fc.constant(undefined), arbitrary);
const real = (min: number, max: number) => fc.double({ min, max, noNaN: true });

const REDUCTION: OptionSpec = { valid: orDefault(fc.constantFrom('none', 'sum', 'mean')), invalid: ['avg', 'batchmean', 'Mean', 0, true] };
const BASE: OptionSpec = { valid: orDefault(fc.constantFrom(2, 10, Math.E, 0.5)), invalid: [1, 0, -2, NaN, Infinity, '2'] };
const LABEL_SMOOTHING: OptionSpec = { valid: orDefault(real(0, 1)), invalid: [-0.1, 1.5, NaN, Infinity, '0.1'] };
const TEMPERATURE: OptionSpec = { valid: orDefault(real(0.1, 10)), invalid: [0, -1, NaN, Infinity, '2'] };
const GAMMA: OptionSpec = { valid: orDefault(real(0, 5)), invalid: [-1, NaN, Infinity, '2'] };
const Z_LOSS: OptionSpec = { valid: orDefault(fc.oneof(fc.constantFrom(0, 1e-4), real(0, 1))), invalid: [-0.1, NaN, Infinity, -Infinity, '1e-4', true] };
const FROM_LOGITS: OptionSpec = { valid: fc.constantFrom(undefined, true, false), invalid: ['yes', 1, 0] };
const FREE_BITS: OptionSpec = { valid: orDefault(real(0, 2)), invalid: [-1, NaN, Infinity, '1'] };
const PRIOR_LOG_VAR: OptionSpec = { valid: orDefault(real(-3, 3)), invalid: ['zero', [[[1]]]] };
const axisOption = (rank: number): OptionSpec => ({ valid: orDefault(fc.integer({ min: -rank, max: rank - 1 })), invalid: [rank, -rank - 1, 0.5, NaN, '0'] });

/** Random valid options from some of `specs` (any subset), and invalid ones: each spec's bad values, and unknown names. */
function optionsOf(specs: (rank: number) => Record<string, OptionSpec>, extraInvalid: readonly Options[] = []) {
  return {
    validOptions: (rank: number) => {
      const entries = specs(rank);
      return fc.record(Object.fromEntries(Object.entries(entries).map(([key, spec]) => [key, spec.valid])), { requiredKeys: [] }) as fc.Arbitrary<Options>;
    },
    invalidOptions: (rank: number): Options[] => [
      ...Object.entries(specs(rank)).flatMap(([key, spec]) => [...spec.invalid, null].map((value) => ({ [key]: value }))),
      ...extraInvalid,
      { axes: 1 },
      { Reduction: 'sum' },
    ],
  };
}

const measureOptions = optionsOf((rank) => ({ axis: axisOption(rank), base: BASE }));
const reduced = (defaultOutput: OutputKind, unreduced: OutputKind) => (options: Options) => (options['reduction'] === 'none' ? unreduced : defaultOutput);

/** What a layers loss's two cases share: its targets, its options, and how to make it. */
interface LayersLossSpec {
  readonly targets: (batch: number, classes: number, random: () => number) => number[][] | number[];
  /** yPred as probabilities (`fromLogits: false`); as logits it is `logits`. */
  readonly predictions: (batch: number, classes: number, random: () => number) => number[][];
  readonly targetKind: InputKind;
  readonly castsIntegers?: readonly number[];
  readonly floatLabels?: readonly number[];
  /** What a negative target does (a negative yPred probability is always under a log: NaN). */
  readonly negative?: NegativeProbability;
  readonly fixedOptions: Options;
  readonly specs: (rank: number) => Record<string, OptionSpec>;
  /** Options of logits only (their specs, and values for the cross-backend test): with probabilities, any value but 0 is invalid (tried: 0.5). */
  readonly logitOptions?: { readonly specs: Record<string, OptionSpec>; readonly fixed: Options };
  readonly make: (options: Options) => (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
}

/**
 * A layers loss twice: of logits (`fromLogits: true`) and of probabilities (`fromLogits: false`); invalid
 * fromLogits values in both, and the logit-only options set with probabilities.
 */
function layersCases(name: string, spec: LayersLossSpec): PublicCase[] {
  return [true, false].map((fromLogits) => {
    const logitOnly = Object.keys(spec.logitOptions?.specs ?? {});
    const specs = (rank: number) => ({ ...spec.specs(rank), ...(fromLogits ? spec.logitOptions?.specs : {}) });
    const extraInvalid = [...FROM_LOGITS.invalid.map((value) => ({ fromLogits: value })), ...(fromLogits ? [] : logitOnly.map((key) => ({ [key]: 0.5 })))];
    const { validOptions, invalidOptions } = optionsOf(specs, extraInvalid);
    const predictionKind: InputKind = fromLogits ? 'logit' : 'probability';
    return {
      name,
      title: `${name} (fromLogits: ${fromLogits})`,
      inputs: (b, c, r) => [spec.targets(b, c, r), (fromLogits ? logits : spec.predictions)(b, c, r)],
      kinds: [spec.targetKind, predictionKind],
      differentiable: spec.targetKind === 'label' ? [1] : [0, 1],
      ...(spec.castsIntegers && { castsIntegers: spec.castsIntegers }),
      ...(spec.floatLabels && { floatLabels: spec.floatLabels }),
      ...(spec.negative && { negative: { 0: spec.negative } }),
      output: () => 'rows',
      fixedOptions: { ...spec.fixedOptions, ...(fromLogits ? spec.logitOptions?.fixed : {}), fromLogits },
      validOptions: (rank: number) => validOptions(rank).map((options) => ({ ...options, fromLogits })),
      invalidOptions,
      call: ([y, p], options) => spec.make({ fromLogits, ...options })(y!, p!),
    };
  });
}

// ---------------------------------------------------------------------------
// The public functions

export const publicCases: readonly PublicCase[] = ([
  {
    name: 'entropy', inputs: (b, c, r) => [distribution(b, c, r)], kinds: ['probability'], differentiable: [0],
    output: () => 'rows', fixedOptions: { base: 2 }, ...measureOptions,
    call: ([p], options) => entropyPackage.entropy(p!, options),
  },
  {
    name: 'crossEntropy', inputs: (b, c, r) => [distribution(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], differentiable: [0, 1], negative: { 0: 'asGiven' },
    output: () => 'rows', fixedOptions: {}, ...measureOptions,
    call: ([p, q], options) => entropyPackage.crossEntropy(p!, q!, options),
  },
  {
    name: 'klDivergence', inputs: (b, c, r) => [distribution(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], differentiable: [0, 1],
    output: () => 'rows', fixedOptions: { base: 2 }, ...measureOptions,
    call: ([p, q], options) => entropyPackage.klDivergence(p!, q!, options),
  },
  {
    name: 'jsDivergence', inputs: (b, c, r) => [distribution(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], differentiable: [0, 1],
    output: () => 'rows', fixedOptions: {}, ...measureOptions,
    call: ([p, q], options) => entropyPackage.jsDivergence(p!, q!, options),
  },
  {
    name: 'gaussianEntropy', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['mean', 'logVar'], differentiable: [0, 1], unused: [0],
    output: () => 'rows', fixedOptions: {}, ...optionsOf(() => ({ base: BASE })),
    call: ([m, v], options) => entropyPackage.gaussianEntropy(m!, v!, options),
  },
  {
    name: 'gaussianCrossEntropy',
    inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r), logits(b, c, r), logits(b, c, r)],
    kinds: ['mean', 'logVar', 'mean', 'logVar'], differentiable: [0, 1, 2, 3],
    output: () => 'rows', fixedOptions: { base: 2 }, ...optionsOf(() => ({ base: BASE })),
    call: ([a, b, c, d], options) => entropyPackage.gaussianCrossEntropy(a!, b!, c!, d!, options),
  },
  {
    name: 'gaussianKL',
    inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r), vector(c, r)],
    kinds: ['mean', 'logVar', 'prior'], differentiable: [0, 1, 2],
    output: reduced('scalar', 'rows'), fixedOptions: { freeBits: 0.1 },
    // freeBits needs the 'mean' reduction.
    validOptions: () =>
      fc.oneof(
        fc.record({ freeBits: FREE_BITS.valid, priorLogVar: PRIOR_LOG_VAR.valid, reduction: fc.constantFrom(undefined, 'mean') }, { requiredKeys: [] }),
        fc.record({ priorLogVar: PRIOR_LOG_VAR.valid, reduction: REDUCTION.valid }, { requiredKeys: [] }),
      ),
    invalidOptions: optionsOf(() => ({ freeBits: FREE_BITS, priorLogVar: PRIOR_LOG_VAR, reduction: REDUCTION }), [{ freeBits: 0.5, reduction: 'sum' }]).invalidOptions,
    call: ([m, v, prior], options) => entropyPackage.gaussianKL(m!, v!, { priorMean: prior!, ...options }),
  },
  {
    name: 'monteCarloKL', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['mean', 'mean'], differentiable: [0, 1],
    output: reduced('scalar', 'elements'), fixedOptions: { estimator: 'k3' },
    ...optionsOf(() => ({ estimator: { valid: orDefault(fc.constantFrom('k1', 'k2', 'k3')), invalid: ['k4', 'K1', 3] }, reduction: REDUCTION })),
    call: ([p, q], options) => entropyPackage.monteCarloKL(p!, q!, options),
  },
  {
    name: 'categoricalKL', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['logit', 'logit'], differentiable: [0, 1],
    output: reduced('scalar', 'rows'), fixedOptions: { temperature: 2 },
    ...optionsOf((rank) => ({ axis: axisOption(rank), temperature: TEMPERATURE, reduction: REDUCTION })),
    call: ([p, q], options) => entropyPackage.categoricalKL(p!, q!, options),
  },
  {
    name: 'categoricalEntropy', inputs: (b, c, r) => [logits(b, c, r)], kinds: ['logit'], differentiable: [0],
    output: reduced('scalar', 'rows'), fixedOptions: { temperature: 2, base: 2 },
    ...optionsOf((rank) => ({ axis: axisOption(rank), temperature: TEMPERATURE, base: BASE, reduction: REDUCTION })),
    call: ([z], options) => entropyPackage.categoricalEntropy(z!, options),
  },
  {
    name: 'bernoulliKL', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['logit', 'logit'], differentiable: [0, 1],
    output: reduced('scalar', 'rows'), fixedOptions: {}, ...optionsOf(() => ({ reduction: REDUCTION })),
    call: ([p, q], options) => entropyPackage.bernoulliKL(p!, q!, options),
  },
  {
    name: 'distillationLoss',
    inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r), labels(b, c, r)],
    kinds: ['logit', 'logit', 'label'], differentiable: [0, 1],
    output: reduced('scalar', 'rows'), fixedOptions: { temperature: 3 },
    ...optionsOf(() => ({ temperature: TEMPERATURE, alpha: { valid: orDefault(real(0, 1)), invalid: [-0.1, 1.5, NaN, '0.5'] }, reduction: REDUCTION })),
    call: ([t, s, y], options) => entropyPackage.distillationLoss(t!, s!, { labels: y!, ...options }),
  },
  {
    name: 'softmaxCrossEntropy',
    inputs: (b, c, r) => [distribution(b, c, r), logits(b, c, r), positive(b, r)],
    kinds: ['probability', 'logit', 'weight'], differentiable: [0, 1, 2], castsIntegers: [0], negative: { 0: 'asGiven' },
    output: reduced('scalar', 'rows'), fixedOptions: { labelSmoothing: 0.1, zLoss: 0.01 },
    ...optionsOf((rank) => ({ axis: axisOption(rank), labelSmoothing: LABEL_SMOOTHING, zLoss: Z_LOSS, reduction: REDUCTION })),
    call: ([y, z, w], options) => entropyPackage.softmaxCrossEntropy(y!, z!, { weights: w!, ...options }),
  },
  {
    name: 'sparseSoftmaxCrossEntropy',
    inputs: (b, c, r) => [labels(b, c, r), logits(b, c, r), positive(c, r)],
    kinds: ['label', 'logit', 'classWeight'], differentiable: [1, 2],
    output: reduced('scalar', 'rows'), fixedOptions: { labelSmoothing: 0.1, zLoss: 0.01 },
    ...optionsOf(() => ({
      ignoreIndex: { valid: orDefault(fc.integer({ min: -200, max: 8 })), invalid: [0.5, NaN, '1'] },
      labelSmoothing: LABEL_SMOOTHING,
      zLoss: Z_LOSS,
      reduction: REDUCTION,
    })),
    call: ([y, z, classWeights], options) => entropyPackage.sparseSoftmaxCrossEntropy(y!, z!, { classWeights: classWeights!, ...options }),
  },
  {
    name: 'infoNCE', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['embedding', 'embedding'], differentiable: [0, 1], ranks: [2],
    output: reduced('scalar', 'rows'), fixedOptions: { temperature: 0.5, symmetric: true },
    ...optionsOf(() => ({
      temperature: TEMPERATURE,
      symmetric: { valid: fc.constantFrom(undefined, true, false), invalid: ['yes', 1, 0] },
      normalize: { valid: fc.constantFrom(undefined, true, false), invalid: ['no', 1, 0] },
      reduction: REDUCTION,
    })),
    call: ([q, k], options) => entropyPackage.infoNCE(q!, k!, options),
  },
  {
    name: 'linearCrossEntropy',
    // hidden [batch, classes], weight [classes, 7], labels in [0, 7), bias [7]: logits of moderate size.
    inputs: (b, c, r) => [logits(b, c, r), matrix(c, PROJECTED_CLASSES, () => (2 * r() - 1) / Math.sqrt(c)), labels(b, PROJECTED_CLASSES, r), vector(PROJECTED_CLASSES, r)],
    kinds: ['logit', 'projection', 'label', 'projectionBias'], differentiable: [0, 1, 3], ranks: [2], labelClasses: () => PROJECTED_CLASSES,
    output: reduced('scalar', 'rows'), fixedOptions: { labelSmoothing: 0.1, zLoss: 0.01, chunkSize: 3 },
    ...optionsOf(() => ({
      transposeWeight: { valid: orDefault(fc.boolean()), invalid: ['yes', 1, 0] },
      chunkSize: { valid: orDefault(fc.integer({ min: 1, max: 5 })), invalid: [0, -1, 1.5, NaN, Infinity, '2'] },
      ignoreIndex: { valid: orDefault(fc.integer({ min: -200, max: 8 })), invalid: [0.5, NaN, '1'] },
      labelSmoothing: LABEL_SMOOTHING,
      zLoss: { valid: orDefault(real(0, 1)), invalid: [-0.1, NaN, Infinity, '0.1'] },
      reduction: REDUCTION,
    })),
    call: ([h, w, y, b], options) => entropyPackage.linearCrossEntropy(h!, w!, y!, { bias: b!, ...options }),
  },
  {
    name: 'sigmoidCrossEntropy', inputs: (b, c, r) => [unit(b, c, r), logits(b, c, r), positive(c, r)], kinds: ['probability', 'logit', 'classWeight'], differentiable: [0, 1, 2],
    castsIntegers: [0], negative: { 0: 'asGiven' },
    output: reduced('scalar', 'elements'), fixedOptions: { labelSmoothing: 0.1 },
    ...optionsOf(() => ({ labelSmoothing: LABEL_SMOOTHING, reduction: REDUCTION })),
    call: ([y, z, posWeight], options) => entropyPackage.sigmoidCrossEntropy(y!, z!, { posWeight: posWeight!, ...options }),
  },
  {
    name: 'sigmoidFocalLoss', inputs: (b, c, r) => [unit(b, c, r), logits(b, c, r)], kinds: ['probability', 'logit'], differentiable: [0, 1],
    castsIntegers: [0], negative: { 0: 'asGiven' },
    output: reduced('scalar', 'elements'), fixedOptions: {},
    ...optionsOf(() => ({ gamma: GAMMA, alpha: { valid: orDefault(fc.oneof(fc.constantFrom(-1, 0, 1), real(0, 1))), invalid: [1.5, NaN, '0.25'] }, reduction: REDUCTION })),
    call: ([y, z], options) => entropyPackage.sigmoidFocalLoss(y!, z!, options),
  },
  {
    name: 'softmaxFocalLoss', inputs: (b, c, r) => [distribution(b, c, r), logits(b, c, r)], kinds: ['probability', 'logit'], differentiable: [0, 1],
    castsIntegers: [0], negative: { 0: 'asGiven' },
    output: reduced('scalar', 'rows'), fixedOptions: {},
    ...optionsOf((rank) => ({ axis: axisOption(rank), gamma: GAMMA, alpha: { valid: orDefault(real(0, 2)), invalid: [-0.5, NaN, '0.25'] }, reduction: REDUCTION })),
    call: ([y, z], options) => entropyPackage.softmaxFocalLoss(y!, z!, options),
  },
  // The layers factories, each with logits and with probabilities: options go to the factory, yTrue/yPred to the loss it returns.
  ...layersCases('layers.categoricalCrossentropy', {
    targets: oneHot, predictions: distribution, targetKind: 'probability', castsIntegers: [0], negative: 'asGiven', fixedOptions: { labelSmoothing: 0.1 },
    specs: (rank) => ({ axis: axisOption(rank), labelSmoothing: LABEL_SMOOTHING }),
    logitOptions: { specs: { zLoss: Z_LOSS }, fixed: { zLoss: 0.01 } },
    make: (options) => layers.categoricalCrossentropy(options),
  }),
  ...layersCases('layers.sparseCategoricalCrossentropy', {
    targets: labels, predictions: distribution, targetKind: 'label', floatLabels: [0], fixedOptions: {},
    specs: () => ({ ignoreIndex: { valid: orDefault(fc.integer({ min: -200, max: 8 })), invalid: [0.5, NaN, '1'] }, labelSmoothing: LABEL_SMOOTHING }),
    logitOptions: { specs: { zLoss: Z_LOSS }, fixed: { zLoss: 0.01 } },
    make: (options) => layers.sparseCategoricalCrossentropy(options),
  }),
  ...layersCases('layers.binaryCrossentropy', {
    targets: unit, predictions: unit, targetKind: 'probability', castsIntegers: [0], negative: 'asGiven', fixedOptions: { labelSmoothing: 0.1 },
    specs: () => ({ labelSmoothing: LABEL_SMOOTHING }),
    make: (options) => layers.binaryCrossentropy(options),
  }),
  // yTrue is the reference distribution, under a log: a negative entry gives NaN.
  ...layersCases('layers.kullbackLeiblerDivergence', {
    targets: distribution, predictions: distribution, targetKind: 'probability', castsIntegers: [0], fixedOptions: {},
    specs: (rank) => ({ axis: axisOption(rank) }),
    make: (options) => layers.kullbackLeiblerDivergence(options),
  }),
  ...layersCases('layers.categoricalFocalCrossentropy', {
    targets: oneHot, predictions: distribution, targetKind: 'probability', castsIntegers: [0], negative: 'asGiven', fixedOptions: {},
    specs: (rank) => ({ axis: axisOption(rank), gamma: GAMMA, alpha: { valid: orDefault(real(0, 2)), invalid: [-0.5, NaN, '0.25'] } }),
    make: (options) => layers.categoricalFocalCrossentropy(options),
  }),
  ...layersCases('layers.binaryFocalCrossentropy', {
    targets: unit, predictions: unit, targetKind: 'probability', castsIntegers: [0], negative: 'asGiven', fixedOptions: {},
    specs: () => ({ gamma: GAMMA, alpha: { valid: orDefault(fc.oneof(fc.constantFrom(-1, 0, 1), real(0, 1))), invalid: [1.5, NaN, '0.25'] } }),
    make: (options) => layers.binaryFocalCrossentropy(options),
  }),
] as Array<Omit<PublicCase, 'title'> & { title?: string }>).map((c) => ({ ...c, title: c.title ?? c.name }));

/**
 * The exports the registry leaves out, each with why and the suite that tests
 * it instead; test/public-functions.test.ts fails for an export in neither.
 */
export const outsideTheRegistry: Readonly<Record<string, string>> = {
  constantBeta: 'a function of the training step, no tensors: test/tools/beta-schedule.test.ts',
  linearWarmupBeta: 'a function of the training step, no tensors: test/tools/beta-schedule.test.ts',
  cyclicalBeta: 'a function of the training step, no tensors: test/tools/beta-schedule.test.ts',
  checkGradients: 'checks any function given to it: test/tools/gradient-check.test.ts',
  'layers.VAESampling': 'a layer, tested in a model under fit, save and load: test/layers/vae.test.ts',
  'layers.ProgressLogger': 'a fit callback: test/layers/progress.test.ts',
  FUSED_KERNELS_FLAG: "the name of a tfjs flag, no function: test/fused.test.ts and the '…-composite' projects",
};
