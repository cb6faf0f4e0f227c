import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import {
  NotebookFormatError,
  readNotebook,
  toLines,
  validateNotebook,
} from "../../kernel/src/notebook.js";
import {
  declaredNames,
  injectParameters,
  ParameterError,
} from "../../kernel/src/parameters.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) =>
  path.join(here, "..", "fixtures", "notebooks", name);

describe("readNotebook", () => {
  it("reads a valid nbformat 4 notebook", async () => {
    const nb = await readNotebook(fixture("pass.ipynb"));
    expect(nb.nbformat).toBe(4);
    expect(nb.cells.map((c) => c.cell_type)).toEqual([
      "markdown",
      "code",
      "code",
      "code",
      "code",
    ]);
  });

  it.each([
    ["malformed-not-json.ipynb", /not valid JSON/],
    ["malformed-v3.ipynb", /expected nbformat 4, got 3/],
    ["malformed-no-cells.ipynb", /cells: expected an array, got nothing/],
    ["malformed-no-source.ipynb", /cell 1: has no source/],
    ["does-not-exist.ipynb", /cannot read/],
  ])("names the file and the problem for %s", async (name, problem) => {
    const file = fixture(name);
    const err = await readNotebook(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotebookFormatError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(problem);
  });

  it("rejects a cell with a bad cell_type or source", () => {
    const base = { nbformat: 4, nbformat_minor: 5, metadata: {} };
    const bad = (cell: unknown) => ({ ...base, cells: [cell] });
    expect(() => validateNotebook(bad({ cell_type: "x", source: "" }))).toThrow(
      /cell 0: cell_type/,
    );
    expect(() =>
      validateNotebook(bad({ cell_type: "code", source: [1], metadata: {} })),
    ).toThrow(/cell 0: source: expected a string or a list of strings/);
  });

  it("splits text into nbformat lines", () => {
    expect(toLines("a\nb\n")).toEqual(["a\n", "b\n"]);
    expect(toLines("a\nb")).toEqual(["a\n", "b"]);
    expect(toLines("")).toEqual([]);
  });
});

describe("parameters", () => {
  const notebook = async () => readNotebook(fixture("params.ipynb"));

  it("finds let/var names and const names in the parameters cell", () => {
    const code = 'let a = [1, 2], b: number = 3;\nvar c = "x";\nconst d = 4;';
    expect(declaredNames(code)).toEqual({
      mutable: ["a", "b", "c"],
      constant: ["d"],
    });
  });

  it("injects quick overrides then explicit ones after the tagged cell", async () => {
    const source = await notebook();
    const before = JSON.stringify(source);
    const {
      notebook: nb,
      applied,
      injectedIndex,
    } = injectParameters(source, true, { label: "q" });
    expect(applied).toEqual({ epochs: 2, label: "q" });
    expect(injectedIndex).toBe(2);
    const cell = nb.cells[2];
    expect(cell.metadata.tags).toEqual(["injected-parameters"]);
    expect(cell.source).toEqual([
      "epochs = 2;\n",
      'label = "q";\n',
      "void 0; // (keeps tslab from echoing the last value)\n",
    ]);
    expect(cell.id).toBe("injected-parameters");
    expect(JSON.stringify(source)).toBe(before);
  });

  it("lets an explicit value beat the quick one", async () => {
    const { applied } = injectParameters(await notebook(), true, { epochs: 7 });
    expect(applied).toEqual({ epochs: 7 });
  });

  it("rejects an unknown name, naming the declared ones", async () => {
    const nb = await notebook();
    expect(() => injectParameters(nb, false, { epoch: 1 })).toThrow(
      /unknown parameter "epoch".*declares: epochs, label/,
    );
  });

  it("rejects overriding a const", async () => {
    const nb = await notebook();
    expect(() => injectParameters(nb, false, { fixed: 2 })).toThrow(
      /"fixed".*const/,
    );
  });

  it("rejects overrides for a notebook without a parameters cell", async () => {
    const nb = await readNotebook(fixture("pass.ipynb"));
    expect(() => injectParameters(nb, false, { x: 1 })).toThrow(ParameterError);
    expect(() => injectParameters(nb, false, { x: 1 })).toThrow(
      /no code cell tagged "parameters"/,
    );
  });

  it("rejects a value JSON cannot express", async () => {
    const nb = await notebook();
    expect(() => injectParameters(nb, false, { epochs: () => 1 })).toThrow(
      /expected a JSON value, got function/,
    );
  });

  it("injects nothing when there are no overrides", async () => {
    const nb = await readNotebook(fixture("pass.ipynb"));
    const { notebook: copy, injectedIndex } = injectParameters(nb, true, {});
    expect(injectedIndex).toBe(-1);
    expect(copy).toEqual(nb);
  });
});
