/**
 * Where the classes of each sample sit in a tensor with a class axis: the
 * shape seen as [outer, C, inner], so that kernels loop over samples and
 * classes of any axis with one stride.
 */

/** The logits as [outer, C, inner] around the class axis: sample r = o·inner + i has class k at (o·C + k)·inner + i. */
export interface ClassLayout {
  readonly outer: number;
  readonly classes: number;
  readonly inner: number;
}

export function classLayout(shape: readonly number[], axis: number): ClassLayout {
  const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  return { outer: product(shape.slice(0, axis)), classes: shape[axis]!, inner: product(shape.slice(axis + 1)) };
}

/** Where sample r = o·inner + i starts: class k sits at base + k·inner. */
export const sampleBase = ({ classes, inner }: ClassLayout, sample: number) => (sample - (sample % inner)) * classes + (sample % inner);

/** The per-sample shape: the shape without the class axis. */
export const perSampleShape = (shape: readonly number[], axis: number) => shape.filter((_, i) => i !== axis);
