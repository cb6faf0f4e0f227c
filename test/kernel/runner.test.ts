import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { ParameterError } from "../../kernel/src/runner.js";
import type { CodeCell } from "../../kernel/src/notebook.js";
import { code, run, streamText } from "./runner-helpers.js";

const LONG = 180_000; // a kernel start can take a minute on a loaded 2-core machine

describe("runNotebook on a real tslab kernel", () => {
  it(
    "runs a passing notebook: outputs, counts, display_data",
    async () => {
      const { result, events, source } = await run("pass.ipynb");
      const before = JSON.stringify(source);
      const nb = result.notebook;
      expect(result.status).toBe("ok");
      expect([result.cellsRun, result.codeCells]).toEqual([3, 3]);
      expect(streamText(nb, 1)).toBe("hello 2\n");
      expect((nb.cells[1] as CodeCell).execution_count).toBe(1);
      expect((nb.cells[2] as CodeCell).outputs).toEqual([
        {
          output_type: "display_data",
          data: { "text/html": "<b>bold</b>" },
          metadata: {},
        },
      ]);
      // The empty cell is skipped, as nbclient does.
      expect((nb.cells[3] as CodeCell).execution_count).toBeNull();
      expect(streamText(nb, 4)).toBe("42\n");
      expect((nb.cells[4] as CodeCell).execution_count).toBe(3);

      const run_ = (nb.metadata.memnets as { run: Record<string, unknown> })
        .run;
      expect(run_).toMatchObject({
        status: "ok",
        tslabVersion: "1.0.22",
        parameters: {},
      });
      expect(typeof run_.startedAt).toBe("string");
      expect(events.map((e) => e.type)).toEqual([
        "notebook-start",
        "kernel-ready",
        "cell-start",
        "cell-done",
        "cell-start",
        "cell-done",
        "cell-start",
        "cell-done",
        "notebook-done",
      ]);
      // The source object is untouched by the run.
      expect(JSON.stringify(source)).toBe(before);
      expect(source.metadata.memnets).toBeUndefined();
    },
    LONG,
  );

  it(
    "stops at a failing cell with a parsed error output",
    async () => {
      const { result } = await run("fail.ipynb");
      const nb = result.notebook;
      expect(result.status).toBe("failed");
      expect(result.cellsRun).toBe(2);
      expect(result.failure).toMatchObject({
        cellIndex: 1,
        ename: "RangeError",
        evalue: "bad size: 3",
        message: "fail.ipynb: cell 1: RangeError: bad size: 3",
      });
      const failed = nb.cells[1] as CodeCell;
      expect(failed.execution_count).toBe(2);
      expect(streamText(nb, 1, "stderr")).toBe("a warning first\n");
      const error = failed.outputs.find((o) => o.output_type === "error");
      expect(error).toMatchObject({
        ename: "RangeError",
        evalue: "bad size: 3",
      });
      const last = nb.cells[2] as CodeCell;
      expect([last.execution_count, last.outputs]).toEqual([null, []]);
    },
    LONG,
  );

  it(
    "with allowErrors runs the cells after a failure (past tslab's abort window)",
    async () => {
      const { result } = await run("fail.ipynb", { allowErrors: true });
      expect(result.status).toBe("errors");
      expect(result.failure).toBeUndefined();
      expect(result.cellErrors.map((e) => [e.cellIndex, e.ename])).toEqual([
        [1, "RangeError"],
      ]);
      expect(streamText(result.notebook, 2)).toBe("after\n");
      expect((result.notebook.cells[2] as CodeCell).execution_count).toBe(3);
    },
    LONG,
  );

  it(
    "reports a type error as TypeScriptError",
    async () => {
      const { result } = await run(code('let n: number = "s";'));
      expect(result.status).toBe("failed");
      expect(result.failure?.ename).toBe("TypeScriptError");
      expect(result.failure?.evalue).toMatch(/not assignable to type 'number'/);
    },
    LONG,
  );

  it(
    "keeps one final output for a live display and collapses \\r progress",
    async () => {
      const { result } = await run("display.ipynb");
      const nb = result.notebook;
      // Five updates in cell 0, a last one from cell 1: one output, final data.
      expect((nb.cells[0] as CodeCell).outputs).toEqual([
        {
          output_type: "display_data",
          data: { "text/html": "<p>final</p>" },
          metadata: {},
        },
      ]);
      expect(streamText(nb, 1)).toBe("updated\n");
      expect(streamText(nb, 2)).toBe("progress 100%\nabc\nnext line\ndone\n");
    },
    LONG,
  );

  it(
    "injects quick and explicit parameters",
    async () => {
      const { result } = await run("params.ipynb", {
        quick: true,
        parameters: { label: "q" },
      });
      const nb = result.notebook;
      expect(result.status).toBe("ok");
      expect(nb.cells[2].metadata.tags).toEqual(["injected-parameters"]);
      expect((nb.cells[2] as CodeCell).outputs).toEqual([]);
      expect(streamText(nb, 3)).toBe("2 q 1\n");
      const info = (nb.metadata.memnets as { run: Record<string, unknown> })
        .run;
      expect(info).toMatchObject({
        quick: true,
        parameters: { epochs: 2, label: "q" },
      });
    },
    LONG,
  );

  it("rejects an unknown parameter before starting a kernel", async () => {
    const { readNotebook, runNotebook } =
      await import("../../kernel/src/runner.js");
    const nb = await readNotebook(
      (await import("./runner-helpers.js")).fixture("params.ipynb"),
    );
    const events: string[] = [];
    const err = await runNotebook(nb, {
      cwd: ".",
      parameters: { nope: 1 },
      onProgress: (e) => events.push(e.type),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParameterError);
    expect(events).toEqual([]);
  });
});

describe("KernelProcess", () => {
  it(
    "answers the heartbeat and leaves nothing behind after shutdown",
    async () => {
      const { existsSync } = await import("node:fs");
      const { KernelProcess } =
        await import("../../kernel/src/kernel-process.js");
      const { exists } = await import("./runner-helpers.js");
      const kernel = await KernelProcess.start({ cwd: "." });
      expect(existsSync(`${kernel.connDir}/connection.json`)).toBe(true);
      expect(await kernel.heartbeat()).toBe(true);
      await kernel.shutdown();
      expect(kernel.alive).toBe(false);
      expect(exists(kernel.pid)).toBe(false);
      expect(existsSync(kernel.connDir)).toBe(false);
    },
    LONG,
  );

  it(
    "runs code over ipc sockets in its private connection folder",
    async () => {
      const { existsSync } = await import("node:fs");
      const { KernelProcess } =
        await import("../../kernel/src/kernel-process.js");
      const kernel = await KernelProcess.start({ cwd: ".", transport: "ipc" });
      const conn = JSON.parse(
        readFileSync(`${kernel.connDir}/connection.json`, "utf8"),
      );
      expect(conn.transport).toBe("ipc");
      expect(conn.ip).toBe(`${kernel.connDir}/kernel`);
      expect(existsSync(`${kernel.connDir}/kernel:1`)).toBe(true); // shell socket
      expect(await kernel.heartbeat()).toBe(true);
      const streams: string[] = [];
      kernel.onIopub((m) => {
        if (m.header.msg_type === "stream") {
          streams.push(String((m.content as { text: string }).text));
        }
      });
      const { reply } = kernel.send("shell", "execute_request", {
        code: "console.log(6 * 7)",
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: true,
      });
      expect((await reply).content.status).toBe("ok");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(streams.join("")).toContain("42");
      await kernel.shutdown();
      expect(existsSync(kernel.connDir)).toBe(false);
      await expect(
        KernelProcess.start({ cwd: ".", transport: "udp" as never }),
      ).rejects.toThrow(/options.transport: expected "tcp" or "ipc", got udp/);
    },
    LONG,
  );
});
