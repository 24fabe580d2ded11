/**
 * One JavaScript loop, two backends: a fused kernel written over typed arrays
 * runs on tfjs's `cpu` backend (over its arrays, no copy) and on its `wasm`
 * backend (over views of the wasm heap, no copy), registered as a tfjs
 * kernel for each.
 */
import type { DataType, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { simdKernels, type SimdKernels } from './simd/instance.js';

/** A typed array of tensor data: float32 values or int32 indices. */
export type TensorArray = Float32Array | Int32Array;

/** An input of an {@link ArrayKernel}: its data and its shape. */
export interface ArrayInput {
  readonly values: TensorArray;
  readonly shape: readonly number[];
}

/**
 * A kernel as a loop over typed arrays: the shapes of its float32 outputs,
 * then a function that fills them.
 *
 * @typeParam Attrs - the kernel's attributes (axis, label smoothing, …).
 */
export interface ArrayKernel<Attrs> {
  readonly kernelName: string;
  /** The names of the kernel's tensor inputs, in the order `runKernel` is given them. */
  readonly inputNames: readonly string[];
  /** The shape of each output, from the inputs' shapes. */
  outputShapes(shapes: Readonly<Record<string, readonly number[]>>, attrs: Attrs): number[][];
  /** Fills `outputs` (zeroed, float32) from `inputs`; reads nothing else. */
  run(inputs: Readonly<Record<string, ArrayInput>>, outputs: Float32Array[], attrs: Attrs): void;
  /**
   * On tfjs's wasm backend, the same by the SIMD module (simd/kernels.as.ts)
   * where it applies, on the arrays' places in the heap; false where it does
   * not (then `run` runs).
   */
  runSimd?(simd: SimdKernels, inputs: Readonly<Record<string, ArrayInput>>, outputs: Float32Array[], attrs: Attrs): boolean;
}

/** The cpu backend's surface that a kernel uses (public on `MathBackendCPU`). */
interface CpuBackend {
  data: { get(dataId: object): { values: TensorArray } };
  makeTensorInfo(shape: number[], dtype: DataType, values: Float32Array): TensorInfo;
}

/** The wasm backend's surface that a kernel uses (public on `BackendWasm`). */
interface WasmBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): TensorArray;
}

function inputShapes(kernel: ArrayKernel<never>, inputs: Record<string, TensorInfo | undefined>): Record<string, readonly number[]> {
  return Object.fromEntries(kernel.inputNames.map((name) => [name, inputs[name]!.shape]));
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** `kernel` as a tfjs kernel of the cpu backend: it reads the backend's arrays and hands it new ones. */
export function cpuKernel<Attrs>(kernel: ArrayKernel<Attrs>): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const cpu = backend as unknown as CpuBackend;
    const typedAttrs = attrs as unknown as Attrs;
    const arrays = Object.fromEntries(
      kernel.inputNames.map((name) => {
        const info = inputs[name]!;
        return [name, { values: cpu.data.get(info.dataId).values, shape: info.shape }];
      }),
    );
    const shapes = kernel.outputShapes(inputShapes(kernel as ArrayKernel<never>, inputs), typedAttrs);
    const outputs = shapes.map((shape) => new Float32Array(size(shape)));
    kernel.run(arrays, outputs, typedAttrs);
    return outputs.map((values, i) => cpu.makeTensorInfo(shapes[i]!, 'float32', values));
  };
  return { kernelName: kernel.kernelName, backendName: 'cpu', kernelFunc: kernelFunc as KernelFunc };
}

/**
 * `kernel` as a tfjs kernel of the wasm backend: outputs are allocated on
 * the wasm heap first, then every array is a view of the heap (an
 * allocation can grow the heap and detach views taken before it).
 */
export function wasmKernel<Attrs>(kernel: ArrayKernel<Attrs>): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]) => {
    const wasm = backend as unknown as WasmBackend;
    const typedAttrs = attrs as unknown as Attrs;
    const shapes = kernel.outputShapes(inputShapes(kernel as ArrayKernel<never>, inputs), typedAttrs);
    const infos = shapes.map((shape) => wasm.makeOutput(shape, 'float32'));
    const arrays = Object.fromEntries(
      kernel.inputNames.map((name) => {
        const info = inputs[name]!;
        return [name, { values: wasm.typedArrayFromHeap(info), shape: info.shape }];
      }),
    );
    const outputs = infos.map((info) => wasm.typedArrayFromHeap(info) as Float32Array);
    outputs.forEach((output) => output.fill(0));
    const simd = kernel.runSimd === undefined ? undefined : simdKernels(backend);
    if (simd === undefined || !kernel.runSimd!(simd, arrays, outputs, typedAttrs)) kernel.run(arrays, outputs, typedAttrs);
    return infos;
  };
  return { kernelName: kernel.kernelName, backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
