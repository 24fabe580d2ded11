/**
 * A first-order Markov source over symbols 0..V−1 with sparse rows, in plain
 * float64 TypeScript: its stationary distribution, its entropy rate, the
 * expected cross-entropy of a model of it, and text drawn from it.
 *
 * The entropy rate of a stationary Markov chain is
 * H = −Σ_i π_i Σ_j P_ij log2 P_ij bits per symbol (Cover & Thomas,
 * Elements of Information Theory, theorem 4.2.4), π the stationary
 * distribution (π = πP).
 */
import seedrandom from 'seedrandom';

/** Row i of the transition matrix: the symbols that can follow i, and their probabilities (which sum to 1). */
export interface Row {
  readonly successors: Int32Array;
  readonly probabilities: Float64Array;
}

export interface MarkovSource {
  readonly rows: readonly Row[];
}

/** A source from its rows; throws unless every successor is a symbol and every row a distribution. */
export function markovSource(rows: readonly Row[]): MarkovSource {
  rows.forEach(({ successors, probabilities }, i) => {
    if (successors.length !== probabilities.length || successors.length === 0) {
      throw new Error(`markovSource: row ${i} has ${successors.length} successors and ${probabilities.length} probabilities`);
    }
    if (successors.some((j) => j < 0 || j >= rows.length)) throw new Error(`markovSource: row ${i} names a symbol outside [0, ${rows.length})`);
    const total = probabilities.reduce((a, b) => a + b, 0);
    if (probabilities.some((p) => !(p >= 0)) || Math.abs(total - 1) > 1e-12) {
      throw new Error(`markovSource: row ${i} is not a probability distribution (sums to ${total})`);
    }
  });
  return { rows };
}

/** A source from a dense transition matrix (small examples and tests). */
export function denseSource(matrix: readonly (readonly number[])[]): MarkovSource {
  return markovSource(
    matrix.map((row) => {
      const successors = Int32Array.from(row.flatMap((p, j) => (p > 0 ? [j] : [])));
      return { successors, probabilities: Float64Array.from(successors, (j) => row[j]!) };
    }),
  );
}

/** πP: one step of the chain applied to the distribution `pi`. */
function step(source: MarkovSource, pi: Float64Array): Float64Array {
  const next = new Float64Array(pi.length);
  source.rows.forEach(({ successors, probabilities }, i) => {
    for (let k = 0; k < successors.length; k++) next[successors[k]!]! += pi[i]! * probabilities[k]!;
  });
  return next;
}

/**
 * The stationary distribution π = πP by power iteration from the uniform
 * distribution. It iterates the lazy chain (I + P)/2, which has the same π
 * and converges for every irreducible chain, periodic ones included
 * (the chain 0 → 1 → 0 never settles; its lazy twin does).
 * Throws if the L1 change is still above `tolerance` after `maxIterations`.
 */
export function stationaryDistribution(source: MarkovSource, tolerance = 1e-13, maxIterations = 100_000): Float64Array {
  const V = source.rows.length;
  let pi = new Float64Array(V).fill(1 / V);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const moved = step(source, pi);
    const next = pi.map((p, i) => (p + moved[i]!) / 2);
    const change = next.reduce((sum, p, i) => sum + Math.abs(p - pi[i]!), 0);
    pi = next;
    if (change < tolerance) return pi;
  }
  throw new Error(`stationaryDistribution: no convergence in ${maxIterations} iterations (is the chain irreducible?)`);
}

/** H = −Σ_i π_i Σ_j P_ij log2 P_ij, the source's entropy rate in bits per symbol (0·log 0 = 0). */
export function entropyRate(source: MarkovSource, pi = stationaryDistribution(source)): number {
  return expectedCrossEntropy(source, pi, (i) => source.rows[i]!.probabilities.map(Math.log2));
}

/**
 * H(p, q) = −Σ_i π_i Σ_j P_ij log2 q(j | i), in bits per symbol: a model's
 * cross-entropy on the source, exactly, from `log2Model(i)`, the model's
 * log2 q(j | i) at row i's successors (in their order). It equals the
 * entropy rate plus Σ_i π_i D_KL(P_i ‖ q_i), the per-symbol KL divergence.
 */
export function expectedCrossEntropy(source: MarkovSource, pi: Float64Array, log2Model: (i: number) => Float64Array): number {
  let total = 0;
  source.rows.forEach(({ probabilities }, i) => {
    if (pi[i] === 0) return;
    const log2q = log2Model(i);
    let row = 0;
    for (let k = 0; k < probabilities.length; k++) if (probabilities[k]! > 0) row -= probabilities[k]! * log2q[k]!;
    total += pi[i]! * row;
  });
  return total;
}

/** The index k drawn from `probabilities` (which sum to 1) with the uniform number u ∈ [0, 1): the first k whose cumulative sum exceeds u. */
function draw(probabilities: Float64Array, u: number): number {
  let cumulative = 0;
  for (let k = 0; k < probabilities.length - 1; k++) {
    cumulative += probabilities[k]!;
    if (u < cumulative) return k;
  }
  return probabilities.length - 1;
}

/** A reader of text from the source: each call to `next(n)` returns the next n symbols of one endless text, which starts from π. */
export function textReader(source: MarkovSource, pi: Float64Array, seed: string): { next(n: number): Int32Array } {
  const random = seedrandom(seed);
  let symbol = draw(pi, random());
  return {
    next(n) {
      const text = new Int32Array(n);
      for (let t = 0; t < n; t++) {
        text[t] = symbol;
        const { successors, probabilities } = source.rows[symbol]!;
        symbol = successors[draw(probabilities, random())]!;
      }
      return text;
    },
  };
}

/**
 * A sparse, structured source: the V symbols fall into groups of
 * `groupSize` (symbol j is in group ⌊j / groupSize⌋ with rank j mod groupSize).
 * Each symbol i has `successorGroups` groups of its own, drawn at random,
 * with Dirichlet(1, …, 1) weights w_i; the symbol after i is one of those
 * groups' symbols, with probability w_i(group) · z(rank), z ∝ 1/(rank + 1)
 * a Zipf law shared by every group. So each row has
 * successorGroups × groupSize successors, all rows differ, and log P is a
 * low-rank matrix (plus −∞ off the successors) that a small model can learn.
 */
export function groupedSource(options: { symbols: number; groupSize: number; successorGroups: number; seed: string }): MarkovSource {
  const { symbols, groupSize, successorGroups } = options;
  const groups = symbols / groupSize;
  if (!Number.isInteger(groups) || successorGroups > groups) {
    throw new Error(`groupedSource: ${symbols} symbols do not make whole groups of ${groupSize} with ${successorGroups} successor groups each`);
  }
  const random = seedrandom(options.seed);
  const zipf = Array.from({ length: groupSize }, (_, rank) => 1 / (rank + 1));
  const zipfTotal = zipf.reduce((a, b) => a + b, 0);
  const rows = Array.from({ length: symbols }, (): Row => {
    const chosen = new Set<number>();
    while (chosen.size < successorGroups) chosen.add(Math.floor(random() * groups));
    // Normalised exponential draws are a Dirichlet(1, …, 1) draw.
    const weights = Array.from(chosen, () => -Math.log(1 - random()));
    const weightTotal = weights.reduce((a, b) => a + b, 0);
    const successors = Int32Array.from([...chosen].flatMap((group) => zipf.map((_, rank) => group * groupSize + rank)));
    const probabilities = Float64Array.from(weights.flatMap((w) => zipf.map((z) => (w / weightTotal) * (z / zipfTotal))));
    return { successors, probabilities };
  });
  return markovSource(rows);
}
