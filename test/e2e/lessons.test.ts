/**
 * Every lesson after the first (which lesson.test.ts covers in depth) runs
 * in CI through the real runner and tslab kernel in its quick setting: the
 * same cells with less work. A lesson's own checks throw inside the
 * notebook, so a status of "ok" means every numeric check it makes passed.
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "kernel", "dist", "cli.js");
const notebooks = path.join(root, "notebooks");
const lessons = readdirSync(notebooks)
  .filter((f) => /^\d\d-.*\.ipynb$/.test(f) && !f.startsWith("01-"))
  .sort();
const out = mkdtempSync(path.join(os.tmpdir(), "memnets-lessons-"));
const PLOTLY = "application/vnd.plotly.v1+json";

interface Output {
  output_type: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}

const join = (s: string | string[] | undefined) =>
  Array.isArray(s) ? s.join("") : (s ?? "");
const sources = new Map(
  lessons.map((f) => [f, readFileSync(path.join(notebooks, f), "utf8")]),
);

beforeAll(async () => {
  await promisify(execFile)(
    process.execPath,
    [
      cli,
      "run",
      ...lessons.map((f) => path.join(notebooks, f)),
      "--quick",
    ].concat(["--out", out]),
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
}, 900_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.each(lessons)("lesson %s in its quick setting", (file) => {
  const executed = () =>
    JSON.parse(readFileSync(path.join(out, file), "utf8")) as {
      cells: Cell[];
      metadata: { memnets: { run: { status: string } } };
    };

  it("runs every code cell, and every check in it, without an error", () => {
    const nb = executed();
    expect(nb.metadata.memnets.run.status).toBe("ok");
    for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
      expect(cell.execution_count).toBeGreaterThan(0);
      const errors = cell.outputs?.filter((o) => o.output_type === "error");
      expect(errors, join(cell.source).slice(0, 80)).toEqual([]);
    }
  });

  it("draws plotly figures and writes its report", () => {
    const figures = executed()
      .cells.flatMap((c) => c.outputs ?? [])
      .filter((o) => o.data?.[PLOTLY] !== undefined);
    expect(figures.length).toBeGreaterThanOrEqual(3);
    const name = file.replace(/\.ipynb$/, ".html");
    expect(existsSync(path.join(out, name))).toBe(true);
    expect(readFileSync(path.join(out, "index.html"), "utf8")).toContain(
      `href="${name}"`,
    );
  });

  it("states and checks each erratum its section lists", () => {
    const nb = executed();
    const text = nb.cells
      .map((c) => join(c.source) + c.outputs?.map((o) => join(o.text)))
      .join("\n");
    const listed = ERRATA[file.slice(0, 2)] ?? [];
    for (const n of listed) {
      // The markdown names the erratum; a code cell checks it by number.
      expect(text, `erratum ${n}`).toMatch(new RegExp(`\\*\\*Erratum ${n}\\b`));
      expect(text, `erratum ${n} check`).toMatch(
        new RegExp(`check\\([\\s\\S]{0,400}erratum ${n}\\b`),
      );
    }
  });

  it("leaves the source notebook byte for byte as it was", () => {
    expect(readFileSync(path.join(notebooks, file), "utf8")).toBe(
      sources.get(file),
    );
  });
});

/** Errata of OUTLINE.md each lesson must show, by lesson number. */
const ERRATA: Record<string, number[]> = {
  "02": [1, 2, 3, 4, 5, 6, 8],
  "03": [7],
};
