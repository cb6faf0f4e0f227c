import { describe, expect, it } from "vitest";

import { OutputCollector, TerminalText } from "../../kernel/src/outputs.js";
import { parseErrorText } from "../../kernel/src/traceback.js";

const stream = (name: string, text: string) => ({
  msgType: "stream",
  content: { name, text },
});
const display = (text: string, id?: string, update = false) => ({
  msgType: update ? "update_display_data" : "display_data",
  content: {
    data: { "text/plain": text },
    metadata: {},
    transient: id ? { display_id: id } : {},
  },
});

describe("TerminalText", () => {
  it("overwrites the current line after \\r, as a terminal does", () => {
    const t = new TerminalText();
    t.write("progress 10%\rprogress 50%\rprogress 100%\n");
    expect(t.toString()).toBe("progress 100%\n");
    const u = new TerminalText();
    u.write("abcdef\rXY");
    expect(u.toString()).toBe("XYcdef");
  });

  it("treats \\r\\n as a newline, also split across writes", () => {
    const t = new TerminalText();
    t.write("one\r");
    t.write("\ntwo\r\n");
    expect(t.toString()).toBe("one\ntwo\n");
  });
});

describe("OutputCollector", () => {
  it("merges consecutive chunks of one stream and collapses \\r", () => {
    const c = new OutputCollector();
    c.handle(0, stream("stdout", "a 1%\r"));
    c.handle(0, stream("stdout", "a 99%\n"));
    c.handle(0, stream("stderr", "warn\n"));
    c.handle(0, stream("stdout", "b\n"));
    expect(c.outputs(0)).toEqual([
      { output_type: "stream", name: "stdout", text: ["a 99%\n"] },
      { output_type: "stream", name: "stderr", text: ["warn\n"] },
      { output_type: "stream", name: "stdout", text: ["b\n"] },
    ]);
  });

  it("updates every output of a display id, also in earlier cells", () => {
    const c = new OutputCollector();
    c.handle(0, display("v0", "d1"));
    c.handle(1, display("v0 again", "d1"));
    c.handle(2, display("other"));
    c.handle(2, display("v1", "d1", true));
    const plain = (cell: number) =>
      c
        .outputs(cell)
        .map(
          (o) => (o as { data: Record<string, unknown> }).data["text/plain"],
        );
    expect(plain(0)).toEqual(["v1"]);
    expect(plain(1)).toEqual(["v1"]);
    expect(plain(2)).toEqual(["other"]);
  });

  it("clears at once, or on the next output with wait: true", () => {
    const c = new OutputCollector();
    c.handle(0, stream("stdout", "old\n"));
    c.handle(0, { msgType: "clear_output", content: { wait: false } });
    expect(c.outputs(0)).toEqual([]);

    c.handle(1, stream("stdout", "frame 1\n"));
    c.handle(1, { msgType: "clear_output", content: { wait: true } });
    expect(c.outputs(1)).toHaveLength(1); // still shown until the next one
    c.handle(1, display("frame 2"));
    expect(c.outputs(1)).toEqual([
      {
        output_type: "display_data",
        data: { "text/plain": "frame 2" },
        metadata: {},
      },
    ]);
  });

  it("keeps execute_result with its count", () => {
    const c = new OutputCollector();
    c.handle(3, {
      msgType: "execute_result",
      content: {
        execution_count: 4,
        data: { "text/plain": "42" },
        metadata: {},
      },
    });
    expect(c.outputs(3)).toEqual([
      {
        output_type: "execute_result",
        execution_count: 4,
        data: { "text/plain": "42" },
        metadata: {},
      },
    ]);
  });

  it("cuts stream text over the cap with a note of what was left out", () => {
    const c = new OutputCollector({ streamBytes: 100 });
    for (let i = 0; i < 50; i++) c.handle(0, stream("stdout", "0123456789\n"));
    const [out] = c.outputs(0);
    const text = (out as { text: string[] }).text.join("");
    expect(text.startsWith("0123456789\n".repeat(9) + "0")).toBe(true);
    expect(text).toMatch(
      /\[memnets: stream output truncated: over the cap of 100 bytes per cell; 450 bytes omitted\]\n$/,
    );
  });

  it("replaces display data over the cap with a note", () => {
    const c = new OutputCollector({ displayBytes: 50 });
    c.handle(0, display("z".repeat(100)));
    const [out] = c.outputs(0) as { data: Record<string, string> }[];
    expect(Object.keys(out.data)).toEqual(["text/plain"]);
    expect(out.data["text/plain"]).toMatch(
      /display output truncated: \d+ bytes \(text\/plain\) over the cap of 50 bytes/,
    );
  });

  it("rejects a non-positive cap", () => {
    expect(() => new OutputCollector({ streamBytes: 0 })).toThrow(RangeError);
  });

  it("takes the error report out of stderr and keeps the rest", () => {
    const c = new OutputCollector();
    c.handle(0, stream("stderr", "note\n"));
    c.handle(0, stream("stderr", "1:5 - Cannot find name 'y'.\n"));
    c.handle(0, stream("stderr", "2:1 - Cannot find name 'z'.\n"));
    expect(c.takeErrorText(0)).toBe(
      "1:5 - Cannot find name 'y'.\n2:1 - Cannot find name 'z'.\n",
    );
    expect(c.outputs(0)).toEqual([
      { output_type: "stream", name: "stderr", text: ["note\n"] },
    ]);
  });
});

describe("parseErrorText", () => {
  // Shapes captured from tslab 1.0.22 (see kernel/src/traceback.ts).
  it("parses a thrown Error from vm with its preamble", () => {
    const text =
      'evalmachine.<anonymous>:3\nthrow new RangeError("bad x");\n^\n\n' +
      "RangeError: bad x\n    at evalmachine.<anonymous>:3:7\n" +
      "    at Script.runInThisContext (node:vm:135:14)\n" +
      "    at Object.execute (/p/node_modules/tslab/dist/executor.js:160:38)\n";
    const e = parseErrorText(text);
    expect(e.ename).toBe("RangeError");
    expect(e.evalue).toBe("bad x");
    expect(e.traceback).toContain("    at evalmachine.<anonymous>:3:7");
    expect(e.traceback.join("\n")).not.toMatch(/node:vm|tslab/);
  });

  it("parses type-check diagnostics", () => {
    const e = parseErrorText(
      "1:5 - Type 'string' is not assignable to type 'number'.\n",
    );
    expect(e).toEqual({
      ename: "TypeScriptError",
      evalue: "Type 'string' is not assignable to type 'number'.",
      traceback: ["1:5 - Type 'string' is not assignable to type 'number'."],
    });
  });

  it("parses an interrupt report and a thrown string", () => {
    const sigint = parseErrorText(
      "Error: Script execution was interrupted by `SIGINT`\n" +
        "    at sigintHandlersWrap (node:vm:280:12)\n",
    );
    expect([sigint.ename, sigint.evalue]).toEqual([
      "Error",
      "Script execution was interrupted by `SIGINT`",
    ]);
    expect(parseErrorText("str\n")).toEqual({
      ename: "Error",
      evalue: "str",
      traceback: ["str"],
    });
  });
});
