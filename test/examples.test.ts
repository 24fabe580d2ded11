/**
 * Every example runs in --quick mode (seconds each): it finishes, its loss
 * falls, it writes valid SVG and PNG files and the gallery, and the same seed
 * gives the same numbers.
 */
import { describe, expect, test } from 'vitest';
import { runClassifier } from '../examples/classifier.js';
import { runCustomLoop } from '../examples/custom-loop.js';
import { runDistillation } from '../examples/distillation.js';
import { runVae } from '../examples/vae.js';
import { runWorkedExample, workedExample } from '../examples/worked-example.js';
import { expectLossFalls, expectValidFiles, quickOptions, temporaryOutput } from './support/examples.js';

const out = temporaryOutput();
const quick = () => quickOptions(out);

describe('examples (--quick)', () => {
  test('the worked example prints the table in nats and bits, and the identity', async () => {
    const output = workedExample();
    expect(output).toContain('H(R, S)       1.171419  1.690000');
    expect(output).toContain('D_KL(R ‖ S)   0.090482');
    expect(output).toContain('D_KL(S ‖ R)   0.090079');
    expect(output).toContain('H(R, R)       1.080937');
    expect(output).toMatch(/identity: H\(R, S\) = H\(R\) \+ D_KL\(R ‖ S\): 1\.171419 = 1\.080937 \+ 0\.090482/);
    expect((await runWorkedExample(await quick())).summary).toContain('H(R, S) = 1.171419 nats');
  });

  test.each([
    ['classifier', runClassifier, /^classifier: test accuracy \d\.\d{3} \(1000 images\)$/],
    ['vae', runVae, /^vae: test −ELBO \d+\.\d nats per image \(reconstruction \d+\.\d \+ KL \d+\.\d\d\), \d\/2 active units$/],
    ['distillation', runDistillation, /^distillation: student test accuracy \d\.\d{3} ± \d\.\d{3} with hard labels, \d\.\d{3} ± \d\.\d{3} distilled over 3 seeds \(teacher \d\.\d{3}\)$/],
    ['custom-loop', runCustomLoop, /^custom-loop: test accuracy \d\.\d{3} \(500 images\), gradient check passed$/],
  ] as const)('%s finishes, its loss falls, and it writes its plots', async (_name, run, summary) => {
    const result = await run(await quick());
    expect(result.summary).toMatch(summary);
    expectLossFalls(result);
    expectValidFiles(out, result);
  }, 120_000);

  test('the same seed gives the same numbers', async () => {
    const first = await runCustomLoop(await quick());
    const second = await runCustomLoop(await quick());
    expect(second.lossHistory).toEqual(first.lossHistory);
    expect(second.summary).toBe(first.summary);
  }, 120_000);
});
