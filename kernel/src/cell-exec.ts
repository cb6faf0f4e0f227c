/**
 * Executes one code cell on a running tslab kernel, with a time limit.
 *
 * A cell is done when its execute_reply has come on shell AND its `idle`
 * status on iopub (outputs travel on iopub, which may lag the reply).
 * tslab quirks handled here (node_modules/tslab/dist/jupyter.js):
 * - failure is only visible as execute_reply status "error"; the report is
 *   stderr text, turned into an `error` output by parseErrorText;
 * - after a failure tslab answers "abort" to every request for ~200 ms
 *   (`execQueue.reset(200)`, tslab issue #19): such a request did not
 *   run, so we wait past the window and send it again.
 * A hung cell is interrupted (SIGINT, or interrupt_request first for a
 * kernel whose interrupt_mode is "message"), then killed after a grace
 * period. A kernel exit rejects every wait at once (KernelDiedError).
 */
import {
  delay,
  KernelDiedError,
  type KernelProcess,
} from "./kernel-process.js";
import type { ErrorOutput } from "./notebook.js";
import type { OutputCollector } from "./outputs.js";
import { parseErrorText } from "./traceback.js";
import type { Message } from "./wire.js";

export type CellStatus = "ok" | "error" | "timeout" | "died";

export interface CellOutcome {
  status: CellStatus;
  executionCount: number | null;
  error?: ErrorOutput;
}

export interface CellLimits {
  /** Interrupt the cell after this long. */
  timeoutMs: number;
  /** What ran out: named in the error output ("CellTimeout"...). */
  timeoutName: string;
  /** After the interrupt, kill the kernel if no reply within this. */
  graceMs: number;
  interruptMode: "signal" | "message";
}

/** Past tslab's 200 ms abort window, with margin for a loaded machine. */
const ABORT_RETRY_MS = 300;
/**
 * How long iopub may lag behind the reply before we stop waiting. The
 * kernel queues its output (lib/src/tslab-sends.ts) and sends the reply on
 * another socket, so after a cell that printed thousands of lines the
 * output can trail the reply by seconds on a loaded machine.
 */
const IOPUB_LAG_MS = 15_000;

/** Routes iopub messages to cells by parent msg_id and tracks `idle`. */
export class IopubRouter {
  private readonly cellOf = new Map<string, number>();
  private readonly idle = new Set<string>();
  private readonly idleWaiters = new Map<string, () => void>();

  constructor(kernel: KernelProcess, collector: OutputCollector) {
    kernel.onIopub((msg: Message) => {
      const parent = msg.parentHeader.msg_id;
      if (parent === undefined) return;
      const cell = this.cellOf.get(parent);
      if (cell !== undefined) {
        collector.handle(cell, {
          msgType: msg.header.msg_type,
          content: msg.content,
        });
      }
      if (
        msg.header.msg_type === "status" &&
        msg.content.execution_state === "idle"
      ) {
        this.idle.add(parent);
        this.idleWaiters.get(parent)?.();
      }
    });
  }

  assign(msgId: string, cell: number): void {
    this.cellOf.set(msgId, cell);
  }

  /** Resolves when `msgId` went idle, or after `maxMs` regardless. */
  waitIdle(msgId: string, maxMs: number): Promise<void> {
    if (this.idle.has(msgId)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      this.idleWaiters.set(msgId, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export async function executeCell(
  kernel: KernelProcess,
  router: IopubRouter,
  collector: OutputCollector,
  cell: number,
  code: string,
  limits: CellLimits,
): Promise<CellOutcome> {
  const deadline = Date.now() + limits.timeoutMs;
  const stderrBefore = kernel.stderr;
  try {
    for (;;) {
      const { msgId, reply } = kernel.send("shell", "execute_request", {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: false,
      });
      router.assign(msgId, cell);
      const answer = await withTimeout(reply, deadline - Date.now());
      if (answer === null) {
        return await stopHungCell(
          kernel,
          router,
          collector,
          cell,
          msgId,
          reply,
          limits,
        );
      }
      await router.waitIdle(msgId, IOPUB_LAG_MS);
      const status = answer.content.status;
      if (status === "abort" && Date.now() + ABORT_RETRY_MS < deadline) {
        await delay(ABORT_RETRY_MS);
        continue;
      }
      const count = executionCount(answer);
      if (status === "ok") return { status: "ok", executionCount: count };
      const fresh = stderrSince(stderrBefore, kernel.stderr);
      const error = errorFromStderr(collector, cell, status, fresh);
      return { status: "error", executionCount: count, error };
    }
  } catch (err) {
    if (!(err instanceof KernelDiedError)) throw err;
    return died(collector, cell, err);
  }
}

async function stopHungCell(
  kernel: KernelProcess,
  router: IopubRouter,
  collector: OutputCollector,
  cell: number,
  msgId: string,
  reply: Promise<Message>,
  limits: CellLimits,
): Promise<CellOutcome> {
  await interrupt(kernel, limits);
  const answer = await withTimeout(reply, limits.graceMs);
  let how = "it was interrupted";
  let count: number | null = null;
  if (answer !== null) {
    await router.waitIdle(msgId, IOPUB_LAG_MS);
    // Drop tslab's "interrupted by SIGINT" report; ours says why.
    if (answer.content.status === "error") collector.takeErrorText(cell);
    count = executionCount(answer);
  } else {
    await kernel.shutdown();
    how = `it did not stop within ${limits.graceMs} ms of the interrupt, so the kernel was killed`;
  }
  const error: ErrorOutput = {
    output_type: "error",
    ename: limits.timeoutName,
    evalue: `the cell ran longer than its time limit (${limits.timeoutMs} ms); ${how}`,
    traceback: [],
  };
  collector.addError(cell, error);
  return { status: "timeout", executionCount: count, error };
}

async function interrupt(kernel: KernelProcess, limits: CellLimits) {
  if (limits.interruptMode === "message") {
    const { reply } = kernel.send("control", "interrupt_request", {});
    if ((await withTimeout(reply, 1000)) !== null) return;
  }
  kernel.interrupt();
}

/** What the kernel wrote to its real stderr since `before` was read. */
export function stderrSince(before: string, now: string): string {
  // The tail is capped, so `now` may have dropped the start of `before`.
  if (now.startsWith(before)) return now.slice(before.length);
  for (let cut = 1; cut < before.length; cut++) {
    if (now.startsWith(before.slice(cut)))
      return now.slice(before.length - cut);
  }
  return now;
}

function errorFromStderr(
  collector: OutputCollector,
  cell: number,
  status: unknown,
  kernelStderr: string,
): ErrorOutput {
  const text = collector.takeErrorText(cell);
  // With no report on iopub, the kernel's own stderr (tslab's "unexpected
  // error" lines, say) is the only account of what went wrong.
  const parsed = text
    ? parseErrorText(text)
    : {
        ename: "Error",
        evalue:
          `execute_reply status ${JSON.stringify(status)} with no error text` +
          (kernelStderr.trim() ? "; the kernel's stderr says:" : ""),
        traceback: kernelStderr.trim()
          ? kernelStderr.trimEnd().split("\n")
          : [],
      };
  const error: ErrorOutput = { output_type: "error", ...parsed };
  collector.addError(cell, error);
  return error;
}

async function died(
  collector: OutputCollector,
  cell: number,
  err: KernelDiedError,
): Promise<CellOutcome> {
  // Let outputs already on our iopub socket land; the kernel is gone, so
  // this is a bounded drain, not a wait on it.
  await delay(50);
  const error: ErrorOutput = {
    output_type: "error",
    ename: "KernelDied",
    evalue: `${err.message} while this cell was running`,
    traceback: err.stderr ? err.stderr.replace(/\n$/, "").split("\n") : [],
  };
  collector.addError(cell, error);
  return { status: "died", executionCount: null, error };
}

function executionCount(reply: Message): number | null {
  const n = reply.content.execution_count;
  return typeof n === "number" ? n : null;
}

/** The promise's value, or null when `ms` passes first. */
async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
