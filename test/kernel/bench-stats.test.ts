/**
 * The benchmark's arithmetic: median / min / max of samples, speed ratios
 * of our rows to the peers of the same case and thread count, the targets'
 * verdicts, the repeat policy, and the command-line options.
 */
import { describe, expect, it } from "vitest";
import { measure } from "../../kernel/src/bench/measure.js";
import { parseBenchArgs } from "../../kernel/src/bench/options.js";
import { runPythonRows } from "../../kernel/src/bench/python.js";
import { buildRows } from "../../kernel/src/bench/rows.js";
import {
  attachRatios,
  median,
  speedRatio,
  summarize,
} from "../../kernel/src/bench/stats.js";
import { renderTable } from "../../kernel/src/bench/table.js";
import { checkTargets } from "../../kernel/src/bench/targets.js";
import {
  GFLOPS,
  type PythonRow,
  type RowResult,
  type Unit,
} from "../../kernel/src/bench/types.js";

const SECONDS_PER_EPOCH: Unit = { label: "s/epoch", kind: "time", scale: 1 };

/** A measured row: `median` GFLOP/s from 1 GFLOP runs, or skipped. */
function row(
  implementation: string,
  threads: number,
  medianGflops: number | null,
  extra: Partial<RowResult> = {},
): RowResult {
  const base: RowResult = {
    group: "GEMM float32",
    name: "[512x512]x[512x512]",
    implementation,
    threads,
    unit: GFLOPS,
    work: 1e9,
    ours: implementation === "memnets",
    status: "skipped",
    reason: "not installed",
    samples: [],
    callsPerSample: 0,
    ratios: [],
    ...extra,
  };
  if (medianGflops === null) return base;
  const samples = [1 / medianGflops];
  return {
    ...base,
    status: "ok",
    reason: undefined,
    samples,
    callsPerSample: 1,
    summary: summarize(samples, base.unit, base.work),
  };
}

describe("median, min and max", () => {
  it("takes the middle of an odd count and the mean of the two middles of an even one", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it("throws a RangeError for no values", () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => summarize([], GFLOPS, 1)).toThrow(/at least one sample/);
  });

  it("gives a rate's min from the slowest sample and its max from the fastest", () => {
    // 2e9 flops in 1, 2 and 4 seconds: 2, 1 and 0.5 GFLOP/s.
    const s = summarize([2, 4, 1], GFLOPS, 2e9);
    expect(s).toEqual({ median: 1, min: 0.5, max: 2 });
  });

  it("gives a time unit in seconds per unit of work", () => {
    // Runs of 3 epochs taking 6, 3 and 9 seconds: 2, 1 and 3 s/epoch.
    const s = summarize([6, 3, 9], SECONDS_PER_EPOCH, 3);
    expect(s).toEqual({ median: 2, min: 1, max: 3 });
  });
});

describe("speed ratios", () => {
  it("is ours over the peer for a rate and the peer over ours for a time", () => {
    const fast = { median: 2, min: 2, max: 2 };
    const slow = { median: 8, min: 8, max: 8 };
    expect(speedRatio(fast, slow, GFLOPS)).toBe(0.25);
    // Lower seconds per epoch is faster: 8 s vs 2 s is 4 times faster.
    expect(speedRatio(fast, slow, SECONDS_PER_EPOCH)).toBe(4);
  });

  it("compares each row of ours with the measured peers of the same case and thread count", () => {
    const rows = [
      row("memnets", 1, 30),
      row("memnets", 2, 50),
      row("numpy", 1, 120),
      row("numpy", 2, 200),
      row("tfjs-wasm", 1, 30),
      row("torch", 1, null),
      row("numpy", 1, 10, { name: "[32x128]x[128x65]" }),
    ];
    attachRatios(rows);
    expect(rows[0].ratios).toEqual([
      { peer: "numpy", threads: 1, value: 0.25 },
      { peer: "tfjs-wasm", threads: 1, value: 1 },
    ]);
    expect(rows[1].ratios).toEqual([
      { peer: "numpy", threads: 2, value: 0.25 },
    ]);
    // Peers carry no ratios of their own.
    expect(rows.slice(2).every((r) => r.ratios.length === 0)).toBe(true);
  });

  it("leaves a failed row of ours without ratios", () => {
    const rows = [
      row("memnets", 1, null, { status: "failed", reason: "boom" }),
      row("numpy", 1, 100),
    ];
    attachRatios(rows);
    expect(rows[0].ratios).toEqual([]);
  });
});

describe("model targets", () => {
  // A time row: `seconds` per epoch, work 1, so the summary is seconds.
  const epoch = (impl: string, seconds: number | null): RowResult => {
    const info = {
      group: "RBM float32",
      name: "CD-1 epoch",
      unit: SECONDS_PER_EPOCH,
      work: 1,
    };
    const r = row(impl, 1, null, info);
    if (seconds === null) return r;
    return {
      ...r,
      status: "ok",
      reason: undefined,
      samples: [seconds],
      callsPerSample: 1,
      summary: summarize([seconds], SECONDS_PER_EPOCH, 1),
    };
  };

  it("meets the RBM target within 2x of scikit-learn's time, not past it", () => {
    const judge = (ours: number, theirs: number) => {
      const rows = [epoch("memnets", ours), epoch("sklearn", theirs)];
      attachRatios(rows);
      const check = checkTargets(rows).find((c) => c.group === "RBM float32");
      return check;
    };
    expect(judge(6.9, 3.5)?.met).toBe(true);
    const missed = judge(7.1, 3.5);
    expect(missed?.met).toBe(false);
    expect(missed?.measured).toBeCloseTo(3.5 / 7.1, 12);
    expect(missed?.target).toContain("sklearn");
  });

  it("gives no verdict on the RBM row when scikit-learn did not run", () => {
    const rows = [epoch("memnets", 2), epoch("sklearn", null)];
    attachRatios(rows);
    const check = checkTargets(rows).find((c) => c.group === "RBM float32");
    expect(check?.met).toBeNull();
    expect(check?.detail).toContain("sklearn");
  });
});

describe("targets of issue 3", () => {
  it("marks float32 GEMM met at 0.25 x NumPy and missed below tfjs-wasm", () => {
    const rows = [
      row("memnets", 1, 30),
      row("memnets", 2, 25),
      row("numpy", 1, 120),
      row("tfjs-wasm", 1, 31),
    ];
    attachRatios(rows);
    const checks = checkTargets(rows);
    const verdict = (text: string) =>
      checks.find((c) => c.target.includes(text))?.met;
    expect(verdict("numpy")).toBe(true);
    expect(verdict("tfjs-wasm")).toBe(false);
    expect(verdict("2 threads faster")).toBe(false);
  });

  it("checks float64 against 4 GFLOP/s and names why a target could not be judged", () => {
    const f64 = { group: "GEMM float64" };
    const rows = [
      row("memnets", 1, 3.9, f64),
      row("memnets", 1, null, {
        ...f64,
        name: "[32x128]x[128x65]",
        status: "failed",
        reason: "worker died",
      }),
    ];
    attachRatios(rows);
    const [slow, failed] = checkTargets(rows);
    expect(slow).toMatchObject({ met: false, threshold: 4 });
    expect(slow.measured).toBeCloseTo(3.9, 12);
    expect(failed.met).toBeNull();
    expect(failed.detail).toContain("worker died");
  });

  it("says which peer was missing when a ratio target has no peer figure", () => {
    const rows = [row("memnets", 1, 30), row("numpy", 1, null)];
    attachRatios(rows);
    const numpy = checkTargets(rows).find((c) => c.target.includes("numpy"));
    expect(numpy?.met).toBeNull();
    expect(numpy?.detail).toBe("numpy skipped: not installed");
  });

  it("prints missed targets in capitals and skipped rows with their reason", () => {
    const rows = [row("memnets", 1, 1), row("numpy", 1, 100)];
    rows.push(row("torch", 1, null, { reason: "torch not importable" }));
    attachRatios(rows);
    const text = renderTable({
      date: "",
      mode: "quick",
      policy: {
        warmupRuns: 1,
        repeats: 1,
        minRepeats: 1,
        minSampleSeconds: 0,
        maxSeconds: 1,
      },
      machine: {
        cpu: "",
        cpuFlags: [],
        cores: 2,
        memoryGiB: 1,
        node: "",
        platform: "",
      },
      peers: {},
      rows,
      targets: checkTargets(rows),
    });
    expect(text).toContain("ours/numpy 0.010");
    expect(text).toContain("skipped: torch not importable");
    expect(text).toMatch(/MISSED\s+GEMM float32 ≥ 0.25 × numpy/);
  });
});

describe("repeat policy", () => {
  it("warms up, then takes the wanted samples of several calls each", async () => {
    let calls = 0;
    const busy = () => {
      calls++;
      const end = performance.now() + 1;
      while (performance.now() < end);
    };
    const policy = {
      warmupRuns: 2,
      repeats: 4,
      minRepeats: 2,
      minSampleSeconds: 0.004,
      maxSeconds: 10,
    };
    const { samples, callsPerSample } = await measure({ run: busy }, policy);
    expect(samples).toHaveLength(4);
    // ~1 ms per call: a 4 ms sample needs several calls.
    expect(callsPerSample).toBeGreaterThanOrEqual(2);
    expect(calls).toBe(2 + 4 * callsPerSample);
    for (const s of samples) expect(s).toBeGreaterThan(0.0009);
  });

  it("stops at minRepeats once the time budget is spent", async () => {
    const slow = () => {
      const end = performance.now() + 5;
      while (performance.now() < end);
    };
    const policy = {
      warmupRuns: 1,
      repeats: 100,
      minRepeats: 3,
      minSampleSeconds: 0,
      maxSeconds: 0.001,
    };
    const { samples } = await measure({ run: slow }, policy);
    expect(samples).toHaveLength(3);
  });
});

describe("rows and options", () => {
  it("has our single-thread GEMM and its peers on every case of the quick run", () => {
    const rows = buildRows({ quick: true });
    const gemm32 = rows.filter((r) => r.group === "GEMM float32");
    for (const name of new Set(gemm32.map((r) => r.name))) {
      const impls = gemm32.filter((r) => r.name === name);
      const labels = impls.map((r) => `${r.implementation}/${r.threads}`);
      expect(labels).toEqual(
        expect.arrayContaining([
          "memnets/1",
          "numpy/1",
          "torch/1",
          "tfjs-wasm/1",
        ]),
      );
    }
    expect(rows.some((r) => r.name.startsWith("sigmoid"))).toBe(true);
    expect(rows.some((r) => r.name.startsWith("bernoulli"))).toBe(true);
  });

  it("rejects a bad --only pattern and unknown options", () => {
    expect(() => parseBenchArgs(["--only", "("])).toThrow(RangeError);
    expect(() => parseBenchArgs(["--fast"])).toThrow(/Unknown option/);
    const options = parseBenchArgs(["--quick", "--no-peers", "--out", "x"]);
    expect(options).toMatchObject({ quick: true, noPeers: true, out: "x" });
  });

  it("skips every Python row, saying why, when the interpreter is missing", async () => {
    const rows = buildRows({ quick: true }).filter(
      (r): r is PythonRow => r.kind === "python",
    );
    const run = await runPythonRows(
      rows.slice(0, 3),
      {
        warmupRuns: 1,
        repeats: 1,
        minRepeats: 1,
        minSampleSeconds: 0,
        maxSeconds: 1,
      },
      { python: "/nonexistent/python3" },
    );
    expect(run.outcomes).toEqual([
      { skipped: "/nonexistent/python3 not found" },
      { skipped: "/nonexistent/python3 not found" },
      { skipped: "/nonexistent/python3 not found" },
    ]);
  });
});
