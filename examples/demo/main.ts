/**
 * The interactive page: the worked example with sliders, then an MNIST
 * classifier and a VAE trained in the page, on webgl (or wasm where WebGL is
 * missing). `window.demo` exposes the state the browser test reads.
 */
/// <reference types="vite/client" />
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { MNIST_ATTRIBUTION } from '../lib/attribution.js';
import { loadDigits, type Digits } from './data.js';
import { trainClassifier, trainVae, type Run } from './training.js';
import { showWorkedExample, type Measures } from './worked-example.js';

/** webgl where the page has WebGL, else wasm; says which. */
async function startBackend(): Promise<string> {
  if ((await tf.setBackend('webgl').catch(() => false)) && tf.getBackend() === 'webgl') return 'webgl';
  setWasmPaths({ 'tfjs-backend-wasm.wasm': wasm, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd });
  await tf.setBackend('wasm');
  return 'wasm (this browser has no WebGL)';
}

const element = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

/** Runs `train` when `button` is clicked (once at a time), reporting in `status`; a failure is shown there, and a click tries again. */
function onClick(button: string, status: string, train: () => Promise<Run>, runs: Run[]): void {
  element<HTMLButtonElement>(button).addEventListener('click', async () => {
    element<HTMLButtonElement>(button).disabled = true;
    try {
      runs.push(await train());
    } catch (error) {
      element(status).textContent = `failed: ${(error as Error).message}`;
    } finally {
      element<HTMLButtonElement>(button).disabled = false;
    }
  });
}

const state = { backend: '', measures: undefined as Measures | undefined, classifier: [] as Run[], vae: [] as Run[] };
declare global {
  interface Window {
    demo: typeof state;
  }
}
window.demo = state;

element('attribution').textContent = `Digits: ${MNIST_ATTRIBUTION}.`;
state.backend = await startBackend();
element('backend').textContent = state.backend;
showWorkedExample((measures) => (state.measures = measures));
// ?epochs=N and ?samples=N shorten training (the browser test uses them).
const parameters = new URLSearchParams(location.search);
const [epochs, samples] = ['epochs', 'samples'].map((name) => Number(parameters.get(name)) || undefined);

/** The digits, fetched once the page loads; after a failed fetch, the next click fetches again. */
let digits: Promise<Digits> | undefined;
const fetchDigits = (): Promise<Digits> =>
  (digits ??= loadDigits(samples).catch((error: Error) => {
    digits = undefined;
    throw new Error(`could not load the digits (${error.message}); click to try again`);
  }));
fetchDigits().catch((error: Error) => {
  for (const status of ['classifier-status', 'vae-status']) element(status).textContent = error.message;
});
onClick('train-classifier', 'classifier-status', async () => trainClassifier(await fetchDigits(), { epochs, status: element('classifier-status'), chart: element('classifier-chart') }), state.classifier);
onClick('train-vae', 'vae-status', async () => trainVae(await fetchDigits(), { epochs, status: element('vae-status'), chart: element('vae-chart'), canvas: element<HTMLCanvasElement>('manifold') }), state.vae);
