/**
 * Timing of one row in this process, following a RepeatPolicy. The Python
 * peer (kernel/bench-peers/bench.py) implements the same steps, so both
 * sides' samples mean the same thing.
 */
import type { RepeatPolicy, Runner } from "./types.js";

const now = () => performance.now() / 1000;

/** Seconds for `calls` back-to-back runs, awaiting a run that is async. */
async function timeCalls(run: Runner["run"], calls: number): Promise<number> {
  const start = now();
  for (let i = 0; i < calls; i++) {
    const result = run();
    if (result instanceof Promise) await result;
  }
  return now() - start;
}

/**
 * Warm up, then take samples of seconds per run.
 *
 * Steps: `warmupRuns` untimed calls (stopping early past a quarter of the
 * budget, but at least one); from the last of them, the number of calls
 * per sample that lasts `minSampleSeconds`; then samples until `repeats`
 * are taken, or the budget is spent and `minRepeats` are.
 */
export async function measure(
  runner: Runner,
  policy: RepeatPolicy,
): Promise<{ samples: number[]; callsPerSample: number }> {
  // Warm-up.
  const warmStart = now();
  let last = await timeCalls(runner.run, 1);
  for (let i = 1; i < policy.warmupRuns; i++) {
    if (now() - warmStart > policy.maxSeconds / 4) break;
    last = await timeCalls(runner.run, 1);
  }

  // Samples.
  const calls = Math.max(
    1,
    Math.ceil(policy.minSampleSeconds / Math.max(last, 1e-9)),
  );
  const samples: number[] = [];
  const start = now();
  while (samples.length < policy.repeats) {
    const spent = now() - start;
    if (samples.length >= policy.minRepeats && spent > policy.maxSeconds) {
      break;
    }
    samples.push((await timeCalls(runner.run, calls)) / calls);
  }
  return { samples, callsPerSample: calls };
}
