/**
 * Runs the Python peers' rows (NumPy, PyTorch) in /usr/bin/python3 through
 * kernel/bench-peers/bench.py: one process per thread count, since BLAS
 * fixes its thread count when it loads.
 *
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE may be set on this machine and
 * slow NumPy down; they are removed from that subprocess's environment
 * only (this process and its tests keep them), and the report records
 * which were removed and which BLAS kernel ran.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PythonRow, RepeatPolicy } from "./types.js";

export const DEFAULT_PYTHON = "/usr/bin/python3";

/** kernel/bench-peers/bench.py, from kernel/src/bench or kernel/dist/bench. */
export const PEER_SCRIPT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../bench-peers/bench.py",
);

/** Variables removed from the Python peer's environment (see header). */
export const UNSET_FOR_PEERS = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

/** One row's outcome from the Python side. */
export interface PythonOutcome {
  samples?: number[];
  callsPerSample?: number;
  note?: string;
  skipped?: string;
  failed?: string;
}

export interface PythonRun {
  /** Outcome per row, in the order of the rows given. */
  outcomes: PythonOutcome[];
  /** What each process reported (versions, BLAS), by thread count. */
  env: Record<string, unknown>;
}

/** The subprocess environment: thread counts fixed, OpenBLAS hints off. */
export function peerEnv(
  base: NodeJS.ProcessEnv,
  threads: number,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of UNSET_FOR_PEERS) delete env[name];
  for (const name of ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"]) {
    env[name] = String(threads);
  }
  env.MKL_NUM_THREADS = String(threads);
  return env;
}

interface Reply {
  env: Record<string, unknown>;
  results: ({ id: number } & PythonOutcome)[];
}

/** Runs bench.py once; resolves with its JSON reply or rejects with why. */
function callPython(
  python: string,
  request: unknown,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [PEER_SCRIPT], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: timeoutMs,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code !== 0) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        const tail = stderr.trim().split("\n").slice(-3).join(" | ");
        reject(new Error(`${path.basename(PEER_SCRIPT)} ${why}: ${tail}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as Reply);
      } catch {
        reject(new Error(`bench.py printed no JSON: ${stdout.slice(0, 200)}`));
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/**
 * Times `rows` in Python. Never throws: a missing interpreter or a crashed
 * script turns into a `skipped` or `failed` outcome on each row it affects.
 */
export async function runPythonRows(
  rows: readonly PythonRow[],
  policy: RepeatPolicy,
  options: { python?: string; timeoutMs?: number } = {},
): Promise<PythonRun> {
  const python = options.python ?? DEFAULT_PYTHON;
  const outcomes: PythonOutcome[] = rows.map(() => ({}));
  const env: Record<string, unknown> = {
    interpreter: python,
    unset: UNSET_FOR_PEERS.filter((name) => process.env[name] !== undefined),
  };
  if (rows.length === 0) return { outcomes, env };
  if (!existsSync(python)) {
    const skipped = `${python} not found`;
    return { outcomes: rows.map(() => ({ skipped })), env };
  }

  const threadCounts = [...new Set(rows.map((r) => r.threads))].sort(
    (a, b) => a - b,
  );
  for (const threads of threadCounts) {
    const ids = rows.flatMap((r, i) => (r.threads === threads ? [i] : []));
    const tasks = ids.map((id) => ({
      id,
      ...rows[id].task,
      policy: { ...policy, ...rows[id].policy },
    }));
    try {
      const reply = await callPython(
        python,
        { threads, tasks },
        peerEnv(process.env, threads),
        options.timeoutMs ?? 600_000,
      );
      env[`threads=${threads}`] = reply.env;
      for (const { id, ...outcome } of reply.results) outcomes[id] = outcome;
    } catch (err) {
      const failed = err instanceof Error ? err.message : String(err);
      for (const id of ids) outcomes[id] = { failed };
    }
  }
  return { outcomes, env };
}
