/** The bench in a page: every loss of cases.ts at every shape on webgl, with every op a shader. */
import * as tf from '@tensorflow/tfjs';
import { benchLoss, LOSSES } from './cases.js';

export async function runAll(shapes: Array<[number, number]>, runs: number, losses: string[]) {
  if (!(await tf.setBackend('webgl'))) throw new Error('bench: no webgl backend in this page');
  tf.env().set('WEBGL_CPU_FORWARD', false);
  const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown renderer';
  const results = [];
  for (const bench of LOSSES.filter((candidate) => losses.includes(candidate.loss))) {
    for (const shape of shapes) results.push({ loss: bench.loss, shape, results: await benchLoss(bench, shape, runs) });
  }
  return { results, renderer };
}
