/**
 * The webgl side of the fused kernels: GLSL programs run through
 * `MathBackendWebGL.runWebGLProgram` (public), written as tfjs's own webgl
 * kernels are (`variableNames`, `outputShape`, `userCode` with the
 * `getX(...)` samplers tfjs generates for each input).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';

/** Whether tfjs's webgl backend runs WebGL2, whose GLSL ES 3.0 the programs here are written in (WebGL1 takes the composite path). */
export const isWebGL2 = () => tf.env().getNumber('WEBGL_VERSION') === 2;

/** A GPGPU program, as tfjs's webgl backend takes it. */
export interface WebGLProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly userCode: string;
}

/** The webgl backend's surface that a kernel uses (public on `MathBackendWebGL`). */
export interface WebGLBackend {
  runWebGLProgram(program: WebGLProgram, inputs: TensorInfo[], outputDtype: DataType): TensorInfo;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
  /** A tensor of these values, held on the CPU until a program reads it. */
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array): TensorInfo;
}

/**
 * GLSL constants and a NaN-keeping exp: ±Infinity (GLSL has no literal for
 * them; WebGL2 has uintBitsToFloat), and expNaN, since GLSL leaves exp(NaN)
 * undefined (SwiftShader's is a finite number, as is its log(NaN)).
 */
export const GLSL_INFINITY = `
  const float POSITIVE_INFINITY = uintBitsToFloat(0x7f800000u);
  const float NEGATIVE_INFINITY = uintBitsToFloat(0xff800000u);
  float expNaN(float x) { return isnan(x) ? NAN : exp(x); }
`;

/** A GLSL float literal of `x` (finite). */
export const glslFloat = (x: number) => {
  const text = String(x);
  return /[.eE]/.test(text) ? text : `${text}.0`;
};

/**
 * A webgl kernel from a function that runs programs: `run(backend, inputs,
 * attrs)` returns the kernel's outputs.
 */
export function webglKernel<Attrs>(
  kernelName: string,
  run: (backend: WebGLBackend, inputs: Readonly<Record<string, TensorInfo>>, attrs: Attrs) => TensorInfo[],
): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) =>
    run(backend as unknown as WebGLBackend, inputs as Record<string, TensorInfo>, attrs as NamedAttrMap as unknown as Attrs);
  return { kernelName, backendName: 'webgl', kernelFunc: kernelFunc as KernelFunc };
}
