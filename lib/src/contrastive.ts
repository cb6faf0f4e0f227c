/**
 * The contrastive loss of Siamese networks (issue 7, lecture section 5):
 * for pairs of embeddings G1 = G_W(X1), G2 = G_W(X2) and labels Y (0 for
 * a genuine pair, the same object; 1 for an impostor pair), the energy
 * E = ||G1 - G2|| and the loss
 *
 *   L = sum_i (1 - Y_i) L_G(E_i) + Y_i L_I(E_i)
 *
 * (summed as in the lecture, or averaged over pairs), with Hadsell,
 * Chopra and LeCun's (2006) choice L_G = E^2 / 2 and
 * L_I = max(0, m - E)^2 / 2 by default; both parts are pluggable.
 *
 * The energy is Euclidean by default, or L1 (the sum of absolute
 * differences, as in Chopra, Hadsell and LeCun 2005). The gradient is
 * dL/dE times dE/dG1 with dE/dG1 = (G1 - G2) / E (Euclidean) or
 * sign(G1 - G2) (L1), and dE/dG2 = -dE/dG1. Where the two embeddings
 * coincide (E = 0) the Euclidean direction is undefined; it is taken as
 * 0 there (a valid subgradient), so the gradient stays finite: the
 * genuine part's gradient, E (G1 - G2) / E = G1 - G2, is 0 there anyway,
 * and an impostor pair at E = 0 gets no push until its embeddings differ.
 * The L1 sign of 0 is 0 likewise.
 *
 * Dimension letters: N pairs, D embedding width. Embeddings are
 * row-major `[N, D]` matrices, one pair per row.
 */

import { checkMatrix, checkOptionKeys, describeValue, Matrix } from "./tensor";

/** One part of the loss as a function of the energy E and margin m. */
export interface EnergyLoss {
  /** The loss of one pair. */
  value(energy: number, margin: number): number;
  /** Its derivative with respect to the energy. */
  derivative(energy: number, margin: number): number;
}

/** L_G(E) = E^2 / 2: pulls genuine pairs together. */
export const squaredEnergy: EnergyLoss = {
  value: (e) => (e * e) / 2,
  derivative: (e) => e,
};

/** L_I(E) = max(0, m - E)^2 / 2: pushes impostors out to the margin. */
export const squaredHinge: EnergyLoss = {
  value: (e, m) => Math.max(0, m - e) ** 2 / 2,
  derivative: (e, m) => -Math.max(0, m - e),
};

/** Options of `contrastiveLoss`. */
export interface ContrastiveOptions {
  /** m > 0 in L_I; default 1. */
  margin?: number;
  /** "euclidean" (default) or "l1". */
  distance?: "euclidean" | "l1";
  /** "sum" over pairs (default, the lecture's) or "mean". */
  reduction?: "sum" | "mean";
  /** L_G, the loss of a genuine pair (Y = 0); default `squaredEnergy`. */
  genuine?: EnergyLoss;
  /** L_I, the loss of an impostor pair (Y = 1); default `squaredHinge`. */
  impostor?: EnergyLoss;
}

/** What `contrastiveLoss` returns. */
export interface ContrastiveResult {
  /** L, reduced as asked. */
  loss: number;
  /** E_i of each pair `[N]`. */
  energies: Float64Array;
  /** The loss of each pair, unreduced `[N]`. */
  perPair: Float64Array;
  /** dL/dG1 and dL/dG2 `[N, D]`, float64. */
  dG1: Matrix;
  dG2: Matrix;
}

const OPTIONS = ["margin", "distance", "reduction", "genuine", "impostor"];

/**
 * The contrastive loss of N pairs `G1`, `G2` `[N, D]` with labels `y`
 * `[N]` (0 genuine, 1 impostor) and its gradient with respect to both
 * embeddings (see the module header for E = 0).
 */
export function contrastiveLoss(
  G1: Matrix,
  G2: Matrix,
  y: ArrayLike<number>,
  options: ContrastiveOptions = {},
): ContrastiveResult {
  checkMatrix("G1", G1);
  checkMatrix("G2", G2, G1.rows, G1.cols);
  const o = checkContrastiveOptions(options);
  const [N, D] = [G1.rows, G1.cols];
  checkLabels(y, N);
  checkFinite("G1", G1);
  checkFinite("G2", G2);
  if (N === 0 && o.reduction === "mean") {
    throw new RangeError(
      `G1: expected at least one pair to average over, got 0 (use "sum")`,
    );
  }
  const energies = new Float64Array(N);
  const perPair = new Float64Array(N);
  const dG1 = Matrix.zeros(N, D, "float64");
  const dG2 = Matrix.zeros(N, D, "float64");
  const scale = o.reduction === "mean" ? 1 / N : 1;
  let total = 0;
  for (let i = 0; i < N; i++) {
    const a = G1.data.subarray(i * D, (i + 1) * D);
    const b = G2.data.subarray(i * D, (i + 1) * D);
    let e = 0;
    for (let j = 0; j < D; j++) {
      const d = a[j] - b[j];
      e += o.distance === "l1" ? Math.abs(d) : d * d;
    }
    if (o.distance === "euclidean") e = Math.sqrt(e);
    const part = y[i] === 0 ? o.genuine : o.impostor;
    energies[i] = e;
    perPair[i] = part.value(e, o.margin);
    total += perPair[i];
    const dE = part.derivative(e, o.margin) * scale;
    if (!Number.isFinite(e) || !Number.isFinite(perPair[i] + dE)) {
      throw new RangeError(
        `pair ${i}: energy ${e}, loss ${perPair[i]}, derivative ${dE}: ` +
          `expected finite numbers (embeddings too large, or an ` +
          `options.${y[i] === 0 ? "genuine" : "impostor"} part that is not finite there)`,
      );
    }
    for (let j = 0; j < D; j++) {
      const d = a[j] - b[j];
      const direction = o.distance === "l1" ? Math.sign(d) : e > 0 ? d / e : 0;
      dG1.data[i * D + j] = dE * direction;
      dG2.data[i * D + j] = -dE * direction;
    }
  }
  return { loss: total * scale, energies, perPair, dG1, dG2 };
}

/**
 * The options with their defaults filled in; throws naming `name.key` for
 * a bad one. Internal (trainSiamese checks its `loss` option with it).
 */
export function checkContrastiveOptions(
  options: ContrastiveOptions,
  name = "options",
) {
  checkOptionKeys(name, options, OPTIONS);
  const margin = options.margin ?? 1;
  if (typeof margin !== "number" || !(margin > 0) || !isFinite(margin)) {
    throw new RangeError(
      `${name}.margin: expected a finite number > 0, got ${describeValue(margin)}`,
    );
  }
  const distance = options.distance ?? "euclidean";
  if (distance !== "euclidean" && distance !== "l1") {
    throw new RangeError(
      `${name}.distance: expected "euclidean" or "l1", got ${describeValue(distance)}`,
    );
  }
  const reduction = options.reduction ?? "sum";
  if (reduction !== "sum" && reduction !== "mean") {
    throw new RangeError(
      `${name}.reduction: expected "sum" or "mean", got ${describeValue(reduction)}`,
    );
  }
  const genuine = options.genuine ?? squaredEnergy;
  const impostor = options.impostor ?? squaredHinge;
  for (const [key, part] of [
    ["genuine", genuine],
    ["impostor", impostor],
  ] as const) {
    if (
      typeof part?.value !== "function" ||
      typeof part?.derivative !== "function"
    ) {
      throw new TypeError(
        `${name}.${key}: expected {value, derivative} functions, got ` +
          describeValue(part),
      );
    }
  }
  return { margin, distance, reduction, genuine, impostor };
}

function checkLabels(y: ArrayLike<number>, n: number): void {
  const length = (y as { length?: unknown } | null)?.length;
  if (typeof y !== "object" || y === null || typeof length !== "number") {
    throw new TypeError(
      `y: expected an array of ${n} labels 0 or 1, got ${describeValue(y)}`,
    );
  }
  if (length !== n) {
    throw new RangeError(
      `y: expected ${n} labels (one per pair), got ${length}`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) {
      throw new RangeError(
        `y[${i}]: expected 0 (genuine) or 1 (impostor), got ${describeValue(y[i])}`,
      );
    }
  }
}

function checkFinite(name: string, M: Matrix): void {
  const i = M.data.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) {
    const [row, col] = [Math.floor(i / M.cols), i % M.cols];
    throw new RangeError(
      `${name}[${row}, ${col}]: expected a finite number, got ${M.data[i]}`,
    );
  }
}
