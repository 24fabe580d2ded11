/**
 * The fused softmax cross-entropy on webgl: the kernels of
 * softmax-cross-entropy.ts as GLSL programs, for logits `[N, C]` with the
 * classes last (other shapes take the composite path there).
 *
 * Forward: one program per output, each a loop over a sample's classes
 * (the row max; log Σ exp(z − m); the loss term by term; Σ t; c_y).
 * Backward: ∂/∂logits and ∂/∂labels one texel per entry; ∂/∂class weights
 * one texel per class, a loop over the samples.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GLSL_INFINITY, glslFloat, webglKernel, type WebGLBackend, type WebGLProgram } from './webgl-program.js';
import type { SoftmaxCrossEntropyAttrs } from './softmax-cross-entropy.js';

// The kernel names of softmax-cross-entropy.ts (not imported: that module imports this one).
const FORWARD = 'EntropySoftmaxCrossEntropy';
const GRAD_LOGITS = 'EntropySoftmaxCrossEntropyGradLogits';
const GRAD_LABELS = 'EntropySoftmaxCrossEntropyGradLabels';
const GRAD_CLASS_WEIGHTS = 'EntropySoftmaxCrossEntropyGradClassWeights';

/**
 * GLSL shared by the programs: `sampleClass(row)` (the label, −1 if ignored;
 * 0 for dense labels) and `target(row, k, label)` = c_k·((1 − ε)·y_k + ε/C),
 * 0 for an ignored sample.
 */
function targets({ sparse, labelSmoothing, ignores, ignoreIndex }: SoftmaxCrossEntropyAttrs, classes: number): string {
  const keep = glslFloat(1 - labelSmoothing);
  const spread = glslFloat(labelSmoothing / classes);
  const sampleClass = sparse
    ? `int label = int(round(getLabels(row)));
       return ${ignores ? `label == ${ignoreIndex} ? -1 : label` : 'label'};`
    : 'return 0;';
  const smoothed = sparse ? `label < 0 ? 0.0 : (k == label ? ${keep} : 0.0) + ${spread}` : `${keep} * getLabels(row, k) + ${spread}`;
  return `
    ${GLSL_INFINITY}
    int sampleClass(int row) {
      ${sampleClass}
    }
    float smoothed(int row, int k, int label) {
      return ${smoothed};
    }
    float target(int row, int k, int label) {
      return getClassWeights(k) * smoothed(row, k, label);
    }
  `;
}

const INPUTS = ['labels', 'logits', 'classWeights'];

/** A program with one texel per sample: `body` computes `value` for sample `row` with label `label`. */
function perSample(attrs: SoftmaxCrossEntropyAttrs, [rows, classes]: number[], variableNames: string[], body: string): WebGLProgram {
  return {
    variableNames,
    outputShape: [rows!],
    userCode: `
      ${targets(attrs, classes!)}
      void main() {
        int row = getOutputCoords();
        int label = sampleClass(row);
        float value = 0.0;
        ${body}
        setOutput(value);
      }
    `,
  };
}

/** One texel per entry of `[N, C]`: `body` computes `value` for sample `row`, class `k`. */
function perEntry(attrs: SoftmaxCrossEntropyAttrs, [rows, classes]: number[], variableNames: string[], body: string): WebGLProgram {
  return {
    variableNames,
    outputShape: [rows!, classes!],
    userCode: `
      ${targets(attrs, classes!)}
      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords.x;
        int k = coords.y;
        int label = sampleClass(row);
        float value = 0.0;
        ${body}
        setOutput(value);
      }
    `,
  };
}

/** −log softmax(z)_k from the saved row max and log-sum. */
const MINUS_LOG_P = 'getLogSum(row) - (getLogits(row, k) - getRowMax(row))';

function forward(backend: WebGLBackend, { labels, logits, classWeights }: Readonly<Record<string, TensorInfo>>, attrs: SoftmaxCrossEntropyAttrs): TensorInfo[] {
  const shape = logits!.shape;
  const classes = shape[1]!;
  const run = (names: string[], inputs: TensorInfo[], body: string) => backend.runWebGLProgram(perSample(attrs, shape, names, body), inputs, 'float32');
  const rowMax = run(INPUTS, [labels!, logits!, classWeights!], `
    value = NEGATIVE_INFINITY;
    for (int k = 0; k < ${classes}; k++) {
      float z = getLogits(row, k);
      if (z > value) value = z;
    }`);
  const withMax = [...INPUTS, 'rowMax'];
  const logSum = run(withMax, [labels!, logits!, classWeights!, rowMax], `
    float m = getRowMax(row);
    for (int k = 0; k < ${classes}; k++) value += exp(getLogits(row, k) - m);
    value = log(value);`);
  const saved = [...INPUTS, 'rowMax', 'logSum'];
  const savedInputs = [labels!, logits!, classWeights!, rowMax, logSum];
  const loss = run(saved, savedInputs, `
    if (label < 0) { setOutput(0.0); return; }
    for (int k = 0; k < ${classes}; k++) {
      float t = target(row, k, label);
      float minusLogP = ${MINUS_LOG_P};
      // 0·log 0 = 0: a zero target adds nothing, even against a −Infinity logit, unless log p is NaN.
      value += (t == 0.0 && !isnan(minusLogP)) ? 0.0 : t * minusLogP;
    }`);
  const targetSum = run(INPUTS, [labels!, logits!, classWeights!], `
    for (int k = 0; k < ${classes}; k++) value += target(row, k, label);`);
  const targetWeight = run(INPUTS, [labels!, logits!, classWeights!], attrs.sparse ? 'if (label >= 0) value = getClassWeights(label);' : '');
  return [loss, rowMax, logSum, targetSum, targetWeight];
}

const BACKWARD_NAMES = ['dy', 'dTargetWeight', 'labels', 'logits', 'classWeights', 'rowMax', 'logSum', 'targetSum'];
const backwardInputs = (inputs: Readonly<Record<string, TensorInfo>>) => BACKWARD_NAMES.map((name) => inputs[name]!);

/** dy·(softmax(z)·Σt − t); 0 for an ignored sample. */
function gradLogits(backend: WebGLBackend, inputs: Readonly<Record<string, TensorInfo>>, attrs: SoftmaxCrossEntropyAttrs): TensorInfo[] {
  const program = perEntry(attrs, inputs['logits']!.shape, BACKWARD_NAMES, `
    if (label < 0) { setOutput(0.0); return; }
    float p = exp((getLogits(row, k) - getRowMax(row)) - getLogSum(row));
    value = getDy(row) * (p * getTargetSum(row) - target(row, k, label));`);
  return [backend.runWebGLProgram(program, backwardInputs(inputs), 'float32')];
}

/** dy·(−log softmax(z))·c·(1 − ε), for dense labels. */
function gradLabels(backend: WebGLBackend, inputs: Readonly<Record<string, TensorInfo>>, attrs: SoftmaxCrossEntropyAttrs): TensorInfo[] {
  const program = perEntry(attrs, inputs['logits']!.shape, BACKWARD_NAMES, `
    value = getDy(row) * (${MINUS_LOG_P}) * getClassWeights(k) * ${glslFloat(1 - attrs.labelSmoothing)};`);
  return [backend.runWebGLProgram(program, backwardInputs(inputs), 'float32')];
}

/** Σ over samples of dy·s_k·(−log softmax(z)_k), plus for class indices the upstream of c_y of the samples of class k. */
function gradClassWeights(backend: WebGLBackend, inputs: Readonly<Record<string, TensorInfo>>, attrs: SoftmaxCrossEntropyAttrs): TensorInfo[] {
  const [rows, classes] = inputs['logits']!.shape as [number, number];
  const program: WebGLProgram = {
    variableNames: BACKWARD_NAMES,
    outputShape: [classes],
    userCode: `
      ${targets(attrs, classes)}
      void main() {
        int k = getOutputCoords();
        float value = 0.0;
        for (int row = 0; row < ${rows}; row++) {
          int label = sampleClass(row);
          if (label < 0) continue;
          value += getDy(row) * (${MINUS_LOG_P}) * smoothed(row, k, label);
          ${attrs.sparse ? 'if (label == k) value += getDTargetWeight(row);' : ''}
        }
        ${attrs.sparse ? `// A non-finite upstream of any c_y reaches every class through 0·NaN, as on the composite path.
        for (int row = 0; row < ${rows}; row++) value += 0.0 * getDTargetWeight(row);` : ''}
        setOutput(value);
      }
    `,
  };
  return [backend.runWebGLProgram(program, backwardInputs(inputs), 'float32')];
}

/** The webgl kernels of the fused softmax cross-entropy. */
export const webglSoftmaxCrossEntropyKernels: KernelConfig[] = [
  webglKernel(FORWARD, forward),
  webglKernel(GRAD_LOGITS, gradLogits),
  webglKernel(GRAD_LABELS, gradLabels),
  webglKernel(GRAD_CLASS_WEIGHTS, gradClassWeights),
];

/** Whether the webgl kernels take these logits: `[N, C]`, classes last. */
export const webglTakes = (logits: readonly number[], axis: number) => logits.length === 2 && axis === 1;
