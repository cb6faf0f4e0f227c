/**
 * Classical Hopfield network (Hopfield 1982; lecture section 1): N bipolar
 * neurons z_j in {-1, +1}, symmetric weights, thresholds T and an external
 * input x; asynchronous and synchronous updates, the energy, overlaps with
 * stored patterns, and helpers to make and corrupt patterns.
 *
 * Update of neuron j (the lecture's rule):
 *   a_j = sum_i w_ji z_i + x_j,
 *   z_j = +1 if a_j > T_j, -1 if a_j < T_j, unchanged if a_j = T_j.
 * Energy: E = -1/2 sum_i sum_j w_ji z_j z_i - sum_j x_j z_j + sum_j T_j z_j.
 *
 * Energy descent, stated exactly: if W is symmetric and w_jj >= 0, every
 * asynchronous flip of neuron j lowers E strictly, by
 * 2 |a_j - T_j| + 2 w_jj (a_j includes the self term w_jj z_j); a tie flips
 * nothing. So asynchronous runs end at a fixed point. With w_jj = 0 (the
 * lecture) the field is the lecture's sum over i != j. A negative w_jj lets
 * a flip raise E, which is why the constructor rejects it; an asymmetric W
 * voids the guarantee altogether (allowed only on request, for demos).
 * Synchronous updates (all neurons at once) may end in a 2-cycle instead,
 * and E need not decrease along the way.
 *
 * Dimension letters: N neurons, M stored patterns.
 * Storage: W is [N, N] row-major, w_ji (from neuron i into neuron j) at
 * index j*N + i; states, thresholds and inputs are length-N vectors.
 * Limits: dense weights, O(N^2) memory; meant for N up to a few thousand.
 */

import {
  checkBipolar,
  checkChoice,
  checkInteger,
  checkOptionKeys,
  checkPatterns,
  checkRandom,
  checkVector,
  describeKind,
} from "./hopfield-checks";
import {
  hebbianWeights,
  pseudoInverseWeights,
  storkeyWeights,
  type BipolarInput,
  type LearningRule,
} from "./hopfield-rules";
import type { Random } from "./random";

export { hebbianWeights, pseudoInverseWeights, storkeyWeights };
export {
  corrupt,
  hammingDistance,
  overlaps,
  randomPatterns,
} from "./hopfield-patterns";
export type {
  BipolarInput,
  HebbianOptions,
  LearningRule,
  PseudoInverseOptions,
} from "./hopfield-rules";

/** Options of the `HopfieldNetwork` constructor. */
export interface HopfieldNetworkOptions {
  /** W, [N, N] row-major, symmetric, w_ii >= 0; default all zeros. */
  weights?: ArrayLike<number>;
  /** T, length N; default all zeros. */
  thresholds?: ArrayLike<number>;
  /**
   * Accept an asymmetric W (default false). The energy is then no longer a
   * Lyapunov function and asynchronous runs may cycle: for demonstrations.
   */
  allowAsymmetric?: boolean;
  /**
   * Relative tolerance for a tie a_j = T_j (default 1e-10): a tie is
   * |a_j - T_j| <= tieTolerance * (sum_i |w_ji| + |x_j| + |T_j|). Integer
   * weights give exact ties anyway; the tolerance keeps rounding noise
   * (as with the 1/N scale, where w = k/N is rounded) from turning a true
   * tie into a flip. 0 compares exactly.
   */
  tieTolerance?: number;
}

/** Options of `HopfieldNetwork.fromPatterns`. */
export interface FromPatternsOptions {
  /** Hebbian rule only: "none" (default) or "1/N". */
  scale?: "none" | "1/N";
  /** Pseudo-inverse rule only: "zero" (default) or "keep". */
  diagonal?: "zero" | "keep";
}

/** Options of `HopfieldNetwork.sweepAsync`. */
export interface SweepOptions {
  /** Visiting order: "random" (default; a fresh permutation) or "fixed". */
  order?: "random" | "fixed";
  /** Required when order is "random". */
  random?: Random;
  /** External input x, length N (default zeros). */
  input?: ArrayLike<number>;
}

/** Options of `HopfieldNetwork.run`. */
export interface RunOptions {
  /** "async" (default): one neuron at a time; "sync": all at once. */
  mode?: "async" | "sync";
  /** Async visiting order per sweep: "random" (default) or "fixed". */
  order?: "random" | "fixed";
  /** Random source; required when mode is "async" and order "random". */
  random?: Random;
  /** External input x, length N (default zeros). */
  input?: ArrayLike<number>;
  /** Step limit: at most this many sweeps (default 100). */
  maxSweeps?: number;
  /** Record the state and energy before the first and after each sweep. */
  trace?: boolean;
  /** Called after each sweep (1, 2, ...) with a copy of the state. */
  onSweep?: (sweep: number, state: Float64Array, energy: number) => void;
}

/** What `HopfieldNetwork.run` returns. */
export interface RunResult {
  /** Final state, length N. */
  state: Float64Array;
  /** True if the last sweep changed nothing: the state is a fixed point. */
  converged: boolean;
  /** Sweeps performed, including the last one that changed nothing. */
  sweeps: number;
  /**
   * Period of a detected cycle (a sweep-end state seen before), else null.
   * Detected for synchronous runs (period 2 for a valid W) and for
   * asynchronous runs in fixed order (only possible with an asymmetric W);
   * a repeat under random order is no cycle, so it is not reported.
   */
  cycle: number | null;
  /** With `trace: true`: states[k] and energies[k] after k sweeps. */
  trace?: { states: Float64Array[]; energies: number[] };
}

const RUN_OPTIONS = [
  "mode",
  "order",
  "random",
  "input",
  "maxSweeps",
  "trace",
  "onSweep",
];

/**
 * Classical Hopfield network. Lecture symbols and fields:
 * - N -> `size`
 * - w_ji (from neuron i into neuron j) -> `weights[j * N + i]`
 * - T_j -> `thresholds[j]`
 * - x_j -> the `input` argument (default zeros)
 * - z_j -> `state[j]`, a Float64Array of -1/+1
 * - a_j -> `localField(state, j, input)`
 * - E -> `energy(state, input)`
 *
 * The constructor copies the weights and thresholds; treat the fields as
 * read-only.
 */
export class HopfieldNetwork {
  /** N, the number of neurons. */
  readonly size: number;
  /** W, [N, N] row-major: symmetric (unless allowed), w_ii >= 0. */
  readonly weights: Float64Array;
  /** T, length N. */
  readonly thresholds: Float64Array;
  /** Relative tie tolerance (see `HopfieldNetworkOptions`). */
  readonly tieTolerance: number;

  /**
   * @param size N >= 1
   * @param options.weights [N, N] row-major; must be symmetric (up to
   *   1e-9 of the largest |w|) with a non-negative diagonal
   */
  constructor(size: number, options: HopfieldNetworkOptions = {}) {
    checkInteger("size", size, 1);
    checkOptionKeys("options", options, [
      "weights",
      "thresholds",
      "allowAsymmetric",
      "tieTolerance",
    ]);
    const N = size;
    this.size = N;
    this.weights = new Float64Array(N * N);
    this.thresholds = new Float64Array(N);
    this.tieTolerance = options.tieTolerance ?? 1e-10;
    if (!(this.tieTolerance >= 0 && Number.isFinite(this.tieTolerance))) {
      throw new RangeError(
        `options.tieTolerance: expected a finite number >= 0, got ` +
          `${this.tieTolerance}`,
      );
    }
    if (options.thresholds !== undefined) {
      checkVector("options.thresholds", options.thresholds, N);
      this.thresholds.set(options.thresholds);
    }
    if (options.weights !== undefined) {
      checkVector("options.weights", options.weights, N * N);
      this.weights.set(options.weights);
      checkWeights(this.weights, N, options.allowAsymmetric ?? false);
    }
  }

  /**
   * Network storing `patterns` with a learning rule (see hopfield-rules).
   * @param patterns M bipolar patterns of length N
   * @param rule "hebbian" (default), "storkey" or "pseudoinverse"
   * @param options `scale` for Hebbian, `diagonal` for pseudo-inverse;
   *   an option the rule does not use throws
   */
  static fromPatterns(
    patterns: BipolarInput[],
    rule: LearningRule = "hebbian",
    options: FromPatternsOptions = {},
  ): HopfieldNetwork {
    checkChoice("rule", rule, ["hebbian", "storkey", "pseudoinverse"]);
    const N = checkPatterns("patterns", patterns);
    const known = {
      hebbian: ["scale"],
      storkey: [],
      pseudoinverse: ["diagonal"],
    };
    checkOptionKeys(`options (rule "${rule}")`, options, known[rule]);
    let weights: Float64Array;
    if (rule === "hebbian") weights = hebbianWeights(patterns, options);
    else if (rule === "storkey") weights = storkeyWeights(patterns);
    else weights = pseudoInverseWeights(patterns, options);
    return new HopfieldNetwork(N, { weights });
  }

  /**
   * a_j = sum_i w_ji z_i + x_j (with w_jj = 0 this is the lecture's sum
   * over i != j).
   * @param state length N, any finite values
   * @param j neuron index in [0, N)
   * @param input x, length N (default zeros)
   */
  localField(
    state: ArrayLike<number>,
    j: number,
    input?: ArrayLike<number>,
  ): number {
    checkVector("state", state, this.size);
    checkInteger("j", j, 0, this.size - 1);
    if (input !== undefined) checkVector("input", input, this.size);
    const N = this.size;
    let a = input === undefined ? 0 : input[j];
    for (let i = 0; i < N; i++) a += this.weights[j * N + i] * state[i];
    return a;
  }

  /**
   * E = -1/2 sum_i sum_j w_ji z_j z_i - sum_j x_j z_j + sum_j T_j z_j.
   * @param state z, length N (any finite values; bipolar in the dynamics)
   * @param input x, length N (default zeros)
   */
  energy(state: ArrayLike<number>, input?: ArrayLike<number>): number {
    checkVector("state", state, this.size);
    if (input !== undefined) checkVector("input", input, this.size);
    return this.energyUnchecked(state, input);
  }

  /**
   * Updates neuron j of `state` in place by the lecture's rule; a tie
   * leaves it unchanged.
   * @param state bipolar, length N (modified)
   * @returns true if z_j flipped
   */
  updateNeuron(
    state: Float64Array,
    j: number,
    input?: ArrayLike<number>,
  ): boolean {
    this.checkState("state", state, true);
    checkInteger("j", j, 0, this.size - 1);
    if (input !== undefined) checkVector("input", input, this.size);
    return this.updateUnchecked(state, j, input);
  }

  /**
   * One asynchronous sweep: every neuron updated once, in place, in a
   * fixed (0..N-1) or random order.
   * @param state bipolar, length N (modified)
   * @returns the number of flips (0: `state` is a fixed point)
   */
  sweepAsync(state: Float64Array, options: SweepOptions = {}): number {
    checkOptionKeys("options", options, ["order", "random", "input"]);
    this.checkState("state", state, true);
    const order = options.order ?? "random";
    checkChoice("options.order", order, ["random", "fixed"]);
    if (order === "random") checkRandom("options.random", options.random);
    if (options.input !== undefined) {
      checkVector("options.input", options.input, this.size);
    }
    return this.sweepUnchecked(state, order, options.random, options.input);
  }

  /**
   * One synchronous step: every neuron computed from the old state.
   * @param state bipolar, length N (not modified)
   * @returns the new state, length N
   */
  stepSync(state: ArrayLike<number>, input?: ArrayLike<number>): Float64Array {
    this.checkState("state", state, false);
    if (input !== undefined) checkVector("input", input, this.size);
    return this.stepSyncUnchecked(state, input);
  }

  /** True if no neuron would change: `state` is a fixed point. */
  isFixedPoint(state: ArrayLike<number>, input?: ArrayLike<number>): boolean {
    this.checkState("state", state, false);
    if (input !== undefined) checkVector("input", input, this.size);
    const next = this.stepSyncUnchecked(state, input);
    return next.every((v, j) => v === state[j]);
  }

  /**
   * Runs the dynamics from `initial` (not modified) until a fixed point, a
   * cycle (see `RunResult.cycle`) or `maxSweeps`. A sweep is N neuron
   * updates (async) or one synchronous step.
   */
  run(initial: ArrayLike<number>, options: RunOptions = {}): RunResult {
    checkOptionKeys("options", options, RUN_OPTIONS);
    this.checkState("initial", initial, false);
    const mode = options.mode ?? "async";
    checkChoice("options.mode", mode, ["async", "sync"]);
    const order = options.order ?? "random";
    checkChoice("options.order", order, ["random", "fixed"]);
    const maxSweeps = options.maxSweeps ?? 100;
    checkInteger("options.maxSweeps", maxSweeps, 1);
    const x = options.input;
    if (x !== undefined) checkVector("options.input", x, this.size);
    const random = options.random;
    if (mode === "async" && order === "random") {
      checkRandom("options.random", random);
    }

    const z = Float64Array.from(initial);
    const trace = options.trace
      ? { states: [z.slice()], energies: [this.energyUnchecked(z, x)] }
      : undefined;
    // sweep-end states seen so far -> sweep index, when a repeat is a cycle
    const detect = mode === "sync" || order === "fixed";
    const seen = new Map<string, number>();
    if (detect) seen.set(stateKey(z), 0);

    let sweeps = 0;
    let converged = false;
    let cycle: number | null = null;
    while (sweeps < maxSweeps) {
      sweeps++;
      let changed: boolean;
      if (mode === "sync") {
        const next = this.stepSyncUnchecked(z, x);
        changed = !next.every((v, j) => v === z[j]);
        z.set(next);
      } else {
        changed = this.sweepUnchecked(z, order, random, x) > 0;
      }
      if (trace || options.onSweep) {
        const energy = this.energyUnchecked(z, x);
        trace?.states.push(z.slice());
        trace?.energies.push(energy);
        options.onSweep?.(sweeps, z.slice(), energy);
      }
      if (!changed) {
        converged = true;
        break;
      }
      if (detect) {
        const key = stateKey(z);
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          cycle = sweeps - earlier;
          break;
        }
        seen.set(key, sweeps);
      }
    }
    return { state: z, converged, sweeps, cycle, ...(trace && { trace }) };
  }

  // ---- kernels without argument checks (callers validated) ----

  private energyUnchecked(
    z: ArrayLike<number>,
    x: ArrayLike<number> | undefined,
  ): number {
    const N = this.size;
    let quadratic = 0;
    let linear = 0;
    for (let j = 0; j < N; j++) {
      let wz = 0;
      for (let i = 0; i < N; i++) wz += this.weights[j * N + i] * z[i];
      quadratic += z[j] * wz;
      linear += (this.thresholds[j] - (x === undefined ? 0 : x[j])) * z[j];
    }
    return -0.5 * quadratic + linear;
  }

  /**
   * New value of z_j from the current state: +1, -1, or z_j on a tie
   * (|a_j - T_j| within the relative tie tolerance).
   */
  private nextValue(
    z: ArrayLike<number>,
    j: number,
    x: ArrayLike<number> | undefined,
  ): number {
    const N = this.size;
    const T = this.thresholds[j];
    let a = x === undefined ? 0 : x[j];
    // sum_i |w_ji| + |x_j| + |T_j| bounds the rounding error of a_j - T_j
    let scale = Math.abs(a) + Math.abs(T);
    for (let i = 0; i < N; i++) {
      const w = this.weights[j * N + i];
      a += w * z[i];
      scale += Math.abs(w);
    }
    const margin = a - T;
    if (Math.abs(margin) <= this.tieTolerance * scale) return z[j];
    return margin > 0 ? 1 : -1;
  }

  private updateUnchecked(
    z: Float64Array,
    j: number,
    x: ArrayLike<number> | undefined,
  ): boolean {
    const next = this.nextValue(z, j, x);
    if (next === z[j]) return false;
    z[j] = next;
    return true;
  }

  private sweepUnchecked(
    z: Float64Array,
    order: "random" | "fixed",
    random: Random | undefined,
    x: ArrayLike<number> | undefined,
  ): number {
    const N = this.size;
    const visit = order === "random" ? (random as Random).permutation(N) : null;
    let flips = 0;
    for (let k = 0; k < N; k++) {
      if (this.updateUnchecked(z, visit ? visit[k] : k, x)) flips++;
    }
    return flips;
  }

  private stepSyncUnchecked(
    z: ArrayLike<number>,
    x: ArrayLike<number> | undefined,
  ): Float64Array {
    const next = new Float64Array(this.size);
    for (let j = 0; j < this.size; j++) next[j] = this.nextValue(z, j, x);
    return next;
  }

  private checkState(
    name: string,
    state: ArrayLike<number>,
    mustBeFloat64: boolean,
  ): void {
    if (mustBeFloat64 && !(state instanceof Float64Array)) {
      throw new TypeError(
        `${name}: expected a Float64Array (updated in place), got ` +
          `${describeKind(state)}`,
      );
    }
    checkBipolar(name, state, this.size);
  }
}

/** Checks W: symmetric up to 1e-9 of max |w|, and w_ii >= -that. */
function checkWeights(W: Float64Array, N: number, allowAsymmetric: boolean) {
  let maxAbs = 0;
  for (let k = 0; k < N * N; k++) maxAbs = Math.max(maxAbs, Math.abs(W[k]));
  const tolerance = 1e-9 * maxAbs;
  for (let j = 0; j < N; j++) {
    const wjj = W[j * N + j];
    if (wjj < -tolerance) {
      throw new RangeError(
        `options.weights: expected a non-negative diagonal (a negative ` +
          `self-coupling lets an update raise the energy), got ` +
          `w[${j}][${j}] = ${wjj}`,
      );
    }
    if (allowAsymmetric) continue;
    for (let i = j + 1; i < N; i++) {
      const wji = W[j * N + i];
      const wij = W[i * N + j];
      if (Math.abs(wji - wij) > tolerance) {
        throw new RangeError(
          `options.weights: expected a symmetric matrix (|w_ji - w_ij| <= ` +
            `${tolerance}), got w[${j}][${i}] = ${wji} and ` +
            `w[${i}][${j}] = ${wij}`,
        );
      }
    }
  }
}

/** A compact string key of a bipolar state: 16 neurons per character. */
function stateKey(z: Float64Array): string {
  const codes: number[] = [];
  for (let start = 0; start < z.length; start += 16) {
    let code = 0;
    const end = Math.min(start + 16, z.length);
    for (let i = start; i < end; i++) if (z[i] > 0) code |= 1 << (i - start);
    codes.push(code);
  }
  return String.fromCharCode(...codes);
}
