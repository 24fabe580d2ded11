/** PNG image grids of 28×28 digits (with pngjs), optionally captioned with a digit each. */
import { PNG } from 'pngjs';

/** 3×5 pixel glyphs for 0–9, one string of 15 bits per digit (rows top to bottom). */
const GLYPHS = [
  '111101101101111', '010110010010111', '111001111100111', '111001111001111', '101101111001001',
  '111100111001111', '111100111101111', '111001001001001', '111101111101111', '111101111001111',
];

export interface GridOptions {
  /** Pixel intensities in [0, 1], `count`·side·side values. */
  readonly images: Float32Array;
  readonly count: number;
  readonly columns: number;
  /** Side of one image in pixels. Default 28. */
  readonly side?: number;
  /** Scale factor for viewing. Default 2. */
  readonly scale?: number;
  /** A digit drawn in red under each image (e.g. the predicted label). */
  readonly captions?: readonly number[];
}

/** Encodes a grid of grey images as a PNG (white gaps, dark digits on light background). */
export function imageGrid({ images, count, columns, side = 28, scale = 2, captions }: GridOptions): Buffer {
  const captionHeight = captions ? 8 : 0;
  const cellWidth = side + 2;
  const cellHeight = side + 2 + captionHeight;
  const rows = Math.ceil(count / columns);
  const png = new PNG({ width: columns * cellWidth * scale, height: rows * cellHeight * scale });
  png.data.fill(255);
  const setPixel = (x: number, y: number, [r, g, b]: [number, number, number]) => {
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const offset = ((y * scale + dy) * png.width + x * scale + dx) * 4;
        png.data[offset] = r;
        png.data[offset + 1] = g;
        png.data[offset + 2] = b;
        png.data[offset + 3] = 255;
      }
    }
  };
  for (let k = 0; k < count; k++) {
    const [x0, y0] = [(k % columns) * cellWidth + 1, Math.floor(k / columns) * cellHeight + 1];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const value = Math.round(255 * (1 - Math.min(1, Math.max(0, images[k * side * side + y * side + x] ?? 0))));
        setPixel(x0 + x, y0 + y, [value, value, value]);
      }
    }
    const caption = captions?.[k];
    if (caption !== undefined) {
      const glyph = GLYPHS[caption] ?? '';
      for (let i = 0; i < 15; i++) {
        if (glyph[i] === '1') setPixel(x0 + side / 2 - 1 + (i % 3), y0 + side + 2 + Math.floor(i / 3), [220, 0, 0]);
      }
    }
  }
  return PNG.sync.write(png);
}
