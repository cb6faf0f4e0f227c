/**
 * The benchmark's RNN rows (issue 5): the cases of the quick and full runs,
 * the targets' verdicts (our float32 tokens per second at least 0.3 x
 * PyTorch's and 20 x brain.js's, one thread), the PyTorch task in
 * bench.py, and brain.js training finitely at the row's learning rate.
 * The rows, the verdicts and the PyTorch task use kernel sources;
 * the memnets and brain.js rows' setups use the built lib.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_PYTHON,
  runPythonRows,
} from "../../kernel/src/bench/python.js";
import { buildRows } from "../../kernel/src/bench/rows.js";
import { KTOKENS, rnnRows } from "../../kernel/src/bench/rows-rnn.js";
import { attachRatios, summarize } from "../../kernel/src/bench/stats.js";
import { checkTargets } from "../../kernel/src/bench/targets.js";
import type {
  JsRow,
  PythonRow,
  RowResult,
} from "../../kernel/src/bench/types.js";

const CASE = "train step H=128, T=64, batch 32, K=65";

/**
 * A measured RNN row: `tokens` per run taking `seconds`, or skipped with
 * `reason` when `seconds` is null.
 */
function rnnRow(
  implementation: string,
  tokens: number,
  seconds: number | null,
  extra: Partial<RowResult> = {},
): RowResult {
  const base: RowResult = {
    group: "RNN float32",
    name: CASE,
    implementation,
    threads: 1,
    unit: KTOKENS,
    work: tokens,
    ours: implementation === "memnets",
    status: "skipped",
    reason: `${implementation} not loadable`,
    samples: [],
    callsPerSample: 0,
    ratios: [],
    ...extra,
  };
  if (seconds === null) return base;
  return {
    ...base,
    status: "ok",
    reason: undefined,
    samples: [seconds],
    callsPerSample: 1,
    summary: summarize([seconds], KTOKENS, tokens),
  };
}

/** The checks of `rows` on the RNN group, by the peer in their text. */
function rnnChecks(rows: RowResult[]) {
  attachRatios(rows);
  const checks = checkTargets(rows).filter((c) => c.group === "RNN float32");
  return {
    checks,
    torch: checks.find((c) => c.target.includes("torch")),
    brain: checks.find((c) => c.target.includes("brain.js")),
  };
}

describe("RNN rows", () => {
  it("times H=128 in the quick run and H=128 and 256 in the full run, each against torch and brain.js", () => {
    const label = (r: { name: string; implementation: string }) =>
      `${r.name.split(",")[0]} ${r.implementation}`;
    expect(rnnRows(true).map(label)).toEqual([
      "train step H=128 memnets",
      "train step H=128 torch",
      "train step H=128 brain.js",
    ]);
    expect(rnnRows(false).map(label)).toEqual([
      "train step H=128 memnets",
      "train step H=128 torch",
      "train step H=128 brain.js",
      "train step H=256 memnets",
      "train step H=256 torch",
      "train step H=256 brain.js",
    ]);
    const inBuild = buildRows({ quick: true }).filter((r) =>
      r.group.startsWith("RNN"),
    );
    expect(inBuild.map(label)).toEqual(rnnRows(true).map(label));
  });

  it("counts B T tokens per training step, and T per brain.js sequence, in ktokens/s on one thread", () => {
    const [ours, torch, brain] = rnnRows(true);
    expect(ours).toMatchObject({ kind: "js", ours: true, work: 32 * 64 });
    expect(torch).toMatchObject({ kind: "python", ours: false, work: 32 * 64 });
    expect(brain).toMatchObject({ kind: "js", ours: false, work: 64 });
    for (const row of [ours, torch, brain]) {
      expect(row.unit).toEqual({
        label: "ktokens/s",
        kind: "rate",
        scale: 1e3,
      });
      expect(row.threads).toBe(1);
      expect(row.group).toBe("RNN float32");
    }
    expect((torch as PythonRow).task).toMatchObject({
      kind: "rnn_train",
      lib: "torch",
      dtype: "float32",
      hidden: 128,
      steps: 64,
      batch: 32,
      vocabulary: 65,
      clipNorm: 5,
    });
    expect(String((torch as PythonRow).task.textPath)).toMatch(
      /tinyshakespeare\.txt\.gz$/,
    );
    expect(existsSync(String((torch as PythonRow).task.textPath))).toBe(true);
  });
});

describe("RNN targets", () => {
  // Ours: 2048 tokens per step; brain.js: 64 tokens per sequence.
  it("meets the PyTorch target at 0.3 of its tokens per second and misses it below", () => {
    // 2048 tokens in 0.05 s vs 0.0151 s: 40.96 vs 135.6 ktokens/s = 0.302.
    const met = rnnChecks([
      rnnRow("memnets", 2048, 0.05),
      rnnRow("torch", 2048, 0.0151),
    ]).torch;
    expect(met).toMatchObject({ met: true, threshold: 0.3 });
    expect(met?.measured).toBeCloseTo(0.302, 12);
    expect(met?.target).toBe("RNN float32 ≥ 0.3 × torch (1 thread)");
    const missed = rnnChecks([
      rnnRow("memnets", 2048, 0.05),
      rnnRow("torch", 2048, 0.0149),
    ]).torch;
    expect(missed?.met).toBe(false);
    expect(missed?.measured).toBeCloseTo(0.0149 / 0.05, 12);
  });

  it("compares tokens per second with brain.js although a run of each does different work", () => {
    // Ours 2048 tokens / 0.05 s = 40.96 ktokens/s. brain.js 64 tokens in
    // 0.04 s = 1.6 (ratio 25.6, met); in 0.03 s = 2.13 (19.2, missed).
    const met = rnnChecks([
      rnnRow("memnets", 2048, 0.05),
      rnnRow("brain.js", 64, 0.04),
    ]).brain;
    expect(met).toMatchObject({ met: true, threshold: 20 });
    expect(met?.measured).toBeCloseTo(25.6, 10);
    const missed = rnnChecks([
      rnnRow("memnets", 2048, 0.05),
      rnnRow("brain.js", 64, 0.03),
    ]).brain;
    expect(missed?.met).toBe(false);
    expect(missed?.measured).toBeCloseTo(19.2, 10);
    expect(missed?.detail).toBe("ours/brain.js = 19.2");
  });

  it("judges the PyTorch target and names brain.js when it did not run", () => {
    const { torch, brain } = rnnChecks([
      rnnRow("memnets", 2048, 0.05),
      rnnRow("torch", 2048, 0.05),
      rnnRow("brain.js", 64, null),
    ]);
    expect(torch?.met).toBe(true);
    expect(brain?.met).toBeNull();
    expect(brain?.detail).toBe("brain.js skipped: brain.js not loadable");
  });

  it("gives no verdict when our row failed, and says why", () => {
    const { checks } = rnnChecks([
      rnnRow("memnets", 2048, null, {
        status: "failed",
        reason: "loss NaN at step 3",
      }),
      rnnRow("torch", 2048, 0.05),
      rnnRow("brain.js", 64, 0.04),
    ]);
    expect(checks).toHaveLength(2);
    for (const check of checks) {
      expect(check.met).toBeNull();
      expect(check.detail).toBe("memnets failed: loss NaN at step 3");
    }
  });

  it("checks each hidden size on its own", () => {
    const h256 = { name: "train step H=256, T=64, batch 32, K=65" };
    const { checks } = rnnChecks([
      rnnRow("memnets", 2048, 0.05),
      rnnRow("torch", 2048, 0.05),
      rnnRow("memnets", 2048, 0.2, h256),
      rnnRow("torch", 2048, 0.05, h256),
    ]);
    const torch = checks.filter((c) => c.target.includes("torch"));
    expect(torch.map((c) => [c.name, c.met])).toEqual([
      [CASE, true],
      [h256.name, false],
    ]);
    // 0.25 < 0.3: the H=256 row misses although H=128 meets it.
    expect(torch[1].measured).toBeCloseTo(0.25, 12);
  });
});

describe("RNN peers", () => {
  it.skipIf(!existsSync(DEFAULT_PYTHON))(
    "times the PyTorch training step in bench.py",
    async (ctx) => {
      const [torchRow] = rnnRows(true).filter(
        (r): r is PythonRow => r.kind === "python",
      );
      const policy = {
        warmupRuns: 1,
        repeats: 2,
        minRepeats: 2,
        minSampleSeconds: 0,
        maxSeconds: 5,
      };
      const { outcomes } = await runPythonRows([torchRow], policy);
      const [outcome] = outcomes;
      if (outcome.skipped?.includes("not importable")) ctx.skip();
      expect(outcome.failed).toBeUndefined();
      expect(outcome.samples).toHaveLength(2);
      for (const s of outcome.samples ?? []) expect(s).toBeGreaterThan(0);
      expect(outcome.note).toContain("nn.RNN(tanh)");
    },
    60_000,
  );

  it("trains brain.js for a dozen sequences without its loss blowing up", async (ctx) => {
    const brain = rnnRows(true).find(
      (r): r is JsRow => r.implementation === "brain.js",
    );
    let runner;
    try {
      runner = await brain!.setup();
    } catch (err) {
      // brain.js is an optional dependency; without it the row is skipped.
      expect((err as Error).name).toBe("PeerUnavailable");
      ctx.skip();
      return;
    }
    // The run throws once brain.js's error turns Infinity or NaN (at
    // learning rate 1e-4 it does within ten sequences at H = 128).
    expect(() => {
      for (let i = 0; i < 12; i++) runner.run();
    }).not.toThrow();
  }, 60_000);
});
