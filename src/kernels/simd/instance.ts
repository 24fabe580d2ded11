/**
 * The SIMD kernels (kernels.as.ts) on tfjs's wasm backend: the module
 * compiled once, instantiated once per tfjs wasm memory, which it imports.
 * Where it cannot run (no WebAssembly SIMD, a browser refusing a synchronous
 * compile, a tfjs whose wasm module hides its memory), `simdKernels` gives
 * `undefined` and the kernels run their JavaScript loops over the heap.
 */
import { SIMD_MODULE_BASE64 } from './module.generated.js';

/** The module's exports: every pointer a byte offset into tfjs's heap. */
export interface SimdKernels {
  softmaxCrossEntropy(
    labels: number, logits: number, classWeights: number,
    loss: number, maxima: number, logSums: number, targetSums: number, targetWeights: number,
    rows: number, classes: number, keep: number, spread: number, sparse: boolean, ignores: boolean, ignoreIndex: number, zLoss: number,
  ): void;
  softmaxCrossEntropyGradLogits(
    dy: number, labels: number, logits: number, classWeights: number,
    maxima: number, logSums: number, targetSums: number, gradient: number,
    rows: number, classes: number, keep: number, spread: number, sparse: boolean, ignores: boolean, ignoreIndex: number, zLoss: number,
  ): void;
  sigmoidCrossEntropy(labels: number, logits: number, weights: number, weightSize: number, output: number, rows: number, columns: number, sumRows: boolean): void;
  sigmoidCrossEntropyGrad(
    dy: number, labels: number, logits: number, weights: number, weightSize: number,
    gradient: number, rows: number, columns: number, dyPerRow: boolean, input: number,
  ): void;
  /** `measure`: 0 entropy, 1 cross-entropy, 2 KL, 3 JS. */
  informationMeasure(measure: number, p: number, q: number, output: number, rows: number, columns: number): void;
  informationMeasureGrad(measure: number, dy: number, p: number, q: number, gradient: number, rows: number, columns: number, input: number): void;
  /** `measure`: 0 KL, 1 cross-entropy. */
  gaussian(
    measure: number, meanP: number, logVarP: number, meanQ: number, logVarQ: number, meanQSize: number, logVarQSize: number,
    output: number, rows: number, columns: number, sumRows: boolean,
  ): void;
  gaussianGrad(
    measure: number, dy: number, meanP: number, logVarP: number, meanQ: number, logVarQ: number, meanQSize: number, logVarQSize: number,
    gradient: number, rows: number, columns: number, dyPerRow: boolean, input: number,
  ): void;
  categoricalKL(p: number, q: number, kl: number, pMax: number, pLogSum: number, qMax: number, qLogSum: number, rows: number, classes: number, temperature: number): void;
  categoricalKLGrad(
    dy: number, p: number, q: number, kl: number, pMax: number, pLogSum: number, qMax: number, qLogSum: number,
    gradient: number, rows: number, classes: number, temperature: number, input: number,
  ): void;
}

/** undefined: not tried yet; null: not (yet) compiled. */
let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/**
 * The compiled module, or null while it cannot be had: synchronously where
 * the engine allows it (Node, workers); else (Chrome's main thread refuses
 * modules over 4 KB) compiled in the background, the JavaScript loops
 * running meanwhile; never where there is no WebAssembly SIMD.
 */
function compiledModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Uint8Array.from(atob(SIMD_MODULE_BASE64), (c) => c.charCodeAt(0));
    compiled = null;
    try {
      compiled = new WebAssembly.Module(bytes);
    } catch {
      WebAssembly.compile(bytes).then(
        (module) => (compiled = module),
        () => undefined,
      );
    }
  }
  return compiled;
}

/** The SIMD kernels on the memory of tfjs's wasm `backend`, or undefined where they cannot run. */
export function simdKernels(backend: unknown): SimdKernels | undefined {
  // The Emscripten module of tfjs-backend-wasm exports its memory as `asm.memory`.
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  if (typeof WebAssembly === 'undefined' || !(memory instanceof WebAssembly.Memory)) return undefined;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const module = compiledModule();
    if (module === null) return undefined;
    kernels = new WebAssembly.Instance(module, { env: { memory, 'Math.log': Math.log } }).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
  }
  return kernels;
}
