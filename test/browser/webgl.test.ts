/**
 * In headless Chromium, WebGL2 on SwiftShader: every public function's value
 * and gradients on webgl (and on wasm) against cpu in the same page, with
 * WEBGL_CPU_FORWARD off (every op a shader) and on (tfjs's default, where
 * tensors under 128 entries run on the CPU), at a small and a real batch
 * size; and the README's edge cases, where webgl's shaders differ from the
 * cpu kernels (log(0), expm1, log1p).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumPath, disagreements, float16Bound, float32Bound, openPage, PAGE_SCRIPTS, startSession, type Encoded, type Session } from './support/page.js';

const chromium = await chromiumPath();

if ('reason' in chromium) {
  // Said plainly, not skipped silently: a warning, and a skipped test with the reason in its title.
  console.warn(`browser tests not run: ${chromium.reason}`);
  test.skip(`browser tests not run: ${chromium.reason}`, () => {});
}

describe.runIf('path' in chromium)('webgl and wasm against cpu, in Chromium', () => {
  let session: Session;
  let titles: string[] = [];
  let edgeCases: string[] = [];
  beforeAll(async () => {
    session = await startSession((chromium as { path: string }).path);
    [titles, edgeCases] = await session.page.evaluate(() => [window.harness.titles(), window.harness.edgeCaseNames()]);
  }, 120_000);
  afterAll(async () => {
    expect(session.errors).toEqual([]);
    await session?.close();
  });

  /** Every case on cpu, then on `backend` with `flags`, in one page; the disagreements and the tensors left. */
  async function compare(backend: 'webgl' | 'wasm', flags: Record<string, boolean>, batch: number, classes: number) {
    return session.page.evaluate(
      async ({ backend, flags, batch, classes }) => {
        const { harness } = window;
        const results: Record<string, [Encoded, Encoded]> = {};
        for (const title of harness.titles()) {
          await harness.useBackend('cpu');
          const cpu = harness.evaluateCase(title, batch, classes);
          await harness.useBackend(backend, flags);
          const before = harness.numTensors();
          results[title] = [cpu, harness.evaluateCase(title, batch, classes)];
          if (harness.numTensors() !== before) throw new Error(`${title} left ${harness.numTensors() - before} tensors on ${backend}`);
        }
        for (const name of harness.edgeCaseNames()) {
          await harness.useBackend('cpu');
          const cpu = harness.edgeCase(name);
          await harness.useBackend(backend, flags);
          results[name] = [cpu, harness.edgeCase(name)];
        }
        return results;
      },
      { backend, flags, batch, classes },
    );
  }

  const settings = [
    ['webgl, every op a shader (WEBGL_CPU_FORWARD off)', 'webgl', { WEBGL_CPU_FORWARD: false }, 4, 5],
    ['webgl with tfjs\'s default flags, at a real batch size', 'webgl', { WEBGL_CPU_FORWARD: true }, 32, 10],
    ['wasm', 'wasm', {}, 4, 5],
  ] as const;

  test.each(settings)('%s: values and gradients of every public function and edge case agree with cpu', async (_name, backend, flags, batch, classes) => {
    const results = await compare(backend, flags, batch, classes);
    expect(Object.keys(results)).toEqual([...titles, ...edgeCases]);
    const bound = float32Bound(Math.max(batch * classes, 256));
    expect(Object.entries(results).flatMap(([name, [cpu, other]]) => disagreements(other, cpu, bound, name))).toEqual([]);
  }, 120_000);

  test('float16 textures (many phones): every public function agrees with cpu to 8 float16 roundings; losses from logits exceed tfjs\'s clipped 9.21 nats', async () => {
    // A fresh page: the texture format is fixed when webgl starts.
    const { page, errors } = await openPage(session.browser, session.url, PAGE_SCRIPTS);
    const { results, ours, tfjsClipped } = await page.evaluate(async () => {
      const { harness, tf, tfEntropy } = window as unknown as { harness: Window['harness']; tf: typeof import('@tensorflow/tfjs'); tfEntropy: typeof import('../../src/index.js') };
      tf.env().set('WEBGL_FORCE_F16_TEXTURES', true);
      const results: Record<string, [Encoded, Encoded]> = {};
      for (const title of harness.titles()) {
        await harness.useBackend('cpu');
        const cpu = harness.evaluateCase(title, 4, 5);
        await harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
        results[title] = [cpu, harness.evaluateCase(title, 4, 5)];
      }
      // A confident wrong prediction, true loss 12 nats: from logits, and tfjs-layers' probability loss.
      const [y, z] = [tf.tensor2d([[0, 1]]), tf.tensor2d([[12, 0]])];
      const ours = tfEntropy.softmaxCrossEntropy(y, z).dataSync()[0]!;
      const tfjsClipped = tf.metrics.categoricalCrossentropy(y, tf.softmax(z)).dataSync()[0]!;
      if (tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) throw new Error('float16 textures were not used');
      return { results, ours, tfjsClipped };
    });
    expect(errors).toEqual([]);
    expect(Object.entries(results).flatMap(([title, [cpu, f16]]) => disagreements(f16, cpu, float16Bound, title))).toEqual([]);
    expect(ours).toBeCloseTo(12, 2);
    expect(tfjsClipped).toBeCloseTo(-Math.log(1e-4), 2);
  });

  test('defects of tfjs-backend-webgl that src/machinery/tfjs-workarounds.ts works around: log(0), log1p and expm1', async () => {
    const [log0, log1p, expm1] = await session.page.evaluate(async () => {
      await window.harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
      const tf = (window as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf;
      const at = (f: (x: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Tensor, x: number) => tf.tidy(() => f(tf.fill([256], x)).dataSync()[0]!);
      return [at(tf.log, 0), at(tf.log1p, 2e-9), at(tf.expm1, 1e-6)];
    });
    expect(log0).toBeGreaterThan(-89); // −88.03 on SwiftShader: finite
    expect(log1p).toBe(0); // log(1 + 2e-9) in float32
    expect(Math.abs(expm1 / Math.expm1(Math.fround(1e-6)) - 1)).toBeGreaterThan(0.01); // exp(x) − 1: 4.6 % off
  });

  test('on webgl\'s shaders a KL near 0 is exact (gaussianKL) and k3 is never negative, to float32 rounding of their terms', async () => {
    const [gaussian, k3] = await session.page.evaluate(async () => {
      await window.harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
      return [window.harness.edgeCase('gaussianKL near 0 (mean 1e-4, logVar 1e-4)'), window.harness.edgeCase('monteCarloKL k3 near equal log-densities')];
    });
    const u = 2 ** -24;
    // gaussianKL: 16 rows of ½Σ_d (expm1(r) − r + m²), r = m = 1e-4: each term off by a few ulps of r, not of 1.
    const [r, m] = [Math.fround(1e-4), Math.fround(1e-4)];
    const row = 16 * 0.5 * (Math.expm1(r) - r + m * m);
    (gaussian.slice(0, 16) as number[]).forEach((value) => expect(Math.abs(value - row)).toBeLessThanOrEqual(32 * u * 16 * (r + m * m)));
    // k3 = expm1(d) − d with d = 1e-6 between float32 log-densities near −1: never negative, off by a few ulps of d.
    (k3.slice(0, 256) as number[]).forEach((value, i) => {
      const logP = Math.fround(-1 - i * 1e-3);
      const d = Math.fround(logP + 1e-6) - logP;
      expect(value).toBeGreaterThanOrEqual(0);
      expect(Math.abs(value - (Math.expm1(d) - d))).toBeLessThanOrEqual(16 * u * Math.abs(d));
    });
  });
});
