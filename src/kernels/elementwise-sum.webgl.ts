/**
 * The elementwise-sum kernels (elementwise-sum.ts) on webgl: a term written
 * once more as GLSL, for inputs `[N, C]` (the sum, if any, over the last
 * axis) with the other inputs full-sized, one per column (`[C]`, `[1, C]`)
 * or one number. The forward is one texel per sample (a loop over its
 * columns) or per entry; the gradient of a full-sized input one texel per
 * entry, of a broadcast one one texel per number it holds, a loop over the
 * entries that read it.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GLSL_INFINITY, isWebGL2, webglKernel, type WebGLBackend, type WebGLProgram } from './webgl-program.js';

/** A term in GLSL: `value` and each partial an expression of the floats a, b, c, d (the inputs in order), or undefined. */
export interface GlslTerm {
  /** GLSL functions the expressions call. */
  readonly functions: string;
  readonly value: string;
  readonly partials: ReadonlyArray<string | undefined>;
}

/**
 * GLSL every term may call, exact where webgl's own functions are not:
 * log0 (log 0 = −∞, log of a negative NaN), log1pSmall (a series below 0.1,
 * where log(1 + x) loses digits), expm1Small (a series below ½), masked
 * (0·v = 0 unless v is NaN).
 */
export const GLSL_PRIMITIVES = `
  ${GLSL_INFINITY}
  float log0(float x) {
    if (isnan(x) || x < 0.0) return NAN;
    return x == 0.0 ? NEGATIVE_INFINITY : log(x);
  }
  float log1pSmall(float x) {
    if (abs(x) >= 0.1) return log0(1.0 + x);
    return x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - x * (0.25 - x * (0.2 - x * (1.0 / 6.0 - x / 7.0))))));
  }
  float expm1Small(float x) {
    if (abs(x) >= 0.5) return expNaN(x) - 1.0;
    return x * (1.0 + x * (0.5 + x * (1.0 / 6.0 + x * (1.0 / 24.0 + x * (1.0 / 120.0 + x * (1.0 / 720.0 + x * (1.0 / 5040.0 + x / 40320.0)))))));
  }
  float masked(float w, float v) {
    return (w == 0.0 && !isnan(v)) ? 0.0 : w * v;
  }
`;

const LETTERS = ['a', 'b', 'c', 'd'];

/** The GLSL that reads input `i` (shape `shape`) at sample `row`, column `k`. */
function reader(name: string, shape: readonly number[]): string {
  const sampler = `get${name[0]!.toUpperCase()}${name.slice(1)}`;
  if (shape.length === 0) return `${sampler}()`;
  if (shape.length === 1) return `${sampler}(${shape[0] === 1 ? '0' : 'k'})`;
  return `${sampler}(${shape[0] === 1 ? '0' : 'row'}, ${shape[1] === 1 ? '0' : 'k'})`;
}

/** `float a = …; float b = …;` for sample `row`, column `k`. */
const reads = (names: readonly string[], shapes: ReadonlyArray<readonly number[]>) =>
  names.map((name, i) => `float ${LETTERS[i]} = ${reader(name, shapes[i]!)};`).join('\n');

interface SumAttrs {
  readonly axis: number;
  readonly input: number;
}

/** The forward and backward webgl kernels of a term named `name` with inputs `names`. */
export function webglElementwiseKernels(name: string, names: readonly string[], term: GlslTerm): KernelConfig[] {
  const forward = (backend: WebGLBackend, inputs: Readonly<Record<string, TensorInfo>>, { axis }: SumAttrs): TensorInfo[] => {
    const infos = names.map((n) => inputs[n]!);
    const [rows, columns] = infos[0]!.shape as [number, number];
    const shapes = infos.map((info) => info.shape);
    const perRow = axis >= 0;
    const program: WebGLProgram = {
      variableNames: [...names],
      outputShape: perRow ? [rows] : [rows, columns],
      userCode: `
        ${GLSL_PRIMITIVES}
        ${term.functions}
        float term(int row, int k) {
          ${reads(names, shapes)}
          return ${term.value};
        }
        void main() {
          ${perRow ? `int row = getOutputCoords();
          float value = 0.0;
          for (int k = 0; k < ${columns}; k++) value += term(row, k);
          setOutput(value);` : `ivec2 coords = getOutputCoords();
          setOutput(term(coords.x, coords.y));`}
        }
      `,
    };
    return [backend.runWebGLProgram(program, infos, 'float32')];
  };

  const backward = (backend: WebGLBackend, inputs: Readonly<Record<string, TensorInfo>>, { axis, input }: SumAttrs): TensorInfo[] => {
    const infos = names.map((n) => inputs[n]!);
    const [rows, columns] = infos[0]!.shape as [number, number];
    const shapes = infos.map((info) => info.shape);
    const target = shapes[input]!;
    const full = tfArraysEqual(target, [rows, columns]);
    const upstream = axis >= 0 ? 'getDy(row)' : 'getDy(row, k)';
    const slope = `
      float slope(int row, int k) {
        ${reads(names, shapes)}
        return ${upstream} * (${term.partials[input]});
      }`;
    // The texel's entries: one for a full-sized input; a column's, or all, for a broadcast one.
    const perColumn = target[target.length - 1] === columns && columns !== 1;
    const main = full
      ? `ivec2 coords = getOutputCoords(); setOutput(slope(coords.x, coords.y));`
      : `float value = 0.0;
         ${perColumn ? `int k = ${target.length === 1 ? 'getOutputCoords()' : 'getOutputCoords().y'};` : ''}
         for (int row = 0; row < ${rows}; row++) {
           ${perColumn ? 'value += slope(row, k);' : `for (int k = 0; k < ${columns}; k++) value += slope(row, k);`}
         }
         setOutput(value);`;
    const program: WebGLProgram = {
      variableNames: ['dy', ...names],
      outputShape: full ? [rows, columns] : [...target],
      userCode: `
        ${GLSL_PRIMITIVES}
        ${term.functions}
        ${slope}
        void main() {
          ${main}
        }
      `,
    };
    return [backend.runWebGLProgram(program, [inputs['dy']!, ...infos], 'float32')];
  };

  return [webglKernel(name, forward), webglKernel(`${name}Grad`, backward)];
}

/**
 * Whether the webgl kernels take these inputs (on WebGL2): the first `[N, C]` with the
 * sum over the last axis or none, every other full-sized, `[C]`, `[1, C]`
 * or one number, and a GLSL partial for every input.
 */
export function webglTakes(term: GlslTerm, shapes: ReadonlyArray<readonly number[]>, axis: number): boolean {
  const [first, ...rest] = shapes;
  if (!isWebGL2() || first!.length !== 2 || (axis >= 0 && axis !== 1) || term.partials.some((p) => p === undefined)) return false;
  const [, columns] = first as [number, number];
  return rest.every((shape) => {
    const size = shape.reduce((x, y) => x * y, 1);
    if (shape.length > 2) return false;
    if (tfArraysEqual(shape, first!)) return true;
    if (size === 1) return true;
    return shape[shape.length - 1] === columns && size === columns;
  });
}

const tfArraysEqual = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
