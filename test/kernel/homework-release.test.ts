import { execFile } from "node:child_process";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import {
  cellsDigest,
  releaseNotebook,
  ReleaseError,
  STUB,
  stubSolutions,
} from "../../kernel/src/homework/release.js";
import { releaseFiles } from "../../kernel/src/homework/release-files.js";
import type { Cell, Notebook } from "../../kernel/src/notebook.js";

const code = (source: string, homework?: object, outputs = true): Cell => ({
  cell_type: "code",
  source,
  metadata: homework ? { memnets: { homework } } : {},
  execution_count: outputs ? 3 : null,
  outputs: outputs
    ? [{ output_type: "stream", name: "stdout", text: "old output\n" }]
    : [],
});
const md = (source: string): Cell => ({
  cell_type: "markdown",
  source,
  metadata: {},
});

function instructor(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "tslab", display_name: "TypeScript" },
      memnets: { quick: { n: 1 }, run: { status: "ok" } },
    },
    cells: [
      md(
        "# Task\n<!-- BEGIN INSTRUCTOR -->\nthe answer is 2x\n<!-- END INSTRUCTOR -->\nImplement it.",
      ),
      code('import { check } from "memnets";'),
      code(
        "function double(x: number): number {\n  // BEGIN SOLUTION\n  const y = 2 * x;\n  return y;\n  // END SOLUTION\n}",
        { solution: true },
      ),
      code('check("small", 2, () => expectClose("d", double(3), 6));', {
        check: "small",
        points: 2,
      }),
      code('check("secret", 3, () => expectClose("d", double(-1), -2));', {
        check: "secret",
        points: 3,
        hidden: true,
      }),
      code("showScore();"),
    ],
  };
}

const text = (cell: Cell) =>
  Array.isArray(cell.source) ? cell.source.join("") : cell.source;

describe("stubSolutions", () => {
  it("replaces each region, markers included, by the stub at its indentation", () => {
    const src = [
      "function f() {",
      "    // BEGIN SOLUTION",
      "    return 1;",
      "    // END SOLUTION",
      "}",
      "function g() {",
      "  //BEGIN SOLUTION",
      "  return 2;",
      "  //  END SOLUTION",
      "}",
    ].join("\n");
    expect(stubSolutions(src)).toBe(
      [
        "function f() {",
        `    ${STUB}`,
        "}",
        "function g() {",
        `  ${STUB}`,
        "}",
      ].join("\n"),
    );
  });

  it("refuses unbalanced, nested or missing regions, naming the line", () => {
    expect(() => stubSolutions("a\n// BEGIN SOLUTION\nb", "cell 4")).toThrow(
      /^cell 4, line 2: BEGIN SOLUTION never ended$/,
    );
    expect(() => stubSolutions("a\n// END SOLUTION")).toThrow(
      /line 2: END SOLUTION without BEGIN/,
    );
    expect(() =>
      stubSolutions("// BEGIN SOLUTION\n// BEGIN SOLUTION\n// END SOLUTION"),
    ).toThrow(/line 2: BEGIN SOLUTION inside an open region \(line 1\)/);
    expect(() => stubSolutions("return 1;")).toThrow(
      /without a "\/\/ BEGIN SOLUTION" region/,
    );
  });
});

describe("releaseNotebook", () => {
  it("stubs solutions, drops hidden checks and instructor text, clears outputs", () => {
    const nb = instructor();
    const before = JSON.stringify(nb);
    const { notebook, record, allChecks } = releaseNotebook(nb, "01-sample");
    expect(JSON.stringify(nb)).toBe(before); // the source is not touched
    const cells = notebook.cells;
    expect(cells).toHaveLength(5);
    expect(text(cells[0])).toBe("# Task\nImplement it.");
    expect(text(cells[2])).toBe(
      `function double(x: number): number {\n  ${STUB}\n}`,
    );
    expect(cells.map(text).join("\n")).not.toMatch(/secret|2 \* x/);
    expect(cells[3].metadata).toEqual({
      memnets: { homework: { check: "small", points: 2 } },
    });
    for (const cell of cells) {
      if (cell.cell_type !== "code") continue;
      expect(cell.outputs).toEqual([]);
      expect(cell.execution_count).toBeNull();
    }
    expect(notebook.metadata.memnets).toEqual({
      quick: { n: 1 },
      homework: record,
    });
    expect(record).toEqual({
      released: true,
      assignment: "01-sample",
      checks: [{ id: "small", points: 2 }],
      visiblePoints: 2,
      hiddenPoints: 3,
      cellsSha256: cellsDigest(notebook.cells),
    });
    expect(record.cellsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(allChecks).toEqual([
      { id: "small", points: 2, hidden: false },
      { id: "secret", points: 3, hidden: true },
    ]);
  });

  it.each([
    [
      "markers outside a solution cell",
      (nb: Notebook) => {
        nb.cells[1] = code("// BEGIN SOLUTION\n// END SOLUTION");
      },
      /^cell 2: "\/\/ BEGIN SOLUTION" in a cell without metadata/,
    ],
    [
      "a check whose call disagrees with its metadata points",
      (nb: Notebook) => {
        nb.cells[3] = code('check("small", 5, () => {});', {
          check: "small",
          points: 2,
        });
      },
      /^cell 4: the metadata says check "small" worth 2, the cell calls check\("small", 5/,
    ],
    [
      "a check cell that calls check twice",
      (nb: Notebook) => {
        nb.cells[3] = code(
          'check("small", 2, () => {}); check("small", 2, () => {});',
          {
            check: "small",
            points: 2,
          },
        );
      },
      /found 2 calls/,
    ],
    [
      "a duplicate check id",
      (nb: Notebook) => {
        nb.cells[4] = code('check("small", 2, () => {});', {
          check: "small",
          points: 2,
          hidden: true,
        });
      },
      /^cell 5: check id "small" used twice/,
    ],
    [
      "points that are not a positive number",
      (nb: Notebook) => {
        nb.cells[3] = code('check("small", 0, () => {});', {
          check: "small",
          points: 0,
        });
      },
      /memnets.homework.points must be a number > 0, got 0/,
    ],
    [
      "an unknown metadata key",
      (nb: Notebook) => {
        nb.cells[3].metadata = {
          memnets: { homework: { check: "small", points: 2, weight: 1 } },
        };
      },
      /unknown key memnets.homework.weight/,
    ],
    [
      "no solution cell",
      (nb: Notebook) => {
        nb.cells.splice(2, 1);
      },
      /^no solution cell/,
    ],
    [
      "no check cell",
      (nb: Notebook) => {
        nb.cells.splice(3, 2);
      },
      /^no check cell/,
    ],
    [
      "a check call in a cell without check metadata",
      (nb: Notebook) => {
        nb.cells[4] = code('check("secret", 3, () => {});');
      },
      /^cell 5: calls check\(\.\.\.\) but has no metadata memnets.homework.check/,
    ],
    [
      "hidden or points on a cell that is not a check",
      (nb: Notebook) => {
        nb.cells[1] = code("const helper = 1;", { hidden: true } as object);
      },
      /^cell 2: memnets.homework needs "solution": true or "check": ID/,
    ],
    [
      "hidden on a solution cell",
      (nb: Notebook) => {
        (nb.cells[2].metadata.memnets as { homework: object }).homework = {
          solution: true,
          hidden: true,
        };
      },
      /^cell 3: "points" and "hidden" belong to a check cell/,
    ],
    [
      "a marker that does not stand alone on its line",
      (nb: Notebook) => {
        nb.cells[0] = md(
          "Intro <!-- BEGIN INSTRUCTOR -->secret<!-- END INSTRUCTOR -->",
        );
      },
      /^cell 1, line 1: a BEGIN\/END marker must stand alone on its line/,
    ],
    [
      "an instructor block that never ends",
      (nb: Notebook) => {
        nb.cells[0] = md("<!-- BEGIN INSTRUCTOR -->\nsecret");
      },
      /^cell 1: BEGIN INSTRUCTOR never ended/,
    ],
  ])("refuses %s, naming the cell", (_, mutate, message) => {
    const nb = instructor();
    mutate(nb);
    let err: unknown;
    try {
      releaseNotebook(nb, "x");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReleaseError);
    expect((err as Error).message).toMatch(message);
  });
});

describe("releaseFiles", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "memnets-release-"));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });
  const write = async (name: string, nb: Notebook) => {
    const file = path.join(dir, name);
    await fs.writeFile(file, JSON.stringify(nb));
    return file;
  };

  it("writes each release, replaces an earlier release, never a foreign file", async () => {
    const source = await write("01-a.ipynb", instructor());
    const out = path.join(dir, "release");
    const [w] = await releaseFiles([source], out);
    expect(w.target).toBe(path.join(out, "01-a.ipynb"));
    const first = await fs.readFile(w.target, "utf8");
    expect(JSON.parse(first).metadata.memnets.homework.released).toBe(true);
    await releaseFiles([source], out); // an earlier release is replaced
    expect(await fs.readdir(out)).toEqual(["01-a.ipynb"]);
    // A student's work of the same name is not: a release with a cell
    // changed and its released metadata intact.
    const work = JSON.parse(first);
    work.cells[2].source = [
      "function double(x: number): number {\n",
      "  return x + x;\n",
      "}",
    ];
    const worked = JSON.stringify(work);
    await fs.writeFile(w.target, worked);
    await expect(releaseFiles([source], out)).rejects.toThrow(
      /exists and is not an untouched release \(a student's work, or another file\)/,
    );
    expect(await fs.readFile(w.target, "utf8")).toBe(worked);
    // Nor any other file.
    await fs.writeFile(w.target, '{"cells": [], "metadata": {}}');
    await expect(releaseFiles([source], out)).rejects.toThrow(
      /not an untouched release/,
    );
  });

  it("refuses to write over the instructor version, in its folder or through a link", async () => {
    const source = await write("01-a.ipynb", instructor());
    const before = await fs.readFile(source, "utf8");
    await expect(releaseFiles([source], dir)).rejects.toThrow(
      /is a folder of instructor versions; choose another/,
    );
    const linked = path.join(dir, "out");
    await fs.mkdir(linked);
    await fs.symlink(source, path.join(linked, "01-a.ipynb"));
    await expect(releaseFiles([source], linked)).rejects.toThrow(
      /is the instructor version itself; choose another --out/,
    );
    expect(await fs.readFile(source, "utf8")).toBe(before);
  });

  it("refuses the instructors' folder as --out, whatever the names", async () => {
    const source = await write("01-a.ipynb", instructor());
    const instructors = path.join(dir, "homework");
    await fs.mkdir(instructors);
    await expect(
      releaseFiles([source], instructors, instructors),
    ).rejects.toThrow(
      /--out .*homework: is a folder of instructor versions; choose another/,
    );
    expect(await fs.readdir(instructors)).toEqual([]);
  });

  it("writes nothing when any source is malformed or two share a name", async () => {
    const good = await write("01-a.ipynb", instructor());
    const broken = instructor();
    broken.cells.splice(2, 1);
    const bad = await write("02-b.ipynb", broken);
    const out = path.join(dir, "release");
    await expect(releaseFiles([good, bad], out)).rejects.toThrow(
      /02-b\.ipynb: no solution cell/,
    );
    await expect(fs.readdir(out)).rejects.toThrow(/ENOENT/);
    await fs.mkdir(path.join(dir, "other"));
    const twin = path.join(dir, "other", "01-a.ipynb");
    await fs.copyFile(good, twin);
    await expect(releaseFiles([good, twin], out)).rejects.toThrow(
      /would both be released as 01-a\.ipynb/,
    );
  });

  it("releases every assignment of the project by default, --out relative to where it was typed", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(root, "kernel", "dist", "cli.js"), "release", "--out", "rel"],
      { cwd: root, env: { ...process.env, INIT_CWD: dir } },
    );
    const names = (await fs.readdir(path.join(root, "notebooks", "homework")))
      .filter((n) => n.endsWith(".ipynb"))
      .sort();
    expect(names.length).toBeGreaterThanOrEqual(5);
    expect((await fs.readdir(path.join(dir, "rel"))).sort()).toEqual(names);
    expect(stdout.trim().split("\n")).toHaveLength(names.length);
  });

  it("refuses run options and names a broken file once", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const cli = path.join(root, "kernel", "dist", "cli.js");
    const fail = (args: string[]) =>
      promisify(execFile)(process.execPath, [cli, ...args]).then(
        () => "",
        (err: { stderr: string }) => err.stderr,
      );
    expect(await fail(["release", "--quick"])).toMatch(
      /release takes only files and --out \(not --quick or -p\)/,
    );
    const broken = path.join(dir, "broken.ipynb");
    await fs.writeFile(broken, "{");
    const message = await fail([
      "release",
      broken,
      "--out",
      path.join(dir, "o"),
    ]);
    expect(message.split(broken).length - 1).toBe(1);
    expect(message).toMatch(/not valid JSON/);
  });

  it("runs from the command line (memnets release --out DIR)", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const source = await write("03-c.ipynb", instructor());
    const out = path.join(dir, "rel");
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(root, "kernel", "dist", "cli.js"),
      "release",
      source,
      "--out",
      out,
    ]);
    expect(stdout).toMatch(
      /03-c\.ipynb: 1 visible checks \(2 points\), 1 hidden \(3 points\) removed/,
    );
    expect(await fs.readdir(out)).toEqual(["03-c.ipynb"]);
  });
});
