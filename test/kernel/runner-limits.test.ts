import { describe, expect, it } from "vitest";

import type { CodeCell } from "../../kernel/src/notebook.js";
import type { RunEvent } from "../../kernel/src/runner.js";
import { code, run, streamText } from "./runner-helpers.js";

const LONG = 90_000;

function cellDone(events: RunEvent[], cellIndex: number) {
  const e = events.find(
    (x) => x.type === "cell-done" && x.cellIndex === cellIndex,
  );
  if (!e || e.type !== "cell-done")
    throw new Error(`no cell-done for ${cellIndex}`);
  return e;
}

describe.concurrent("runNotebook limits on a real tslab kernel", () => {
  it(
    "interrupts a busy loop at the cell timeout and stops",
    async () => {
      const { result, events } = await run("hang.ipynb", {
        cellTimeoutMs: 1500,
      });
      expect(result.status).toBe("timeout");
      expect(result.failure).toMatchObject({
        cellIndex: 1,
        ename: "CellTimeout",
      });
      expect(result.failure?.evalue).toMatch(/1500 ms.*interrupted/);
      // Interrupted, not killed: the reply came back within the grace period.
      expect(cellDone(events, 1).durationMs).toBeLessThan(1500 + 5000);
      const stopped = result.notebook.cells[2] as CodeCell;
      expect([stopped.execution_count, stopped.outputs]).toEqual([null, []]);
      expect(streamText(result.notebook, 0)).toBe("start\n");
    },
    LONG,
  );

  it(
    "interrupts an awaited promise that never resolves",
    async () => {
      const { result, events } = await run(
        code("await new Promise(() => {});", 'console.log("never");'),
        { cellTimeoutMs: 1000 },
      );
      expect(result.status).toBe("timeout");
      expect(result.failure?.cellIndex).toBe(0);
      expect(cellDone(events, 0).durationMs).toBeLessThan(1000 + 5000);
      expect(result.cellsRun).toBe(1);
    },
    LONG,
  );

  it(
    "kills the kernel when a cell ignores the interrupt",
    async () => {
      // SIGINT cannot break a synchronous child-process wait; the kill must
      // also reach the `sleep` child (run() checks the whole group is gone).
      const { result, events } = await run(
        code(
          'import { execSync } from "child_process";\nexecSync("sleep 30");',
        ),
        { cellTimeoutMs: 1000, interruptGraceMs: 1000 },
      );
      expect(result.status).toBe("timeout");
      expect(result.failure?.evalue).toMatch(
        /did not stop within 1000 ms.*killed/,
      );
      expect(cellDone(events, 0).durationMs).toBeLessThan(1000 + 1000 + 3000);
    },
    LONG,
  );

  it(
    "detects a kernel that exits mid-run at once",
    async () => {
      const { result, events } = await run("die.ipynb", {
        cellTimeoutMs: 60_000,
      });
      expect(result.status).toBe("died");
      expect(result.failure).toMatchObject({
        cellIndex: 1,
        ename: "KernelDied",
      });
      expect(result.failure?.evalue).toMatch(/exited with code 1/);
      expect(cellDone(events, 1).durationMs).toBeLessThan(5000);
      expect((result.notebook.cells[1] as CodeCell).outputs[0]).toMatchObject({
        output_type: "error",
        ename: "KernelDied",
      });
      expect((result.notebook.cells[2] as CodeCell).outputs).toEqual([]);
    },
    LONG,
  );

  it(
    "detects a kernel killed by SIGKILL",
    async () => {
      const { result, events } = await run(
        code('console.log("a");', 'process.kill(process.pid, "SIGKILL");'),
        { cellTimeoutMs: 60_000 },
      );
      expect(result.status).toBe("died");
      expect(result.failure?.evalue).toMatch(/signal SIGKILL/);
      expect(cellDone(events, 1).durationMs).toBeLessThan(5000);
    },
    LONG,
  );

  it(
    "truncates huge outputs with a visible note",
    async () => {
      const { result } = await run("huge.ipynb", {
        outputCap: { streamBytes: 1000, displayBytes: 2000 },
      });
      expect(result.status).toBe("ok");
      const text = streamText(result.notebook, 0);
      expect(Buffer.byteLength(text)).toBeLessThan(1200);
      expect(text).toMatch(
        /stream output truncated: over the cap of 1000 bytes per cell; \d+ bytes omitted/,
      );
      const [display] = (result.notebook.cells[1] as CodeCell).outputs as {
        data: Record<string, string>;
      }[];
      expect(display.data["text/plain"]).toMatch(
        /display output truncated: \d+ bytes \(text\/html\) over the cap of 2000 bytes/,
      );
    },
    LONG,
  );

  it(
    "stops at the notebook timeout, start-up included",
    async () => {
      const { result } = await run(
        code('console.log("ok");', "await new Promise(() => {});", "1"),
        { notebookTimeoutMs: 30_000, cellTimeoutMs: 600_000 },
      );
      expect(result.status).toBe("timeout");
      expect(result.failure).toMatchObject({
        cellIndex: 1,
        ename: "NotebookTimeout",
      });
      expect(result.durationMs).toBeLessThan(30_000 + 5000 + 2000);
    },
    LONG,
  );
});
