/**
 * Verification from pair distances (issue 7, lecture section 5): a
 * Siamese network says "same object" when the energy of a pair,
 * E = ||G_W(X1) - G_W(X2)||, is small. With the lecture's labels (Y = 0
 * genuine, Y = 1 impostor) and a threshold t, a pair is accepted as
 * genuine when d <= t, which gives
 *
 *   true accept rate  TAR(t) = #(genuine, d <= t) / #genuine   (TPR)
 *   false accept rate FAR(t) = #(impostor, d <= t) / #impostor (FPR)
 *   false reject rate FRR(t) = 1 - TAR(t).
 *
 * The ROC curve is (FAR, TAR) as t sweeps from -Infinity (0, 0) to the
 * largest distance (1, 1), one point per distinct distance: pairs at equal
 * distances enter together, so ties give a diagonal segment, and the area
 * under the curve (trapezoids) equals P(d_genuine < d_impostor) +
 * P(tie) / 2, the Mann-Whitney statistic scaled to [0, 1]. This is the
 * curve of scikit-learn's `roc_curve(y == 0, -d, drop_intermediate=False)`.
 *
 * Dimension letters: P pairs, K distinct distances.
 *
 * Limits: exact curves by sorting, O(P log P); the curve holds every
 * distinct distance (no thinning of collinear points); no confidence
 * intervals.
 */

import { checkArrayLike } from "./hopfield-checks";
import { describeValue } from "./tensor";

/** A ROC curve, K + 1 points in order of increasing threshold. */
export interface RocCurve {
  /** t: -Infinity, then the distinct distances ascending `[K + 1]`. */
  thresholds: Float64Array;
  /** TAR (TPR) at each threshold `[K + 1]`. */
  acceptGenuine: Float64Array;
  /** FAR (FPR) at each threshold `[K + 1]`. */
  acceptImpostor: Float64Array;
}

/** Count, mean and population standard deviation of some distances. */
export interface DistanceSummary {
  count: number;
  mean: number;
  /** sqrt(sum (d - mean)^2 / count), 0 for a single pair. */
  std: number;
}

/** What `verificationReport` returns; see its doc comment. */
export interface VerificationReport {
  /** Area under the ROC curve, in [0, 1] (0.5 is chance). */
  auc: number;
  /** A threshold of the highest accuracy (accept when d <= t). */
  bestThreshold: number;
  /** Share of the pairs classified correctly at `bestThreshold`. */
  bestAccuracy: number;
  /** Equal error rate: where FRR = FAR on the ROC curve. */
  eer: number;
  /** The threshold at which FAR first reaches FRR (see below). */
  eerThreshold: number;
  /** Distances of the genuine pairs (Y = 0). */
  genuine: DistanceSummary;
  /** Distances of the impostor pairs (Y = 1). */
  impostor: DistanceSummary;
}

/**
 * The ROC curve of pairs with distances `distances` `[P]` and labels `y`
 * `[P]` (0 genuine, 1 impostor); see the module header.
 */
export function rocCurve(
  distances: ArrayLike<number>,
  y: ArrayLike<number>,
): RocCurve {
  const g = groupByDistance(distances, y);
  const K = g.values.length;
  const curve: RocCurve = {
    thresholds: new Float64Array(K + 1),
    acceptGenuine: new Float64Array(K + 1),
    acceptImpostor: new Float64Array(K + 1),
  };
  curve.thresholds[0] = -Infinity;
  for (let k = 0; k < K; k++) {
    curve.thresholds[k + 1] = g.values[k];
    curve.acceptGenuine[k + 1] = g.genuineBelow[k + 1] / g.genuineTotal;
    curve.acceptImpostor[k + 1] = g.impostorBelow[k + 1] / g.impostorTotal;
  }
  return curve;
}

/**
 * Area under the ROC curve of `distances` `[P]`, `y` `[P]`:
 * P(d_genuine < d_impostor) + P(d_genuine = d_impostor) / 2 over all
 * (genuine, impostor) combinations, counted exactly in O(P log P).
 */
export function rocAuc(
  distances: ArrayLike<number>,
  y: ArrayLike<number>,
): number {
  return aucOf(groupByDistance(distances, y));
}

/**
 * How well distances `distances` `[P]` separate genuine pairs from
 * impostors (`y` `[P]`, 0 genuine, 1 impostor):
 *
 * - `auc` as `rocAuc`;
 * - `bestThreshold`, `bestAccuracy`: the highest accuracy over these
 *   pairs among the thresholds -Infinity (reject all), the midpoints
 *   between consecutive distinct distances, and +Infinity (accept all);
 *   on a tie, the smallest such threshold;
 * - `eer`: the error rate where the line from one ROC point to the next
 *   crosses FRR = FAR (linear interpolation between the two points);
 *   `eerThreshold` is the distance of the second point, the smallest
 *   threshold with FAR >= FRR, at which FAR >= eer >= FRR;
 * - `genuine`, `impostor`: count, mean and std of each kind's distances.
 */
export function verificationReport(
  distances: ArrayLike<number>,
  y: ArrayLike<number>,
): VerificationReport {
  const g = groupByDistance(distances, y);
  const best = bestAccuracy(g);
  const equal = equalErrorRate(g);
  return {
    auc: aucOf(g),
    bestThreshold: best.threshold,
    bestAccuracy: best.accuracy,
    eer: equal.rate,
    eerThreshold: equal.threshold,
    genuine: summarize(distances, y, 0),
    impostor: summarize(distances, y, 1),
  };
}

/**
 * Pairs grouped by distance: `values` `[K]` ascending, and the number of
 * genuine / impostor pairs in groups 0..k-1 `[K + 1]` (0 at k = 0).
 */
interface Groups {
  values: Float64Array;
  genuineBelow: Float64Array;
  impostorBelow: Float64Array;
  genuineTotal: number;
  impostorTotal: number;
}

function groupByDistance(
  distances: ArrayLike<number>,
  y: ArrayLike<number>,
): Groups {
  checkPairs(distances, y);
  const P = distances.length;
  const order = new Int32Array(P);
  for (let i = 0; i < P; i++) order[i] = i;
  order.sort((a, b) => distances[a] - distances[b]);

  // One group per run of equal distances in the sorted order.
  const values: number[] = [];
  const genuineBelow = [0];
  const impostorBelow = [0];
  let genuine = 0;
  let impostor = 0;
  for (let r = 0; r < P; r++) {
    const i = order[r];
    if (y[i] === 0) genuine++;
    else impostor++;
    if (r + 1 === P || distances[order[r + 1]] !== distances[i]) {
      values.push(distances[i]);
      genuineBelow.push(genuine);
      impostorBelow.push(impostor);
    }
  }
  return {
    values: Float64Array.from(values),
    genuineBelow: Float64Array.from(genuineBelow),
    impostorBelow: Float64Array.from(impostorBelow),
    genuineTotal: genuine,
    impostorTotal: impostor,
  };
}

function aucOf(g: Groups): number {
  // Each impostor scores the genuines below its group, and half of those
  // tied with it; all counts are integers (or halves), so the sum is exact.
  let score = 0;
  for (let k = 0; k < g.values.length; k++) {
    const impostors = g.impostorBelow[k + 1] - g.impostorBelow[k];
    const ties = g.genuineBelow[k + 1] - g.genuineBelow[k];
    score += impostors * (g.genuineBelow[k] + ties / 2);
  }
  return score / (g.genuineTotal * g.impostorTotal);
}

function bestAccuracy(g: Groups): { threshold: number; accuracy: number } {
  const K = g.values.length;
  // Rejecting everything is right on every impostor.
  let bestCorrect = g.impostorTotal;
  let threshold = -Infinity;
  for (let k = 1; k < K; k++) {
    // Accepting groups 0..k-1: t halfway between distances k-1 and k.
    const correct = g.genuineBelow[k] + (g.impostorTotal - g.impostorBelow[k]);
    if (correct > bestCorrect) {
      bestCorrect = correct;
      threshold = midpoint(g.values[k - 1], g.values[k]);
    }
  }
  if (g.genuineTotal > bestCorrect) {
    bestCorrect = g.genuineTotal;
    threshold = Infinity;
  }
  const total = g.genuineTotal + g.impostorTotal;
  return { threshold, accuracy: bestCorrect / total };
}

/** (a + b) / 2 for a < b, kept in [a, b) so that d <= t splits them. */
function midpoint(a: number, b: number): number {
  // Halving first cannot overflow; between adjacent doubles the rounded
  // midpoint may land on b, and a then splits the same way.
  const m = a / 2 + b / 2;
  return m >= a && m < b ? m : a;
}

function equalErrorRate(g: Groups): { rate: number; threshold: number } {
  const G = g.genuineTotal;
  const I = g.impostorTotal;
  // h_k = G I (FRR - FAR) at point k, an exact integer: G I at the start,
  // -G I at the end, and strictly decreasing (each group holds a pair).
  const h = (k: number) => (G - g.genuineBelow[k]) * I - g.impostorBelow[k] * G;
  let k = 1;
  while (h(k) > 0) k++;
  const far0 = g.impostorBelow[k - 1] / I;
  const far1 = g.impostorBelow[k] / I;
  const s = h(k - 1) / (h(k - 1) - h(k));
  const rate = h(k) === 0 ? far1 : far0 + s * (far1 - far0);
  return { rate, threshold: g.values[k - 1] };
}

function summarize(
  distances: ArrayLike<number>,
  y: ArrayLike<number>,
  label: number,
): DistanceSummary {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === label) {
      count++;
      sum += distances[i];
    }
  }
  const mean = sum / count;
  // Second pass about the mean: no cancellation for far-off distances.
  let squares = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === label) squares += (distances[i] - mean) ** 2;
  }
  return { count, mean, std: Math.sqrt(squares / count) };
}

/** P finite distances, P labels 0/1, at least one of each label. */
function checkPairs(distances: ArrayLike<number>, y: ArrayLike<number>) {
  checkArrayLike("distances", distances);
  checkArrayLike("y", y);
  if (y.length !== distances.length) {
    throw new RangeError(
      `y: expected ${distances.length} labels (one per distance), got ` +
        `${y.length}`,
    );
  }
  let genuine = 0;
  for (let i = 0; i < distances.length; i++) {
    const d = distances[i];
    if (typeof d !== "number") {
      throw new TypeError(
        `distances[${i}]: expected a number, got ${describeValue(d)}`,
      );
    }
    if (!Number.isFinite(d)) {
      throw new RangeError(`distances[${i}]: expected finite, got ${d}`);
    }
    if (y[i] !== 0 && y[i] !== 1) {
      throw new RangeError(
        `y[${i}]: expected 0 (genuine) or 1 (impostor), got ` +
          (typeof y[i] === "number" ? y[i] : describeValue(y[i])),
      );
    }
    if (y[i] === 0) genuine++;
  }
  if (genuine === 0 || genuine === distances.length) {
    throw new RangeError(
      `y: expected at least one genuine (0) and one impostor (1) pair, ` +
        `got ${genuine} genuine and ${distances.length - genuine} impostor`,
    );
  }
}
