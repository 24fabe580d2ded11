/** The examples run and print what the README shows. */
import { expect, test } from 'vitest';
import { workedExample } from '../examples/worked-example.js';

test('the worked example prints the table in nats and bits, and the identity', () => {
  const output = workedExample();
  expect(output).toContain('H(R, S)       1.171419  1.690000');
  expect(output).toContain('D_KL(R ‖ S)   0.090482');
  expect(output).toContain('D_KL(S ‖ R)   0.090079');
  expect(output).toContain('H(R, R)       1.080937');
  expect(output).toMatch(/identity: H\(R, S\) = H\(R\) \+ D_KL\(R ‖ S\): 1\.171419 = 1\.080937 \+ 0\.090482/);
});
