/**
 * The flags every example takes, and what they mean:
 * --backend cpu|wasm (default wasm), --epochs N, --samples N (training
 * examples to use), --seed N (same seed, same numbers), --out DIR (default
 * examples/out), --quick (a few seconds: small data, one or two epochs).
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { useBackend, type BackendName } from '../backend.js';

export interface ExampleOptions {
  readonly backend: BackendName;
  readonly epochs: number | undefined;
  readonly samples: number | undefined;
  readonly seed: number;
  readonly out: string;
  readonly quick: boolean;
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer, got '${value}'`);
  return n;
}

/** Parses the flags (from `args`, default the command line), selects the backend and makes the output folder. */
export async function exampleOptions(args: string[] = process.argv.slice(2)): Promise<ExampleOptions> {
  const { values } = parseArgs({
    args,
    options: {
      backend: { type: 'string', default: 'wasm' },
      epochs: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'examples/out' },
      quick: { type: 'boolean', default: false },
    },
  });
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got '${values.seed}'`);
  const backend = await useBackend(values.backend);
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  return {
    backend,
    epochs: positiveInteger('epochs', values.epochs),
    samples: positiveInteger('samples', values.samples),
    seed,
    out,
    quick: values.quick,
  };
}

/** A seeded initializer for a layer's kernel: weight i of the run gets seed + i. */
export function seededInitializer(seed: number, index: number) {
  return tf.initializers.glorotUniform({ seed: seed * 1000 + index });
}

/** A deterministic shuffle of 0..n−1, so that `--seed` fixes the batches. */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const indices = Int32Array.from({ length: n }, (_, i) => i);
  const random = seedrandom(`shuffle-${seed}`);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices;
}

/** True when this module's file is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === new URL(`file://${resolve(process.argv[1])}`).href;
}

/**
 * Options for model.predict: tfjs's default batch of 32 spends most of its
 * time in per-batch overhead (10 000 digits took 7.5 s on wasm); whole
 * thousands at once take a fraction of that.
 */
export const PREDICT = { batchSize: 2000 } as const;
