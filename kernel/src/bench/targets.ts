/**
 * The targets of issue 3, checked on every GEMM case of a run (they are
 * benchmark verdicts, never unit-test assertions):
 * - float32: our single-thread GEMM at least 0.25 x NumPy's single-thread
 *   figure, and at least tfjs-backend-wasm's;
 * - float64: our single-thread GEMM at least 4 GFLOP/s;
 * - both cores: our 2-thread GEMM faster than our single-thread one.
 * Model rows (issue 4 on): listed in MODEL_TARGETS (issue 5: RNN float32
 * at least 0.3 x PyTorch and 20 x brain.js; issue 6: LSTM float32 at least
 * 0.3 x PyTorch and 20 x brain.js and tfjs-cpu).
 */
import type { RowResult } from "./types.js";

export interface TargetCheck {
  /** The target in words: "float32 GEMM ≥ 0.25 × numpy (1 thread)". */
  target: string;
  /** Group and case it was checked on. */
  group: string;
  name: string;
  /** What was compared with the threshold (a ratio or a figure). */
  measured?: number;
  threshold: number;
  /** null when the rows it needs were not measured in this run. */
  met: boolean | null;
  /** How the verdict came about, or why there is none. */
  detail: string;
}

const fmt = (x: number) => x.toPrecision(3);

function whyMissing(row: RowResult | undefined, what: string): string {
  if (!row) return `${what} not in this run`;
  return `${what} ${row.status}${row.reason ? `: ${row.reason}` : ""}`;
}

/** ratio of our row to `peer` >= threshold; `group` names it without ours. */
function ratioTarget(
  ours: RowResult | undefined,
  peerRow: RowResult | undefined,
  peer: string,
  threshold: number,
  group = ours?.group ?? "GEMM",
): Omit<TargetCheck, "group" | "name"> {
  const target = `${group} ≥ ${threshold} × ${peer} (1 thread)`;
  const ratio = ours?.ratios.find((r) => r.peer === peer && r.threads === 1);
  if (!ours?.summary || !ratio) {
    const detail = !ours?.summary
      ? whyMissing(ours, "memnets")
      : whyMissing(peerRow, peer);
    return { target, threshold, met: null, detail };
  }
  return {
    target,
    threshold,
    measured: ratio.value,
    met: ratio.value >= threshold,
    detail: `ours/${peer} = ${fmt(ratio.value)}`,
  };
}

/**
 * Ratio targets of the model rows: our single-thread row in `group` at
 * least `threshold` times `peer`'s speed (0.5: "within 2x of its time").
 */
export const MODEL_TARGETS: readonly {
  group: string;
  peer: string;
  threshold: number;
}[] = [
  { group: "RBM float32", peer: "sklearn", threshold: 0.5 },
  { group: "RNN float32", peer: "torch", threshold: 0.3 },
  { group: "RNN float32", peer: "brain.js", threshold: 20 },
  { group: "LSTM float32", peer: "torch", threshold: 0.3 },
  { group: "LSTM float32", peer: "brain.js", threshold: 20 },
  { group: "LSTM float32", peer: "tfjs-cpu", threshold: 20 },
];

function modelTargets(results: readonly RowResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const { group, peer, threshold } of MODEL_TARGETS) {
    const names = new Set(
      results.filter((r) => r.group === group).map((r) => r.name),
    );
    for (const name of names) {
      const find = (impl: string) =>
        results.find(
          (r) =>
            r.group === group &&
            r.name === name &&
            r.implementation === impl &&
            r.threads === 1,
        );
      const ours = find("memnets");
      const check = ratioTarget(ours, find(peer), peer, threshold, group);
      checks.push({ group, name, ...check });
    }
  }
  return checks;
}

/** Checks every target on every GEMM case and model row in `results`. */
export function checkTargets(results: readonly RowResult[]): TargetCheck[] {
  const checks: TargetCheck[] = modelTargets(results);
  const cases = new Map<string, RowResult[]>();
  for (const row of results) {
    if (!row.group.startsWith("GEMM ")) continue;
    const key = `${row.group}\u0000${row.name}`;
    cases.set(key, [...(cases.get(key) ?? []), row]);
  }

  for (const rows of cases.values()) {
    const { group, name } = rows[0];
    const find = (impl: string, threads: number) =>
      rows.find((r) => r.implementation === impl && r.threads === threads);
    const ours1 = find("memnets", 1);
    const ours2 = find("memnets", 2);
    const add = (check: Omit<TargetCheck, "group" | "name">) =>
      checks.push({ group, name, ...check });

    if (group === "GEMM float32") {
      add(ratioTarget(ours1, find("numpy", 1), "numpy", 0.25));
      add(ratioTarget(ours1, find("tfjs-wasm", 1), "tfjs-wasm", 1));
    }
    if (group === "GEMM float64") {
      const target = "GEMM float64 ≥ 4 GFLOP/s (1 thread)";
      const median = ours1?.summary?.median;
      add(
        median === undefined
          ? {
              target,
              threshold: 4,
              met: null,
              detail: whyMissing(ours1, "memnets"),
            }
          : {
              target,
              threshold: 4,
              measured: median,
              met: median >= 4,
              detail: `${fmt(median)} GFLOP/s`,
            },
      );
    }
    if (ours2) {
      const target = `${group}: 2 threads faster than 1`;
      const one = ours1?.summary?.median;
      const two = ours2.summary?.median;
      add(
        one === undefined || two === undefined
          ? {
              target,
              threshold: 1,
              met: null,
              detail: whyMissing(one === undefined ? ours1 : ours2, "memnets"),
            }
          : {
              target,
              threshold: 1,
              measured: two / one,
              met: two > one,
              detail: `2 threads / 1 thread = ${fmt(two / one)}`,
            },
      );
    }
  }
  return checks;
}
