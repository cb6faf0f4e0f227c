/**
 * A cell that outputs thousands of messages without letting the event loop
 * turn: zeromq.js, under tslab, throws on a send made while its 513th in a
 * row waits, and tslab lost the cell's output and even its error report.
 * memnets queues the kernel's sends (lib/src/tslab-sends.ts); nothing is lost.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { code, run, streamText } from "./runner-helpers.js";

const notebooks = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "notebooks",
);

describe("long synchronous cells on a real tslab kernel", () => {
  it("keeps every line, every display and the error report", async () => {
    const nb = code(
      'import { progressBar } from "memnets";',
      [
        'const bar = progressBar(3000, { label: "x", intervalMs: 0 });',
        "for (let i = 0; i < 3000; i++) {",
        "  bar.update(i + 1);",
        "  if (i % 2 === 0) console.log(`line ${i}`);",
        "}",
        'console.log("end of cell");',
      ].join("\n"),
      'throw new Error("visible after 4500 messages");',
    );
    const { result } = await run(nb, { cwd: notebooks, allowErrors: true });
    const text = streamText(result.notebook, 1);
    const lines = text.split("\n").filter((l) => l.startsWith("line "));
    expect(lines.length).toBe(1500);
    expect(lines.at(-1)).toBe("line 2998");
    expect(text).toContain("end of cell");
    const last = result.notebook.cells[2];
    const error =
      last.cell_type === "code"
        ? last.outputs.find((o) => o.output_type === "error")
        : undefined;
    expect(error).toMatchObject({ evalue: "visible after 4500 messages" });
  }, 120_000);
});
