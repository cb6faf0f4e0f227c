/**
 * Bipolar pattern helpers for Hopfield lessons: overlaps with stored
 * patterns, Hamming distance, corrupted copies and random patterns.
 * Dimension letters: N pattern length, M patterns. Every random choice
 * takes a seeded `Random`.
 */

import {
  checkBipolar,
  checkInteger,
  checkPatterns,
  checkRandom,
  checkVector,
} from "./hopfield-checks";
import type { BipolarInput } from "./hopfield-rules";
import type { Random } from "./random";

/**
 * Overlaps m_mu = (1/N) sum_i xi_mu(i) z_i of a state with each pattern:
 * 1 for the pattern itself, -1 for its negation, about 0 if unrelated.
 * @param state z, length N (any finite values)
 * @param patterns M bipolar patterns xi_mu of length N
 * @returns m, length M
 */
export function overlaps(
  state: ArrayLike<number>,
  patterns: BipolarInput[],
): Float64Array {
  const N = checkPatterns("patterns", patterns);
  checkVector("state", state, N);
  return Float64Array.from(patterns, (xi) => {
    let dot = 0;
    for (let i = 0; i < N; i++) dot += xi[i] * state[i];
    return dot / N;
  });
}

/** Number of positions where two vectors of one length differ. */
export function hammingDistance(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): number {
  checkVector("a", a);
  checkVector("b", b, a.length);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}

/**
 * A copy of `pattern` with `count` distinct positions flipped, chosen
 * uniformly at random.
 * @param pattern bipolar, length N
 * @param count 0 <= count <= N
 * @returns length N
 */
export function corrupt(
  pattern: BipolarInput,
  count: number,
  random: Random,
): Float64Array {
  checkBipolar("pattern", pattern);
  checkInteger("count", count, 0, pattern.length);
  checkRandom("random", random);
  const out = Float64Array.from(pattern);
  const order = random.permutation(out.length);
  for (let k = 0; k < count; k++) out[order[k]] = -out[order[k]];
  return out;
}

/**
 * `count` random bipolar patterns of length `size`, each entry +1 or -1
 * with probability 1/2 independently.
 * @returns M = count arrays of length N = size
 */
export function randomPatterns(
  count: number,
  size: number,
  random: Random,
): Float64Array[] {
  checkInteger("count", count, 0);
  checkInteger("size", size, 1);
  checkRandom("random", random);
  const patterns: Float64Array[] = [];
  for (let mu = 0; mu < count; mu++) {
    const p = new Float64Array(size);
    for (let i = 0; i < size; i++) p[i] = random.bernoulli(0.5) ? 1 : -1;
    patterns.push(p);
  }
  return patterns;
}
