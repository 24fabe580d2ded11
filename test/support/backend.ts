/**
 * Vitest setup file: selects the tfjs backend named by TFJS_BACKEND
 * (set per project in vitest.config.ts) before any test runs, turns the
 * fused kernels off where ENTROPY_FUSED_KERNELS is 'false', and fails
 * loudly if it cannot be selected (tfjs's setBackend returns false silently).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll } from 'vitest';
import { FUSED_KERNELS_FLAG } from '../../src/kernels/fused.js';

tf.env().set('PROD', true);
// The fused kernels on or off, as the project says (vitest.config.ts).
tf.env().set(FUSED_KERNELS_FLAG, process.env['ENTROPY_FUSED_KERNELS'] !== 'false');

beforeAll(async () => {
  const wanted = process.env['TFJS_BACKEND'] ?? 'cpu';
  const selected = await tf.setBackend(wanted);
  if (!selected || tf.getBackend() !== wanted) {
    throw new Error(`test setup: could not select the tfjs backend '${wanted}' (got '${tf.getBackend()}')`);
  }
});
