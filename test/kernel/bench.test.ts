/**
 * `npm run bench -- --quick` end to end, as CI runs it: the built CLI on a
 * temporary output folder writes bench.json (every row, with samples),
 * bench.html (offline) and an index.html that links it. Peers that ran get
 * ratios; peers that did not say why. Needs the build (`npm test` builds).
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../../kernel/src/bench/run.js";
import { scriptHash } from "../../kernel/src/export/assets.js";
import { escapeHtml } from "../../kernel/src/export/html.js";
import { executableScripts, remoteReferences } from "./export-helpers.js";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = path.join(root, "kernel", "dist", "bench", "cli.js");
const work = mkdtempSync(path.join(os.tmpdir(), "memnets-bench-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function bench(args: string[], out: string) {
  return run(process.execPath, [cli, ...args, "--out", out], {
    cwd: root,
    maxBuffer: 16 * 2 ** 20,
    timeout: 240_000,
  });
}

const readReport = (out: string) =>
  JSON.parse(readFileSync(path.join(out, "bench.json"), "utf8")) as BenchReport;

describe("npm run bench -- --quick", () => {
  const out = path.join(work, "quick");
  let stdout = "";
  let report: BenchReport;

  beforeAll(async () => {
    expect(existsSync(cli), `${cli} missing: run npm run build`).toBe(true);
    ({ stdout } = await bench(["--quick"], out));
    report = readReport(out);
  }, 300_000);

  it("writes every row with its samples and the machine it ran on", () => {
    expect(report.mode).toBe("quick");
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.node).toBe(process.version);
    const ours = report.rows.filter((r) => r.ours);
    expect(ours.length).toBeGreaterThan(0);
    for (const row of ours) {
      expect(row.status, `${row.name}: ${row.reason}`).toBe("ok");
    }
    for (const row of report.rows.filter((r) => r.status === "ok")) {
      expect(row.samples.length).toBeGreaterThanOrEqual(
        report.policy.minRepeats,
      );
      const { median, min, max } = row.summary!;
      expect(min).toBeLessThanOrEqual(median);
      expect(median).toBeLessThanOrEqual(max);
    }
  });

  it("gives our rows a ratio to every peer measured on the same case", () => {
    const peersRan = report.rows.filter((r) => !r.ours && r.summary);
    for (const peer of peersRan) {
      const ours = report.rows.find(
        (r) =>
          r.ours &&
          r.group === peer.group &&
          r.name === peer.name &&
          r.threads === peer.threads,
      );
      if (!ours) continue;
      const ratio = ours.ratios.find((r) => r.peer === peer.implementation);
      expect(ratio, `${peer.name} ${peer.implementation}`).toBeDefined();
      // A speed ratio: rates compare directly, times inversely (s/epoch).
      const [o, p] = [ours.summary!.median, peer.summary!.median];
      const expected = ours.unit.kind === "rate" ? o / p : p / o;
      expect(ratio!.value).toBeCloseTo(expected, 10);
      expect(stdout).toContain(`ours/${peer.implementation} `);
    }
  });

  it("says why each peer row that did not run was skipped", () => {
    for (const row of report.rows.filter((r) => r.status !== "ok")) {
      expect(row.reason, `${row.name} ${row.implementation}`).toMatch(/\S/);
    }
  });

  it("marks the issue's targets in the JSON and the terminal table", () => {
    expect(report.targets.length).toBeGreaterThan(0);
    expect(stdout).toContain("Targets");
  });

  it("writes an HTML page that loads nothing from the network", () => {
    const html = readFileSync(path.join(out, "bench.html"), "utf8");
    expect(html).toContain("Content-Security-Policy");
    expect(html).toContain("default-src &#39;none&#39;");
    expect(html).toContain('class="bench-chart"');
    // No element or stylesheet fetches a remote resource.
    expect(remoteReferences(html)).toEqual([]);
    // ...and the check would see one if it were there.
    const planted = html.replace("</main>", '<img src="https://x.test/a.png">');
    expect(remoteReferences(planted)).toEqual(["https://x.test/a.png"]);
    // Every script that runs is allowed by hash in the policy.
    const scripts = executableScripts(html);
    expect(scripts).toHaveLength(2);
    for (const script of scripts) {
      // The policy sits in an attribute, so its quotes are escaped.
      expect(html).toContain(escapeHtml(scriptHash(script)));
    }
  });

  it("links the benchmark from index.html", () => {
    const index = readFileSync(path.join(out, "index.html"), "utf8");
    expect(index).toContain('href="bench.html"');
  });
});

describe("npm run bench -- --no-peers", () => {
  it("runs our rows only and marks each peer row as turned off", async () => {
    const out = path.join(work, "ours");
    await bench(["--quick", "--no-peers", "--only", "sigmoid"], out);
    const report = readReport(out);
    expect(report.rows.length).toBeGreaterThan(0);
    for (const row of report.rows) {
      expect(row.name).toMatch(/sigmoid/);
      if (row.ours) expect(row.status).toBe("ok");
      else expect(row.reason).toBe("peers turned off (--no-peers)");
    }
  }, 120_000);

  it("says what is wrong with a bad option", async () => {
    const failed = await bench(["--only", "("], path.join(work, "bad")).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain("--only expects a regular expression");
  });
});
