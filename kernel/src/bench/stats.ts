/**
 * Statistics of the benchmark: a row's figure from its samples, median /
 * min / max, and the speed ratios of our rows to the peers measured on
 * the same case in the same run.
 */
import type { Ratio, RowResult, Summary, Unit } from "./types.js";

/** Median of a non-empty list (mean of the middle two for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) {
    throw new RangeError("median: expected at least one value, got none");
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? sorted[mid]
    : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The figure in `unit` for one run that took `seconds` doing `work`. */
export function figure(seconds: number, unit: Unit, work: number): number {
  return unit.kind === "rate"
    ? work / seconds / unit.scale
    : (seconds / work) * unit.scale;
}

/**
 * Median, min and max of the figures of `samples` (seconds per run).
 * For a rate the slowest sample gives the min figure.
 */
export function summarize(
  samples: readonly number[],
  unit: Unit,
  work: number,
): Summary {
  if (samples.length === 0) {
    throw new RangeError("summarize: expected at least one sample, got none");
  }
  const figures = samples.map((s) => figure(s, unit, work));
  return {
    median: median(figures),
    min: Math.min(...figures),
    max: Math.max(...figures),
  };
}

/**
 * How many times faster `ours` is than `peer` (median against median):
 * a rate ratio for rates, the inverse time ratio for times.
 */
export function speedRatio(ours: Summary, peer: Summary, unit: Unit): number {
  return unit.kind === "rate"
    ? ours.median / peer.median
    : peer.median / ours.median;
}

const caseKey = (r: RowResult) => `${r.group}\u0000${r.name}`;

/**
 * Fills `ratios` on each measured row of ours: one entry per peer row
 * measured on the same case with the same thread count.
 */
export function attachRatios(results: RowResult[]): void {
  for (const ours of results) {
    ours.ratios = [];
    if (!ours.ours || !ours.summary) continue;
    for (const peer of results) {
      if (peer.ours || !peer.summary) continue;
      if (caseKey(peer) !== caseKey(ours) || peer.threads !== ours.threads) {
        continue;
      }
      const ratio: Ratio = {
        peer: peer.implementation,
        threads: peer.threads,
        value: speedRatio(ours.summary, peer.summary, ours.unit),
      };
      ours.ratios.push(ratio);
    }
  }
}
