/** Inputs the pages and the Node side build alike, so both compute from the very same float32 numbers. */

/** k3's inputs: log P near −1, log Q = log P + 1e-3 (even entries) or + 1e-6 (odd), as float32 [16, 16]. */
export function k3Inputs(): [number[][], number[][]] {
  const logP = Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, j) => Math.fround(-1 - (i * 16 + j) * 1e-3)));
  const logQ = logP.map((row, i) => row.map((p, j) => Math.fround(p + ((i * 16 + j) % 2 === 0 ? 1e-3 : 1e-6))));
  return [logP, logQ];
}

/** Magnitudes from 1e-30 to 1e30 and their negatives (above −1), as float32, for log1p and expm1. */
export function primitiveInputs(): number[] {
  return Array.from({ length: 121 }, (_, i) => 10 ** (i / 2 - 30)).flatMap((x) => [Math.fround(x), Math.fround(-Math.min(x, 0.999))]);
}
