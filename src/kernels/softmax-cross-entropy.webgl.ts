/**
 * The fused softmax cross-entropy on webgl: the kernels of
 * softmax-cross-entropy.ts as GLSL programs, for logits `[N, C]` with the
 * classes last (other shapes take the composite path there).
 *
 * Forward: reductions in two rounds, over chunks of 32 classes in parallel
 * and then over the chunks (the row max and log Σ exp(z − m); the loss term
 * by term and Σ t, then the z-loss w·L² added per sample), and c_y.
 * Backward: ∂/∂logits and ∂/∂labels one texel per entry; ∂/∂class weights
 * one texel per class, a loop over the samples. A z-loss of 0 writes no
 * GLSL for it: the programs are those without the option.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GLSL_INFINITY, glslFloat, isWebGL2, webglKernel, type WebGLBackend, type WebGLProgram } from './webgl-program.js';
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

/** L = log Σ exp z of the sample, from the saved row max and log-sum. */
const LOG_SUM_EXP = '(getRowMax(row) + getLogSum(row))';

/** Classes per chunk: each row's reductions run over chunks of this many classes in parallel, then over the chunks. */
const CHUNK = 32;

/**
 * A program with two texels per chunk of each sample's classes: `even` and
 * `odd` compute `value` over the chunk's classes k (a loop `for k in chunk`
 * is written CHUNK_LOOP).
 */
function perChunk(attrs: SoftmaxCrossEntropyAttrs, [rows, classes]: number[], variableNames: string[], even: string, odd: string): WebGLProgram {
  const loop = `for (int i = 0; i < ${CHUNK}; i++) { int k = start + i; if (k >= ${classes}) break;`;
  return {
    variableNames,
    outputShape: [rows!, 2 * Math.ceil(classes! / CHUNK)],
    userCode: `
      ${targets(attrs, classes!)}
      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords.x;
        int chunk = coords.y / 2;
        int start = chunk * ${CHUNK};
        int label = sampleClass(row);
        float value = 0.0;
        if (coords.y == 2 * chunk) {
          ${even.replaceAll('CHUNK_LOOP', loop)}
        } else {
          ${odd.replaceAll('CHUNK_LOOP', loop)}
        }
        setOutput(value);
      }
    `,
  };
}

/**
 * The forward in two rounds of parallel reductions: per chunk, the max m_j
 * and Σ exp(z − m_j); per sample, m = max m_j and log Σ_j e^{m_j − m}·Σ_j;
 * then per chunk the loss terms and Σ t, and per sample their sums.
 */
function forward(backend: WebGLBackend, { labels, logits, classWeights }: Readonly<Record<string, TensorInfo>>, attrs: SoftmaxCrossEntropyAttrs): TensorInfo[] {
  const shape = logits!.shape;
  const chunks = Math.ceil(shape[1]! / CHUNK);
  const inputs = [labels!, logits!, classWeights!];
  const run = (program: WebGLProgram, programInputs: TensorInfo[]) => backend.runWebGLProgram(program, programInputs, 'float32');
  const chunkStats = run(
    perChunk(attrs, shape, INPUTS, `
      value = NEGATIVE_INFINITY;
      CHUNK_LOOP float z = getLogits(row, k); if (z > value) value = z; }`, `
      float m = NEGATIVE_INFINITY;
      bool nan = false;
      CHUNK_LOOP float z = getLogits(row, k); if (z > m) m = z; if (isnan(z)) nan = true; }
      // A NaN logit makes the chunk's sum NaN; a chunk of −Infinity logits adds nothing.
      if (nan) value = NAN;
      else if (m != NEGATIVE_INFINITY) { CHUNK_LOOP value += expNaN(getLogits(row, k) - m); } }`),
    inputs,
  );
  const withStats = [...INPUTS, 'chunkStats'];
  const rowMaxOfChunks = `
    float m = NEGATIVE_INFINITY;
    for (int j = 0; j < ${chunks}; j++) { float mj = getChunkStats(row, 2 * j); if (mj > m) m = mj; }`;
  const rowMax = run(perSample(attrs, shape, withStats, `${rowMaxOfChunks} value = m;`), [...inputs, chunkStats]);
  const logSum = run(
    perSample(attrs, shape, withStats, `${rowMaxOfChunks}
      // A row of −Infinity only has no softmax: NaN, as z − max z is there.
      if (m == NEGATIVE_INFINITY) { setOutput(NAN); return; }
      for (int j = 0; j < ${chunks}; j++) {
        float mj = getChunkStats(row, 2 * j);
        float sj = getChunkStats(row, 2 * j + 1);
        value += mj == NEGATIVE_INFINITY ? sj : sj * expNaN(mj - m);
      }
      // SwiftShader's log(NaN) is a finite number (about 89): NaN is kept by hand.
      value = isnan(value) ? NAN : log(value);`),
    [...inputs, chunkStats],
  );
  backend.disposeIntermediateTensorInfo(chunkStats);
  const saved = [...INPUTS, 'rowMax', 'logSum'];
  const chunkTerms = run(
    perChunk(attrs, shape, saved, `
      CHUNK_LOOP
        float t = target(row, k, label);
        float minusLogP = ${MINUS_LOG_P};
        // 0·log 0 = 0: a zero target adds nothing, even against a −Infinity logit, unless log p is NaN.
        value += (t == 0.0 && !isnan(minusLogP)) ? 0.0 : t * minusLogP;
      }`, `
      CHUNK_LOOP value += target(row, k, label); }`),
    [...inputs, rowMax, logSum],
  );
  const withTerms = [...INPUTS, 'chunkTerms'];
  const sumOfChunks = (parity: number) => `for (int j = 0; j < ${chunks}; j++) value += getChunkTerms(row, 2 * j + ${parity});`;
  const zLossTerm = attrs.zLoss === 0 ? '' : `value += ${glslFloat(attrs.zLoss)} * ${LOG_SUM_EXP} * ${LOG_SUM_EXP};`;
  const loss = run(
    perSample(attrs, shape, [...withTerms, 'rowMax', 'logSum'], `if (label < 0) { setOutput(0.0); return; } ${sumOfChunks(0)} ${zLossTerm}`),
    [...inputs, chunkTerms, rowMax, logSum],
  );
  const targetSum = run(perSample(attrs, shape, withTerms, sumOfChunks(1)), [...inputs, chunkTerms]);
  backend.disposeIntermediateTensorInfo(chunkTerms);
  // c_y for class indices; dense labels have none: zeros, which no program needs to write.
  const targetWeight = attrs.sparse
    ? run(perSample(attrs, shape, INPUTS, 'if (label >= 0) value = getClassWeights(label);'), inputs)
    : backend.makeTensorInfo([shape[0]!], 'float32', new Float32Array(shape[0]!));
  return [loss, rowMax, logSum, targetSum, targetWeight];
}

const BACKWARD_NAMES = ['dy', 'dTargetWeight', 'labels', 'logits', 'classWeights', 'rowMax', 'logSum', 'targetSum'];
const backwardInputs = (inputs: Readonly<Record<string, TensorInfo>>) => BACKWARD_NAMES.map((name) => inputs[name]!);

/** dy·(softmax(z)·(Σt + 2w·L) − t); 0 for an ignored sample. */
function gradLogits(backend: WebGLBackend, inputs: Readonly<Record<string, TensorInfo>>, attrs: SoftmaxCrossEntropyAttrs): TensorInfo[] {
  const multiple = attrs.zLoss === 0 ? 'getTargetSum(row)' : `(getTargetSum(row) + ${glslFloat(2 * attrs.zLoss)} * ${LOG_SUM_EXP})`;
  const program = perEntry(attrs, inputs['logits']!.shape, BACKWARD_NAMES, `
    if (label < 0) { setOutput(0.0); return; }
    float p = expNaN((getLogits(row, k) - getRowMax(row)) - getLogSum(row));
    value = getDy(row) * (p * ${multiple} - target(row, k, label));`);
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

/** Whether the webgl kernels take these logits: `[N, C]`, classes last, on WebGL2. */
export const webglTakes = (logits: readonly number[], axis: number) => isWebGL2() && logits.length === 2 && axis === 1;
