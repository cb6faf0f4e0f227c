/**
 * One benchmark run: builds the rows, times the JavaScript ones here and
 * the Python ones in a subprocess, then computes ratios and targets. It
 * prints nothing; the CLI shows progress through `onRow`.
 */
import os from "node:os";
import { readFileSync } from "node:fs";
import { PeerUnavailable, peerInfo } from "./js-peers.js";
import { measure } from "./measure.js";
import { runPythonRows } from "./python.js";
import { buildRows, skipRow } from "./rows.js";
import { attachRatios, summarize } from "./stats.js";
import { checkTargets, type TargetCheck } from "./targets.js";
import {
  FULL_POLICY,
  QUICK_POLICY,
  type PythonRow,
  type RepeatPolicy,
  type Row,
  type RowResult,
  type Runner,
} from "./types.js";

export interface BenchOptions {
  /** Fewer repeats, smaller and fewer shapes (CI). Default false. */
  quick?: boolean;
  /** Keep only rows whose "group name implementation" matches. */
  only?: RegExp;
  /** Skip every peer row (ours only). Default false. */
  noPeers?: boolean;
  /** Python interpreter for the peers. Default /usr/bin/python3. */
  python?: string;
  /** Rows to run instead of buildRows' (tests). */
  rows?: Row[];
  /** Called after each row is measured (or skipped). */
  onRow?: (result: RowResult) => void;
}

export interface MachineInfo {
  cpu: string;
  cpuFlags: string[];
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export interface BenchReport {
  date: string;
  mode: "quick" | "full";
  policy: RepeatPolicy;
  machine: MachineInfo;
  /** Versions and settings of the peers that ran. */
  peers: Record<string, unknown>;
  rows: RowResult[];
  targets: TargetCheck[];
}

/** CPU model and SIMD flags from /proc/cpuinfo (empty off Linux). */
export function machineInfo(): MachineInfo {
  let text = "";
  try {
    text = readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    // Not Linux: os.cpus() still names the model.
  }
  const field = (name: string) =>
    new RegExp(`^${name}\\s*:\\s*(.*)$`, "m").exec(text)?.[1];
  const simd = /^(sse4_2|avx|avx2|fma|avx512f|avx512_vnni|neon|asimd)$/;
  const flags = (field("flags") ?? field("Features") ?? "").split(/\s+/);
  return {
    cpu: field("model name") ?? os.cpus()[0]?.model ?? "unknown",
    cpuFlags: flags.filter((f) => simd.test(f)),
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
  };
}

function baseResult(row: Row): RowResult {
  const { group, name, implementation, threads, unit, work, ours, note } = row;
  return {
    group,
    name,
    implementation,
    threads,
    unit,
    work,
    ours,
    ...(note === undefined ? {} : { note }),
    status: "skipped",
    samples: [],
    callsPerSample: 0,
    ratios: [],
  };
}

/** Fills in samples and summary; status "ok". */
function withSamples(
  result: RowResult,
  samples: number[],
  callsPerSample: number,
): RowResult {
  const summary = summarize(samples, result.unit, result.work);
  return { ...result, status: "ok", samples, callsPerSample, summary };
}

const messageOf = (err: unknown) =>
  err instanceof Error ? err.message : String(err);

async function runJsRow(
  row: Row & { kind: "js" },
  policy: RepeatPolicy,
): Promise<RowResult> {
  const base = baseResult(row);
  let runner: Runner;
  try {
    runner = await row.setup();
  } catch (err) {
    const status = err instanceof PeerUnavailable ? "skipped" : "failed";
    return { ...base, status, reason: messageOf(err) };
  }
  try {
    const { samples, callsPerSample } = await measure(runner, {
      ...policy,
      ...row.policy,
    });
    return withSamples(base, samples, callsPerSample);
  } catch (err) {
    return { ...base, status: "failed", reason: messageOf(err) };
  } finally {
    runner.dispose?.();
  }
}

/** Runs the benchmark and returns everything bench.json holds. */
export async function runBench(
  options: BenchOptions = {},
): Promise<BenchReport> {
  const quick = options.quick ?? false;
  const policy = quick ? QUICK_POLICY : FULL_POLICY;
  let rows = options.rows ?? buildRows({ quick });
  if (options.only) {
    const only = options.only;
    rows = rows.filter((r) =>
      only.test(`${r.group} ${r.name} ${r.implementation}`),
    );
  }
  if (options.noPeers) {
    rows = rows.map((r) =>
      r.ours ? r : skipRow(r, "peers turned off (--no-peers)"),
    );
  }

  // JavaScript rows here, in order; then the Python rows in one batch.
  const results: (RowResult | undefined)[] = rows.map(() => undefined);
  const report = (i: number, result: RowResult) => {
    results[i] = result;
    options.onRow?.(result);
  };
  for (const [i, row] of rows.entries()) {
    if (row.kind === "skipped") {
      report(i, { ...baseResult(row), reason: row.reason });
    } else if (row.kind === "js") {
      report(i, await runJsRow(row, policy));
    }
  }
  const pythonIds = rows.flatMap((r, i) => (r.kind === "python" ? [i] : []));
  const python = await runPythonRows(
    pythonIds.map((i) => rows[i] as PythonRow),
    policy,
    { python: options.python },
  );
  for (const [j, i] of pythonIds.entries()) {
    const outcome = python.outcomes[j];
    const base = baseResult(rows[i]);
    if (outcome.note) base.note = outcome.note;
    if (outcome.samples?.length) {
      report(
        i,
        withSamples(base, outcome.samples, outcome.callsPerSample ?? 1),
      );
    } else {
      const status = outcome.failed ? "failed" : "skipped";
      const reason = outcome.failed ?? outcome.skipped ?? "no samples returned";
      report(i, { ...base, status, reason });
    }
  }

  const measured = results as RowResult[];
  attachRatios(measured);
  return {
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    policy,
    machine: machineInfo(),
    peers: { ...peerInfo, python: python.env },
    rows: measured,
    targets: checkTargets(measured),
  };
}
