/** Hand-written SVG charts for the examples: line curves, scatters and a confusion matrix. */

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

export interface Series {
  readonly name: string;
  /** y values at x = 1, 2, … (an epoch each), or explicit points. */
  readonly values: readonly number[];
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** About five round tick values covering [min, max]. */
function ticks(min: number, max: number): number[] {
  if (min === max) return [min];
  const step = 10 ** Math.floor(Math.log10((max - min) / 4));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (max - min) / s <= 6) ?? step * 10;
  const first = Math.ceil(min / nice) * nice;
  return Array.from({ length: Math.floor((max - first) / nice + 1e-9) + 1 }, (_, i) => Number((first + i * nice).toPrecision(6)));
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function frame(width: number, height: number): Frame {
  return { width, height, left: 64, right: width - 16, top: 40, bottom: height - 48 };
}

/** Axes with ticks and labels; returns the SVG and the data → pixel maps. */
function axes(f: Frame, title: string, xLabel: string, yLabel: string, [x0, x1]: [number, number], [y0, y1]: [number, number]) {
  const px = (x: number) => f.left + ((x - x0) / (x1 - x0 || 1)) * (f.right - f.left);
  const py = (y: number) => f.bottom - ((y - y0) / (y1 - y0 || 1)) * (f.bottom - f.top);
  const parts = [
    `<text x="${f.width / 2}" y="22" text-anchor="middle" font-size="15" ${FONT}>${escape(title)}</text>`,
    `<line x1="${f.left}" y1="${f.bottom}" x2="${f.right}" y2="${f.bottom}" stroke="#333"/>`,
    `<line x1="${f.left}" y1="${f.top}" x2="${f.left}" y2="${f.bottom}" stroke="#333"/>`,
    ...ticks(x0, x1).map((t) => `<text x="${px(t)}" y="${f.bottom + 16}" text-anchor="middle" font-size="11" ${FONT}>${t}</text>`),
    ...ticks(y0, y1).map(
      (t) =>
        `<line x1="${f.left}" y1="${py(t)}" x2="${f.right}" y2="${py(t)}" stroke="#eee"/>` +
        `<text x="${f.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11" ${FONT}>${t}</text>`,
    ),
    `<text x="${(f.left + f.right) / 2}" y="${f.height - 10}" text-anchor="middle" font-size="12" ${FONT}>${escape(xLabel)}</text>`,
    `<text x="16" y="${(f.top + f.bottom) / 2}" text-anchor="middle" font-size="12" ${FONT} transform="rotate(-90 16 ${(f.top + f.bottom) / 2})">${escape(yLabel)}</text>`,
  ];
  return { svg: parts.join('\n'), px, py };
}

function document(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}

function legend(names: readonly string[], x: number, y: number): string {
  return names
    .map(
      (name, i) =>
        `<rect x="${x}" y="${y + i * 16}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>` +
        `<text x="${x + 14}" y="${y + i * 16 + 9}" font-size="11" ${FONT}>${escape(name)}</text>`,
    )
    .join('\n');
}

/** Curves over epochs (x = 1, 2, …), one colour per series, with a legend. */
export function lineChart(options: { title: string; xLabel: string; yLabel: string; series: readonly Series[]; width?: number; height?: number }): string {
  const { width = 640, height = 360 } = options;
  const f = frame(width, height);
  const all = options.series.flatMap((s) => s.values).filter(Number.isFinite);
  const longest = Math.max(1, ...options.series.map((s) => s.values.length));
  const [low, high] = [Math.min(...all), Math.max(...all)];
  const pad = (high - low) * 0.05 || 1;
  const { svg, px, py } = axes(f, options.title, options.xLabel, options.yLabel, [1, Math.max(2, longest)], [low - pad, high + pad]);
  const lines = options.series.map((s, i) => {
    const points = s.values.map((v, j) => `${px(j + 1).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    const color = PALETTE[i % PALETTE.length];
    const dots = s.values.map((v, j) => `<circle cx="${px(j + 1).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${color}"/>`).join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points}"/>${dots}`;
  });
  return document(width, height, [svg, ...lines, legend(options.series.map((s) => s.name), f.right - 150, f.top + 4)].join('\n'));
}

/** Points coloured by group (digits 0–9), with a legend. */
export function scatterChart(options: {
  title: string;
  xLabel: string;
  yLabel: string;
  points: ReadonlyArray<{ x: number; y: number; group: number }>;
  groupNames: readonly string[];
  width?: number;
  height?: number;
}): string {
  const { width = 640, height = 560 } = options;
  const f = { ...frame(width, height), right: width - 90 };
  const xs = options.points.map((p) => p.x);
  const ys = options.points.map((p) => p.y);
  const { svg, px, py } = axes(f, options.title, options.xLabel, options.yLabel, [Math.min(...xs), Math.max(...xs)], [Math.min(...ys), Math.max(...ys)]);
  const dots = options.points
    .map((p) => `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="1.6" fill="${PALETTE[p.group % PALETTE.length]}" fill-opacity="0.6"/>`)
    .join('');
  return document(width, height, [svg, dots, legend(options.groupNames, f.right + 14, f.top)].join('\n'));
}

/** A confusion matrix: true class by row, predicted by column, counts shaded by row share. */
export function confusionMatrixChart(options: { title: string; counts: readonly (readonly number[])[]; labels: readonly string[] }): string {
  const n = options.labels.length;
  const cell = 40;
  const left = 70;
  const top = 60;
  const size = left + n * cell + 20;
  const cells = options.counts.flatMap((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return row.map((count, j) => {
      const share = count / total;
      const shade = Math.round(255 * (1 - share));
      const fill = i === j ? `rgb(${shade},${Math.round(255 - share * 120)},${shade})` : `rgb(255,${shade},${shade})`;
      return (
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ddd"/>` +
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="11" ${FONT}>${count}</text>`
      );
    });
  });
  const headers = options.labels.flatMap((label, k) => [
    `<text x="${left + k * cell + cell / 2}" y="${top - 8}" text-anchor="middle" font-size="12" ${FONT}>${escape(label)}</text>`,
    `<text x="${left - 8}" y="${top + k * cell + cell / 2 + 4}" text-anchor="end" font-size="12" ${FONT}>${escape(label)}</text>`,
  ]);
  const titles = [
    `<text x="${size / 2}" y="22" text-anchor="middle" font-size="15" ${FONT}>${escape(options.title)}</text>`,
    `<text x="${left + (n * cell) / 2}" y="42" text-anchor="middle" font-size="12" ${FONT}>predicted</text>`,
    `<text x="18" y="${top + (n * cell) / 2}" text-anchor="middle" font-size="12" ${FONT} transform="rotate(-90 18 ${top + (n * cell) / 2})">true</text>`,
  ];
  return document(size, top + n * cell + 20, [...titles, ...headers, ...cells].join('\n'));
}
