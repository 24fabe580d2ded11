/**
 * In headless Chromium on webgl: where the [N, V] logits of a large
 * vocabulary exceed the GPU's texture limit, tfjs cannot hold them ("Requested
 * texture size … greater than WebGL maximum", tfjs issue #920), so the
 * materialised path, sparseSoftmaxCrossEntropy of h·W + b, throws;
 * linearCrossEntropy, whose chunks of logits stay within the limit, gives
 * that path's values and gradients (computed on cpu, which has no limit).
 *
 * The GPU here is SwiftShader, whose limit (8192) would take logits of
 * 8192² = 67M entries to exceed: slow on a CPU. tfjs reads the limit from
 * its WEBGL_MAX_TEXTURE_SIZE flag, so the test lowers that to 2048, the
 * least any WebGL2 GPU has, and exceeds it with 160 × 32 000 logits; the
 * same call at the GPU's own limit runs. (`npm run bench` exceeds the real
 * limit.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumPath, startSession, type Session } from './support/page.js';

const chromium = await chromiumPath();

if ('reason' in chromium) {
  console.warn(`browser tests not run: ${chromium.reason}`);
  test.skip(`browser tests not run: ${chromium.reason}`, () => {});
}

describe.runIf('path' in chromium)('linearCrossEntropy beyond webgl\'s texture limit', () => {
  let session: Session;
  beforeAll(async () => {
    session = await startSession((chromium as { path: string }).path);
  }, 120_000);
  afterAll(async () => {
    const errors = [...(session?.errors ?? [])];
    await session?.close();
    expect(errors).toEqual([]);
  });

  test('the materialised [160, 32000] logits exceed a 2048 × 2048 texture and throw; linearCrossEntropy gives their values and gradients, no tensor left', async () => {
    const [rows, features, classes, limit] = [160, 8, 32000, 2048];
    expect(rows * classes).toBeGreaterThan(limit * limit);
    const outcome = await session.page.evaluate((args) => window.harness.linearBeyondTextureLimit(...args), [limit, rows, features, classes] as [number, number, number, number]);

    expect(outcome.gpuLimit).toBeGreaterThanOrEqual(limit);
    // At the GPU's own limit (if it holds them) the same logits fit: it is the limit that fails the materialised path.
    if (outcome.gpuLimit ** 2 >= rows * classes) expect('numbers' in outcome.atGpuLimit, JSON.stringify(outcome.atGpuLimit).slice(0, 200)).toBe(true);
    expect(outcome.materialised).toEqual({ error: expect.stringMatching(/^Requested texture size \[\d+x\d+\] greater than WebGL maximum on this browser \/ GPU \[2048x2048\]/) });

    if (!('numbers' in outcome.ours) || !('numbers' in outcome.onCpu)) throw new Error(`a call failed: ${JSON.stringify([outcome.ours, outcome.onCpu]).slice(0, 300)}`);
    expect(outcome.ours.leaked).toBe(0);
    // Normwise per output (value, ∂/∂h, ∂/∂W, ∂/∂b): each entry sums at most N + D + V float32 terms.
    const reference = outcome.onCpu.numbers;
    outcome.ours.numbers.forEach((values, i) => {
      const largest = reference[i]!.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      const difference = values.reduce((m, v, k) => Math.max(m, Math.abs(v - reference[i]![k]!)), 0);
      expect(difference, `output ${i}: largest |Δ| ${difference}, largest entry ${largest}`).toBeLessThanOrEqual((16 + rows + features + classes) * 2 ** -24 * largest);
    });
  }, 300_000);
});
