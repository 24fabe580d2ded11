/**
 * In headless Chromium, WebGL2 on SwiftShader: every public function's value
 * and gradients on webgl (and on wasm) against cpu in the same page, with
 * WEBGL_CPU_FORWARD off (every op a shader) and on (tfjs's default, where
 * tensors under 128 entries run on the CPU), with no tensor left behind; the
 * README's edge cases, where webgl's shaders differ from the cpu kernels
 * (log(0), expm1, log1p); the primitives against float64 on the shaders; and
 * float16 textures.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Result } from './harness.js';
import { k3Inputs, primitiveInputs } from './support/inputs.js';
import { FUSED_CORES, NOT_ON_WEBGL } from '../support/fused-cores.js';
import { focalLabelGradient64 } from '../support/classification-reference.js';
import { chromiumPath, disagreements, float16Bound, float32Bound, openPage, PAGE_SCRIPTS, startSession, type Encoded, type Session } from './support/page.js';

const chromium = await chromiumPath();
const u = 2 ** -24;

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
    await session?.close();
    expect(session?.errors ?? []).toEqual([]);
  });

  /** Every registry case and edge case on cpu, then on `backend` with `flags`, in one page. */
  async function compare(page: Session['page'], backend: 'webgl' | 'wasm', flags: Record<string, boolean>, batch: number, classes: number) {
    return page.evaluate(
      async ({ backend, flags, batch, classes }) => {
        const { harness } = window;
        const results: Record<string, [Result, Result]> = {};
        const run = async (name: string, call: () => Result) => {
          await harness.useBackend('cpu');
          const cpu = call();
          await harness.useBackend(backend, flags);
          results[name] = [cpu, call()];
        };
        for (const title of harness.titles()) await run(title, () => harness.evaluateCase(title, batch, classes));
        for (const name of harness.edgeCaseNames()) await run(name, () => harness.edgeCase(name));
        return results;
      },
      { backend, flags, batch, classes },
    );
  }

  /** Disagreements with cpu within each result's own bound, and the tensors left on either side. */
  const problems = (results: Record<string, [Result, Result]>, bound: (terms: number) => (x: number) => number) =>
    Object.entries(results).flatMap(([name, [cpu, other]]) => [
      ...disagreements(other.numbers, cpu.numbers, bound(cpu.terms), name),
      ...(cpu.leaked || other.leaked ? [`${name} left ${cpu.leaked} tensors on cpu, ${other.leaked} on the other`] : []),
    ]);

  const settings = [
    ['webgl, every op a shader (WEBGL_CPU_FORWARD off)', 'webgl', { WEBGL_CPU_FORWARD: false }, 4, 5],
    ['webgl with tfjs\'s default flags, at a real batch size', 'webgl', { WEBGL_CPU_FORWARD: true }, 32, 10],
    ['webgl with the fused kernels off (the composite path)', 'webgl', { WEBGL_CPU_FORWARD: false, ENTROPY_FUSED_KERNELS: false }, 4, 5],
    ['wasm', 'wasm', {}, 4, 5],
  ] as const;

  test.each(settings)('%s: values and gradients of every public function and edge case agree with cpu, no tensor left', async (_name, backend, flags, batch, classes) => {
    const results = await compare(session.page, backend, flags, batch, classes);
    expect(Object.keys(results)).toEqual([...titles, ...edgeCases]);
    expect(problems(results, float32Bound)).toEqual([]);
  }, 120_000);

  test('second-order gradients: every public function\'s Hessian-vector product (tf.grad of its gradient) on webgl\'s shaders agrees with cpu, no tensor left', async () => {
    const results = await session.page.evaluate(async () => {
      const { harness } = window;
      const results: Record<string, [Result, Result]> = {};
      for (const title of harness.titles()) {
        await harness.useBackend('cpu');
        const cpu = harness.secondOrder(title, 3, 4);
        await harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
        results[title] = [cpu, harness.secondOrder(title, 3, 4)];
      }
      return results;
    });
    expect(Object.keys(results)).toEqual(titles);
    expect(problems(results, float32Bound)).toEqual([]);
  }, 120_000);

  test('the fused kernels run their GLSL programs on webgl, forward and backward', async () => {
    const fused = Object.fromEntries(Object.entries(FUSED_CORES).filter(([, kernel]) => !NOT_ON_WEBGL.includes(kernel)));
    const names = await session.page.evaluate(async (titles) => {
      await window.harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
      const run: Record<string, string[]> = {};
      for (const title of titles) run[title] = await window.harness.kernelNames(title, 8, 5);
      return run;
    }, Object.keys(fused));
    for (const [title, kernel] of Object.entries(fused)) {
      expect(names[title], title).toContain(kernel);
      expect(names[title]!.some((name) => name.startsWith(kernel) && name.includes('Grad')), title).toBe(true);
    }
  });

  test('on webgl\'s shaders the primitives are exact: log1p within 4 ulps of float64 from 1e-30 to 1e30, expm1 within 4 ulps below ½ and as close as webgl\'s exp above, log(0) = −∞', async () => {
    const values = await session.page.evaluate(async () => {
      await window.harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
      return window.harness.primitives();
    });
    const x = primitiveInputs();
    const clipped = x.map((xi) => Math.min(Math.max(xi, -80), 80));
    // Beyond ½, eˣ − 1 cancels at most 2 bits, so expm1 is as good as the backend's exp (which SwiftShader computes to about 8 ulps).
    const expError = (i: number) => (Math.abs(clipped[i]!) < 0.5 ? 0 : Math.abs((values.exp[i] as number) - Math.exp(clipped[i]!)));
    const off = (name: string, actual: Encoded, exact: (x: number) => number, inputs: number[], allowance: (i: number) => number) =>
      inputs.flatMap((xi, i) => {
        const [a, e] = [actual[i] as number, exact(xi)];
        return Math.abs(a - e) <= 4 * u * Math.abs(e) + allowance(i) ? [] : [`${name}(${xi}) = ${a}, float64 ${e}`];
      });
    expect([...off('log1p', values.log1p, Math.log1p, x, () => 0), ...off('expm1', values.expm1, Math.expm1, clipped, expError)]).toEqual([]);
    expect(values.log).toEqual(['-Infinity', 0, Math.fround(Math.log(0.5))]);
  });

  test('on webgl\'s shaders a KL near 0 is exact (gaussianKL), k3 is exact and never negative, the focal label gradient at ±20 and ±30 exact', async () => {
    const [gaussian, k3, focal] = await session.page.evaluate(async () => {
      await window.harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
      const { edgeCase } = window.harness;
      return [edgeCase('gaussianKL near 0 (mean 1e-4, logVar 1e-4)'), edgeCase('monteCarloKL k3 near equal log-densities'), edgeCase('the sigmoid focal loss\'s gradient with respect to labels at saturated logits (γ = ½)')].map((r) => r.numbers as number[]);
    });
    // gaussianKL: 16 rows of ½Σ_d (expm1(r) − r + m²), r = m = 1e-4: each term off by a few ulps of r, not of 1.
    const [r, m] = [Math.fround(1e-4), Math.fround(1e-4)];
    const row = 16 * 0.5 * (Math.expm1(r) - r + m * m);
    gaussian!.slice(0, 16).forEach((value) => expect(Math.abs(value - row)).toBeLessThanOrEqual(32 * u * 16 * (r + m * m)));
    // k3 = expm1(d) − d ≈ d²/2: for d = 1e-3 within a few ulps of d (5e-10 against 5e-7), never negative for d = 1e-6.
    const [logP, logQ] = k3Inputs().map((rows) => rows.flat());
    k3!.slice(0, 256).forEach((value, i) => {
      const d = logQ![i]! - logP![i]!;
      expect(value, `k3 at d = ${d}`).toBeGreaterThanOrEqual(0);
      if (i % 2 === 0) expect(Math.abs(value - (Math.expm1(d) - d)), `k3 at d = ${d}`).toBeLessThanOrEqual(16 * u * d);
    });
    // The gradient of Σ α_t·(1 − p_t)^γ·BCE with respect to right hard labels at saturated logits: 18 ulps, relative.
    const [labels, logits] = [[1, 0, 1, 0], [20, -20, 30, -30]];
    focal!.slice(1, 5).forEach((g, i) => {
      const exact = focalLabelGradient64(labels[i]!, logits[i]!, 0.5, 0.25);
      expect(Math.abs(g - exact), `label ${labels[i]} at logit ${logits[i]}`).toBeLessThanOrEqual(18 * u * Math.abs(exact));
    });
  });

  test('defects of tfjs-backend-webgl that src/machinery/tfjs-workarounds.ts works around, on SwiftShader: log(0), log1p and expm1', async (context) => {
    const pinned = await session.page.evaluate(async () => {
      await window.harness.useBackend('webgl', { WEBGL_CPU_FORWARD: false });
      const tf = (window as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf;
      const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const at = (f: (x: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Tensor, x: number) => tf.tidy(() => f(tf.fill([4], x)).dataSync()[0]!);
      return { renderer: info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : '', log0: at(tf.log, 0), log1p: at(tf.log1p, 2e-9), expm1: at(tf.expm1, 1e-6) };
    });
    // GLSL leaves log(0) undefined: these are SwiftShader's answers; another GPU's may differ.
    if (!pinned.renderer.includes('SwiftShader')) context.skip();
    expect(pinned.log0).toBeGreaterThan(-89); // −88.03: finite
    expect(pinned.log1p).toBe(0); // log(1 + 2e-9) in float32
    expect(Math.abs(pinned.expm1 / Math.expm1(Math.fround(1e-6)) - 1)).toBeGreaterThan(0.01); // exp(x) − 1: 4.6 % off
  });

  test('float16 textures (GPUs without float32 render targets): every public function agrees with cpu to 8 float16 roundings; zeros still give 0·log 0 = 0', async () => {
    // A fresh page: the texture format is fixed when webgl starts.
    const { page, errors } = await openPage(session.browser, session.url, PAGE_SCRIPTS);
    await page.evaluate(() => (window as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf.env().set('WEBGL_FORCE_F16_TEXTURES', true));
    const results = await compare(page, 'webgl', { WEBGL_CPU_FORWARD: false }, 4, 5);
    const f16 = await page.evaluate(() => (window as unknown as { tf: typeof import('@tensorflow/tfjs') }).tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'));
    expect(f16, 'float16 textures were used').toBe(false);
    expect(errors).toEqual([]);
    const registry = Object.fromEntries(titles.map((title) => [title, results[title]!]));
    expect(problems(registry, () => float16Bound)).toEqual([]);
    // ±Infinity does not fit a float16 texture: what the edge cases give there, where cpu's result is finite.
    const finiteOnCpu = (name: string) => {
      const [cpu, half] = results[name]!;
      return cpu.numbers.flatMap((e, i) => (typeof e === 'number' && typeof half.numbers[i] !== 'number' ? [`${name}[${i}]: ${half.numbers[i]}, cpu ${e}`] : []));
    };
    expect(['jsDivergence and entropy with zeros', 'gaussianKL near 0 (mean 1e-4, logVar 1e-4)', 'monteCarloKL k3 near equal log-densities'].flatMap(finiteOnCpu)).toEqual([]);
  });
});
