/** The bench in a page: every loss of cases.ts at every shape on webgl, with every op a shader; linearCrossEntropy either side of the texture limit. */
import * as tf from '@tensorflow/tfjs';
import { benchLoss, LOSSES } from './cases.js';
import { compareLinear } from './linear.js';

/** Selects webgl, every op a shader, and names the GPU. */
async function useWebgl(): Promise<string> {
  if (!(await tf.setBackend('webgl'))) throw new Error('bench: no webgl backend in this page');
  tf.env().set('WEBGL_CPU_FORWARD', false);
  const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown renderer';
}

export async function runAll(shapes: Array<[number, number]>, runs: number, losses: string[]) {
  const renderer = await useWebgl();
  const results = [];
  for (const bench of LOSSES.filter((candidate) => losses.includes(candidate.loss))) {
    for (const shape of shapes) results.push({ loss: bench.loss, shape, results: await benchLoss(bench, shape, runs) });
  }
  return { results, renderer };
}

/**
 * linearCrossEntropy against the materialised logits with `rows` rows, and
 * (`beyondLimit`) with just enough rows for [N, V] to exceed the GPU's texture limit,
 * WEBGL_MAX_TEXTURE_SIZE² entries (tfjs issue #920). Numbers stay in the page:
 * only the comparison leaves it.
 */
export async function runLinear(rows: number, features: number, classes: number, runs: number, beyondLimit: boolean) {
  const renderer = await useWebgl();
  const maxTextureSize = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const beyond = Math.floor((maxTextureSize * maxTextureSize) / classes) + 1;
  const comparisons = [];
  for (const shape of [{ rows, features, classes }, ...(beyondLimit ? [{ rows: beyond, features, classes }] : [])]) comparisons.push(await compareLinear(shape, runs));
  return { renderer, maxTextureSize, comparisons };
}
