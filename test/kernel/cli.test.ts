/**
 * The command line as a user meets it: it never replaces a notebook it did
 * not write, it leaves no kernel behind when stopped by a signal, and it
 * says what is wrong with its arguments.
 */
import { execFile, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { installKernel } from "../../kernel/src/kernelspec.js";
import { checkTargets, writeIndex } from "../../kernel/src/lessons.js";
import { summaryTable } from "../../kernel/src/progress.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "kernel", "dist", "cli.js");
const fixtures = path.join(root, "test", "fixtures", "notebooks");
const work = mkdtempSync(path.join(os.tmpdir(), "memnets-cli-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI; resolves with its exit code and output, never rejects. */
function runCli(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>(
    (resolve) => {
      execFile(process.execPath, [cli, ...args], (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      });
    },
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Child processes of `pid`, read from /proc (Linux). */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((child) => {
      try {
        const stat = readFileSync(`/proc/${child}/stat`, "utf8");
        return (
          Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid
        );
      } catch {
        return false;
      }
    });
}

describe("memnets run never replaces what a user wrote", () => {
  it("refuses an output folder that holds a same-named source notebook", async () => {
    const mine = path.join(work, "mine");
    const other = path.join(work, "other");
    mkdirSync(mine, { recursive: true });
    mkdirSync(other, { recursive: true });
    cpSync(path.join(fixtures, "pass.ipynb"), path.join(mine, "pass.ipynb"));
    cpSync(path.join(fixtures, "fail.ipynb"), path.join(other, "pass.ipynb"));
    const before = readFileSync(path.join(mine, "pass.ipynb"), "utf8");
    const result = await runCli([
      "run",
      path.join(other, "pass.ipynb"),
      "--out",
      mine,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/refusing to replace .*pass\.ipynb/);
    expect(readFileSync(path.join(mine, "pass.ipynb"), "utf8")).toBe(before);
  });

  it("refuses to replace the executed copy of another notebook of the same name", async () => {
    const out = path.join(work, "same-name");
    mkdirSync(out, { recursive: true });
    const lesson = path.join(root, "notebooks", "01-hopfield.ipynb");
    const homework = path.join(
      root,
      "notebooks",
      "homework",
      "01-hopfield.ipynb",
    );
    // An executed copy recorded as coming from the lesson.
    const copy = JSON.parse(readFileSync(lesson, "utf8"));
    copy.metadata.memnets = {
      run: { status: "ok", source: "notebooks/01-hopfield.ipynb" },
    };
    writeFileSync(path.join(out, "01-hopfield.ipynb"), JSON.stringify(copy));
    await expect(checkTargets([homework], out)).rejects.toThrow(
      /it is the executed copy of notebooks\/01-hopfield\.ipynb, not of notebooks\/homework\/01-hopfield\.ipynb/,
    );
    await expect(checkTargets([lesson], out)).resolves.toBeUndefined();
  });

  it("refuses lessons and homework in one run without --out", async () => {
    const homework = path.join(
      root,
      "notebooks",
      "homework",
      "01-hopfield.ipynb",
    );
    const lesson = path.join(root, "notebooks", "01-hopfield.ipynb");
    const mixed = await runCli(["run", lesson, homework]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(
      /lessons and homework notebooks in one run: run them separately, or give --out/,
    );
  });

  it("refuses an output folder that links to the source's folder", async () => {
    const src = path.join(work, "src");
    mkdirSync(src, { recursive: true });
    cpSync(path.join(fixtures, "pass.ipynb"), path.join(src, "pass.ipynb"));
    const link = path.join(work, "link");
    symlinkSync(src, link);
    await expect(
      checkTargets([path.join(src, "pass.ipynb")], link),
    ).rejects.toThrow(/refusing to replace/);
  });

  it("refuses two notebooks of one name in one run", async () => {
    await expect(
      checkTargets(["/a/x.ipynb", "/b/x.ipynb"], path.join(work, "out")),
    ).rejects.toThrow(/would both write x\.ipynb/);
  });

  it("refuses to export over a notebook", async () => {
    const result = await runCli([
      "export",
      path.join(fixtures, "pass.ipynb"),
      "--out",
      path.join(work, "pass.ipynb"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--out must name an \.html file/);
  });
});

describe("memnets run stopped by a signal", () => {
  it("kills the kernel and removes its connection folder on SIGTERM", async () => {
    const out = path.join(work, "signal-out");
    const child = spawn(process.execPath, [
      cli,
      "run",
      path.join(fixtures, "hang.ipynb"),
      "--out",
      out,
    ]);
    let stdout = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    // Wait until the kernel runs the hanging cell.
    const deadline = Date.now() + 60_000;
    let kernels: number[] = [];
    while (Date.now() < deadline) {
      kernels = childrenOf(child.pid as number);
      if (kernels.length > 0 && /cell 1\//.test(stdout)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(kernels.length).toBe(1);
    const cmdline = readFileSync(`/proc/${kernels[0]}/cmdline`, "utf8").split(
      "\0",
    );
    const connection = cmdline[cmdline.indexOf("--config-path") + 1];
    expect(existsSync(connection)).toBe(true);

    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    for (let i = 0; i < 50 && alive(kernels[0]); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive(kernels[0])).toBe(false);
    expect(existsSync(path.dirname(connection))).toBe(false);
  }, 90_000);
});

describe("memnets command line arguments", () => {
  it("prints the usage for an unknown option", async () => {
    const result = await runCli(["run", "--fast"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--fast'/);
    expect(result.stderr).toMatch(/usage:/);
  });

  it("prints the usage for --help and -h before or after a command", async () => {
    for (const args of [["--help"], ["-h"], ["help"], ["run", "--help"]]) {
      const result = await runCli(args);
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.stdout, args.join(" ")).toMatch(/usage:\n {2}memnets run/);
    }
  });

  it("rejects a kernel name that would leave the kernels folder", async () => {
    await expect(installKernel({ prefix: work, name: ".." })).rejects.toThrow(
      /name must be/,
    );
    expect(existsSync(path.join(work, "share", "jupyter", "kernel.json"))).toBe(
      false,
    );
  });
});

describe("the course index", () => {
  it("lists a lesson whose executed copy is damaged instead of failing", async () => {
    const out = path.join(work, "index-out");
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "01-hopfield.ipynb"), "{ not json");
    await writeIndex(out);
    const index = readFileSync(path.join(out, "index.html"), "utf8");
    expect(index).toMatch(/unreadable/);
  });
});

describe("the summary table", () => {
  it("aligns columns without quotes or an index column", () => {
    const table = summaryTable([
      { name: "01-hopfield", cells: "18/18", durationMs: 14500, status: "ok" },
      { name: "02", cells: "-", durationMs: 0, status: "not run" },
    ]);
    expect(table.split("\n")).toEqual([
      "notebook     cells  time    status",
      "-----------  -----  ------  -------",
      "01-hopfield  18/18  14.5 s  ok",
      "02           -      0.0 s   not run",
    ]);
  });
});
