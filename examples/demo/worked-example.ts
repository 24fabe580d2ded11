/**
 * The worked example brought to life: sliders for R and S, and the entropies,
 * cross-entropies and KL divergences between them, computed by this package
 * on the page's tfjs backend, as a table and as bars that show
 * H(R, S) = H(R) + D_KL(R ‖ S), the asymmetry, and H(R, R) = H(R).
 */
import type { Tensor } from '@tensorflow/tfjs';
import { crossEntropy, entropy, klDivergence } from '../../src/index.js';

/** The seed's example: R = (0.42, 0.31, 0.27), S = (0.25, 0.5, 0.25), as slider percentages. */
const START = { R: [42, 31, 27], S: [25, 50, 25] } as const;

export interface Measures {
  readonly R: number[];
  readonly S: number[];
  readonly unit: 'nats' | 'bits';
  readonly values: Record<string, number>;
}

const take = (t: Tensor): number => {
  const value = t.dataSync()[0]!;
  t.dispose();
  return value;
};

function measures(R: number[], S: number[], base: number): Record<string, number> {
  return {
    'H(R)': take(entropy(R, { base })),
    'H(S)': take(entropy(S, { base })),
    'H(R, S)': take(crossEntropy(R, S, { base })),
    'H(S, R)': take(crossEntropy(S, R, { base })),
    'H(R, R)': take(crossEntropy(R, R, { base })),
    'D_KL(R ‖ S)': take(klDivergence(R, S, { base })),
    'D_KL(S ‖ R)': take(klDivergence(S, R, { base })),
  };
}

/** Three sliders for a distribution, with the renormalised probabilities beside them. */
function sliders(name: 'R' | 'S', onInput: () => void): () => number[] {
  const fieldset = document.getElementById(name)!;
  const inputs = START[name].map((start, i) => {
    const label = document.createElement('label');
    label.innerHTML = `<span>${name}<sub>${i + 1}</sub></span><input type="range" min="1" max="100" value="${start}" aria-label="${name} ${i + 1}"><output></output>`;
    fieldset.append(label);
    const input = label.querySelector('input')!;
    input.addEventListener('input', onInput);
    return input;
  });
  return () => {
    const weights = inputs.map((input) => Number(input.value));
    const total = weights.reduce((a, b) => a + b, 0);
    const p = weights.map((w) => w / total);
    inputs.forEach((input, i) => (input.nextElementSibling!.textContent = p[i]!.toFixed(3)));
    return p;
  };
}

/** Stacked bars: each cross-entropy as the entropy plus the KL divergence. */
function bars(v: Record<string, number>, unit: string): string {
  const rows: Array<[string, number, number]> = [
    ['H(R, S) = H(R) + D_KL(R ‖ S)', v['H(R)']!, v['D_KL(R ‖ S)']!],
    ['H(S, R) = H(S) + D_KL(S ‖ R)', v['H(S)']!, v['D_KL(S ‖ R)']!],
    ['H(R, R) = H(R) + 0', v['H(R)']!, 0],
  ];
  const scale = 420 / Math.max(...rows.map(([, h, kl]) => h + kl), 1e-9);
  const bar = ([label, h, kl]: [string, number, number], i: number) => {
    const y = 10 + i * 34;
    return (
      `<text x="0" y="${y + 16}" font-size="13">${label}</text>` +
      `<rect x="230" y="${y}" width="${(h * scale).toFixed(1)}" height="22" fill="#1f77b4"/>` +
      `<rect x="${(230 + h * scale).toFixed(1)}" y="${y}" width="${(kl * scale).toFixed(1)}" height="22" fill="#ff7f0e"/>` +
      `<text x="${(236 + (h + kl) * scale).toFixed(1)}" y="${y + 16}" font-size="13">${(h + kl).toFixed(4)} ${unit}</text>`
    );
  };
  const legend = '<rect x="230" y="112" width="12" height="12" fill="#1f77b4"/><text x="246" y="122" font-size="12">entropy</text><rect x="320" y="112" width="12" height="12" fill="#ff7f0e"/><text x="336" y="122" font-size="12">KL divergence</text>';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="760" height="130" font-family="Helvetica, Arial, sans-serif">${rows.map(bar).join('')}${legend}</svg>`;
}

/** Builds the controls and keeps the table, bars and identity line up to date; `onChange` sees every update. */
export function showWorkedExample(onChange: (m: Measures) => void): void {
  const update = () => {
    const [R, S] = [readR(), readS()];
    const unit = (document.querySelector('input[name="unit"]:checked') as HTMLInputElement).value as 'nats' | 'bits';
    const v = measures(R, S, unit === 'bits' ? 2 : Math.E);
    document.getElementById('measures')!.innerHTML =
      `<tr><th>measure</th><th>${unit}</th></tr>` + Object.entries(v).map(([name, x]) => `<tr><td>${name}</td><td data-measure="${name}">${x.toFixed(4)}</td></tr>`).join('');
    document.getElementById('bars')!.innerHTML = bars(v, unit);
    document.getElementById('identity')!.textContent =
      `H(R, S) = H(R) + D_KL(R ‖ S): ${v['H(R, S)']!.toFixed(4)} = ${v['H(R)']!.toFixed(4)} + ${v['D_KL(R ‖ S)']!.toFixed(4)}. ` +
      `D_KL is not symmetric: D_KL(R ‖ S) − D_KL(S ‖ R) = ${(v['D_KL(R ‖ S)']! - v['D_KL(S ‖ R)']!).toExponential(2)}. ` +
      `H(R, R) = H(R) = ${v['H(R, R)']!.toFixed(4)}, not 0.`;
    onChange({ R, S, unit, values: v });
  };
  const readR = sliders('R', update);
  const readS = sliders('S', update);
  document.querySelectorAll('input[name="unit"]').forEach((radio) => radio.addEventListener('change', update));
  update();
}
