/**
 * The public functions whose core runs as fused kernels (src/kernels/), for
 * the tests that check the kernels run: test/fused.test.ts (cpu, wasm) and
 * test/browser/webgl.test.ts (webgl, where categorical KL has none).
 */
/** The public functions whose core is fused, and the forward kernel each runs. */
export const FUSED_CORES: Readonly<Record<string, string>> = {
  softmaxCrossEntropy: 'EntropySoftmaxCrossEntropy',
  sparseSoftmaxCrossEntropy: 'EntropySoftmaxCrossEntropy',
  sigmoidCrossEntropy: 'EntropySigmoidCrossEntropy',
  entropy: 'EntropyEntropy',
  crossEntropy: 'EntropyCrossEntropy',
  klDivergence: 'EntropyKLDivergence',
  jsDivergence: 'EntropyJSDivergence',
  categoricalKL: 'EntropyCategoricalKL',
  distillationLoss: 'EntropyCategoricalKL',
  gaussianKL: 'EntropyGaussianKL',
  gaussianCrossEntropy: 'EntropyGaussianCrossEntropy',
  'layers.categoricalCrossentropy (fromLogits: true)': 'EntropySoftmaxCrossEntropy',
  'layers.sparseCategoricalCrossentropy (fromLogits: true)': 'EntropySoftmaxCrossEntropy',
  'layers.binaryCrossentropy (fromLogits: true)': 'EntropySigmoidCrossEntropy',
  'layers.kullbackLeiblerDivergence (fromLogits: true)': 'EntropySoftmaxCrossEntropy',
};

/** The forward kernels that have no webgl version (their losses take the composite path there). */
export const NOT_ON_WEBGL: readonly string[] = ['EntropyCategoricalKL'];
