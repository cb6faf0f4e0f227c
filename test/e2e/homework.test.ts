/**
 * Every homework assignment, through the real runner and tslab kernel
 * (issue 8): the instructor version passes every check, visible and
 * hidden; its student release runs top to bottom without an error and
 * fails exactly its checks, each on the "not implemented" stub.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "kernel", "dist", "cli.js");
const sources = path.join(root, "notebooks", "homework");
const assignments = readdirSync(sources)
  .filter((f) => f.endsWith(".ipynb"))
  .sort();
const before = new Map(
  assignments.map((f) => [f, readFileSync(path.join(sources, f), "utf8")]),
);
// Inside the project, so that the released notebooks resolve "memnets".
const work = path.join(root, "reports", `.e2e-homework-${process.pid}`);
const CHECK_MIME = "application/vnd.memnets.check+json";
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [cli, ...args], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
}
interface Cell {
  cell_type: string;
  metadata: { memnets?: { homework?: { check?: string; points?: number } } };
  outputs?: Output[];
}
interface Nb {
  cells: Cell[];
  metadata: { memnets: { run: { status: string }; homework?: unknown } };
}
interface CheckOutput {
  id: string;
  points: number;
  passed: boolean;
  message: string;
}

const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Nb;
const checkCells = (nb: Nb) =>
  nb.cells.filter((c) => c.metadata.memnets?.homework?.check !== undefined);
/** The check result each check cell showed (exactly one per cell). */
function results(nb: Nb): CheckOutput[] {
  return checkCells(nb).map((c) => {
    const shown = (c.outputs ?? []).filter((o) => o.data?.[CHECK_MIME]);
    expect(
      shown,
      `outputs of check ${c.metadata.memnets?.homework?.check}`,
    ).toHaveLength(1);
    return shown[0].data![CHECK_MIME] as CheckOutput;
  });
}
const errors = (nb: Nb) =>
  nb.cells.flatMap((c) =>
    (c.outputs ?? []).filter((o) => o.output_type === "error"),
  );

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  const files = assignments.map((f) => path.join(sources, f));
  await run([
    "run",
    ...files,
    "--quick",
    "--out",
    path.join(work, "instructor"),
  ]);
  await run(["release", ...files, "--out", path.join(work, "release")]);
  const released = assignments.map((f) => path.join(work, "release", f));
  await run([
    "run",
    ...released,
    "--quick",
    "--out",
    path.join(work, "student"),
  ]);
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

it("has an assignment for every lesson", () => {
  const lessons = readdirSync(path.join(root, "notebooks"))
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .map((f) => f.slice(0, 2));
  expect(assignments.map((f) => f.slice(0, 2))).toEqual(lessons);
});

describe.each(assignments)("homework %s", (file) => {
  const source = () => read(path.join(sources, file));

  it("instructor version: every check, visible and hidden, passes", () => {
    const nb = read(path.join(work, "instructor", file));
    expect(nb.metadata.memnets.run.status).toBe("ok");
    expect(errors(nb)).toEqual([]);
    const all = results(nb);
    expect(all.length).toBe(checkCells(source()).length);
    expect(all.filter((r) => !r.passed)).toEqual([]);
    const hidden = checkCells(source()).filter(
      (c) => (c.metadata.memnets?.homework as { hidden?: boolean }).hidden,
    );
    expect(hidden.length, "hidden checks").toBeGreaterThan(0);
  });

  it("student release: runs to the end and fails exactly its checks, on the stubs", () => {
    const released = read(path.join(work, "release", file));
    const nb = read(path.join(work, "student", file));
    expect(nb.metadata.memnets.run.status).toBe("ok");
    expect(errors(nb)).toEqual([]);
    const all = results(nb);
    const record = released.metadata.memnets.homework as {
      checks: { id: string; points: number }[];
    };
    expect(all.map((r) => ({ id: r.id, points: r.points }))).toEqual(
      record.checks,
    );
    for (const r of all) {
      expect(r, r.id).toMatchObject({
        passed: false,
        message: "not implemented yet",
      });
    }
    // No hidden check and no solution text reached the student.
    const text = JSON.stringify(released);
    for (const c of checkCells(source())) {
      const hw = c.metadata.memnets!.homework as {
        check: string;
        hidden?: boolean;
      };
      expect(text.includes(`"${hw.check}"`), hw.check).toBe(!hw.hidden);
    }
    expect(text).not.toMatch(/BEGIN SOLUTION|BEGIN INSTRUCTOR/);
  });

  it("leaves the instructor version byte for byte as it was", () => {
    expect(readFileSync(path.join(sources, file), "utf8")).toBe(
      before.get(file),
    );
  });
});
