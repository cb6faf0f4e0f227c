/**
 * The whole path, as a new user takes it: `memnets run --quick` executes
 * notebooks/01-hopfield.ipynb on the real tslab kernel, writes the executed
 * copy, the report and the index, and the report opened in Chromium with no
 * network shows typeset math and drawn plots.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromiumMissing,
  offlinePage,
  type OfflineBrowser,
} from "./browser.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "kernel", "dist", "cli.js");
const source = path.join(root, "notebooks", "01-hopfield.ipynb");
const out = mkdtempSync(path.join(os.tmpdir(), "memnets-lesson-"));
const PLOTLY = "application/vnd.plotly.v1+json";

interface Cell {
  cell_type: string;
  execution_count?: number | null;
  outputs?: { output_type: string; data?: Record<string, unknown> }[];
}

let run: { stdout: string; stderr: string };
const sourceBefore = readFileSync(source, "utf8");

beforeAll(async () => {
  run = await promisify(execFile)(
    process.execPath,
    [cli, "run", source, "--quick", "--out", out],
    { cwd: root, maxBuffer: 64 * 1024 * 1024 },
  );
}, 600_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("memnets run --quick on the Hopfield lesson", () => {
  it("executes every code cell without an error", () => {
    const executed = JSON.parse(
      readFileSync(path.join(out, "01-hopfield.ipynb"), "utf8"),
    );
    expect(executed.metadata.memnets.run.status).toBe("ok");
    const code = (executed.cells as Cell[]).filter(
      (cell) => cell.cell_type === "code",
    );
    for (const cell of code) {
      expect(cell.execution_count).toBeGreaterThan(0);
      const errors = cell.outputs?.filter((o) => o.output_type === "error");
      expect(errors).toEqual([]);
    }
    expect(run.stdout).toMatch(/01-hopfield/);
  });

  it("leaves the source notebook byte for byte as it was", () => {
    expect(readFileSync(source, "utf8")).toBe(sourceBefore);
  });

  it("writes the report and an index that links to it", () => {
    expect(existsSync(path.join(out, "01-hopfield.html"))).toBe(true);
    const index = readFileSync(path.join(out, "index.html"), "utf8");
    expect(index).toContain('href="01-hopfield.html"');
  });
});

const noChromium = chromiumMissing();
// The reason for a skip goes in the suite name, so the run shows it.
const offline = noChromium
  ? `the lesson report offline (skipped: ${noChromium})`
  : "the lesson report offline";

describe.skipIf(noChromium !== null)(offline, () => {
  let browser: OfflineBrowser;
  let plotCount = 0;

  beforeAll(async () => {
    const executed = JSON.parse(
      readFileSync(path.join(out, "01-hopfield.ipynb"), "utf8"),
    );
    for (const cell of executed.cells as Cell[]) {
      for (const output of cell.outputs ?? []) {
        if (output.data && PLOTLY in output.data) plotCount++;
      }
    }
    browser = await offlinePage();
    const url = pathToFileURL(path.join(out, "01-hopfield.html")).href;
    await browser.page.goto(url, { waitUntil: "load" });
    await browser.page.evaluate(() => document.fonts.ready);
  }, 120_000);

  afterAll(async () => browser?.close());

  it("draws every plot of the lesson", async () => {
    expect(plotCount).toBeGreaterThan(2);
    const plots = browser.page.locator("div[data-mn-plot]");
    await expect.poll(() => plots.count()).toBe(plotCount);
    for (let i = 0; i < plotCount; i++) {
      await plots
        .nth(i)
        .locator(".main-svg")
        .first()
        .waitFor({ timeout: 20_000 });
    }
  });

  it("typesets the lesson's math", async () => {
    const sizes = await browser.page.$$eval(".katex", (nodes) =>
      nodes.map((node) => node.getBoundingClientRect().width),
    );
    expect(sizes.length).toBeGreaterThan(10);
    expect(sizes.every((width) => width > 0)).toBe(true);
    expect(await browser.page.locator(".katex-error").count()).toBe(0);
    // No formula left as TeX source in the prose (as `$z_j \in \{...\}$`
    // was once, in a table cell).
    const prose = await browser.page.$$eval("section.cell.md", (cells) =>
      cells.map((cell) => {
        const copy = cell.cloneNode(true) as HTMLElement;
        copy.querySelectorAll(".katex, code, pre").forEach((n) => n.remove());
        return copy.textContent ?? "";
      }),
    );
    expect(prose.filter((text) => /\$|\\[a-z]+\{/.test(text))).toEqual([]);
  });

  it("asks the network for nothing and raises no page error", () => {
    expect(browser.blocked).toEqual([]);
    expect(browser.errors).toEqual([]);
  });
});
