/**
 * The Hopfield lesson runs in real Jupyter: Debian's `jupyter nbconvert
 * --execute` starts the tslab kernel through our kernelspec, in notebooks/,
 * exactly as JupyterLab or VS Code would.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { installKernel } from "../../kernel/src/kernelspec.js";
import { missingTool } from "../helpers/system.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const nbconvert = "/usr/bin/jupyter-nbconvert";
const skip = missingTool(nbconvert);
const work = mkdtempSync(path.join(os.tmpdir(), "memnets-jupyter-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

// The reason for a skip goes in the suite name, so the run shows it.
const suite = skip
  ? `real Jupyter (skipped: ${skip})`
  : "real Jupyter (nbconvert --execute)";

describe.skipIf(skip !== null)(suite, () => {
  it("executes notebooks/01-hopfield.ipynb on the tslab kernelspec", async () => {
    await installKernel({ prefix: work });
    const output = path.join(work, "01-hopfield.executed.ipynb");
    const run = await promisify(execFile)(
      nbconvert,
      [
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=tslab",
        "--ExecutePreprocessor.timeout=600",
        "--output",
        output,
        "01-hopfield.ipynb",
      ],
      {
        cwd: path.join(root, "notebooks"),
        env: {
          ...process.env,
          JUPYTER_PATH: path.join(work, "share", "jupyter"),
          JUPYTER_DATA_DIR: path.join(work, "data"),
          JUPYTER_RUNTIME_DIR: path.join(work, "runtime"),
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(run.stderr).not.toMatch(/CellExecutionError/);
    const executed = JSON.parse(readFileSync(output, "utf8"));
    const code = executed.cells.filter(
      (cell: { cell_type: string }) => cell.cell_type === "code",
    );
    expect(code.length).toBeGreaterThan(5);
    // nbconvert exits non-zero on a failed cell (execFile would reject), and
    // no cell may hold an error output. Execution counts are not checked:
    // nbclient takes them from execute_input, which tslab never sends.
    const outputs: { output_type: string }[] = code.flatMap(
      (cell: { outputs: { output_type: string }[] }) => cell.outputs,
    );
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);
    const silent = code.filter(
      (cell: { outputs: unknown[] }) => cell.outputs.length === 0,
    );
    expect(silent.length).toBeLessThan(code.length / 4);
    const withPlot = code.filter((cell: { outputs: { data?: object }[] }) =>
      cell.outputs.some(
        (out) => out.data && "application/vnd.plotly.v1+json" in out.data,
      ),
    );
    expect(withPlot.length).toBeGreaterThan(0);
  }, 900_000);
});
