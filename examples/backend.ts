/**
 * Picks the tfjs backend for an example from `--backend cpu|wasm`
 * (default wasm: it trains several times faster than cpu in Node).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

const BACKENDS = ['cpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

export async function useBackend(name: string = 'wasm'): Promise<BackendName> {
  if (!BACKENDS.includes(name as BackendName)) {
    throw new Error(`--backend must be one of ${BACKENDS.join(', ')}, got '${name}'`);
  }
  tf.env().set('PROD', true); // quiets tfjs's "install tfjs-node" banner
  // setBackend returns false instead of throwing when a backend fails to start.
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) {
    throw new Error(`could not start the tfjs '${name}' backend`);
  }
  return name as BackendName;
}
