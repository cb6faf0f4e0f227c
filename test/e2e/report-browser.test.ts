/**
 * A report opened in real Chromium: both plots draw, math is typeset with
 * KaTeX's own fonts, the error shows, and the page asks the network for
 * nothing (every request other than file:, data:, about: and blob: is
 * recorded and aborted).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileAtomic } from "../../kernel/src/atomic.js";
import { renderReport } from "../../kernel/src/export/index.js";
import {
  chromiumMissing,
  offlinePage,
  type OfflineBrowser,
} from "./browser.js";

const skip = chromiumMissing();
const fixture = new URL("../fixtures/executed/showcase.ipynb", import.meta.url);

// The reason for a skip goes in the suite name, so the run shows it.
const suite = skip
  ? `report in Chromium (skipped: ${skip})`
  : "report in Chromium";

describe.skipIf(skip !== null)(suite, () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "memnets-report-"));
  const page = path.join(work, "showcase.html");
  let browser: OfflineBrowser;

  beforeAll(async () => {
    const nb = JSON.parse(readFileSync(fixture, "utf8"));
    await writeFileAtomic(
      page,
      renderReport(nb, { sourcePath: "showcase.ipynb" }),
    );
    browser = await offlinePage();
    await browser.page.goto(pathToFileURL(page).href, { waitUntil: "load" });
    await browser.page.evaluate(() => document.fonts.ready);
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("draws every plot", async () => {
    const plots = browser.page.locator("div[data-mn-plot]");
    await expect.poll(() => plots.count()).toBe(2);
    for (let i = 0; i < 2; i++) {
      await plots
        .nth(i)
        .locator(".main-svg")
        .first()
        .waitFor({ timeout: 15_000 });
      const box = await plots.nth(i).boundingBox();
      expect(box?.height ?? 0).toBeGreaterThan(100);
    }
    expect(await browser.page.locator(".plot-failed").count()).toBe(0);
  });

  it("typesets math with KaTeX fonts loaded from the page", async () => {
    const sizes = await browser.page.$$eval(".katex", (nodes) =>
      nodes.map((n) => {
        const r = n.getBoundingClientRect();
        return r.width * r.height;
      }),
    );
    expect(sizes.length).toBeGreaterThanOrEqual(5);
    expect(sizes.every((area) => area > 0)).toBe(true);
    const fonts = await browser.page.evaluate(() => {
      const loaded: string[] = [];
      document.fonts.forEach((face) => {
        if (face.status === "loaded")
          loaded.push(face.family.replace(/"/g, ""));
      });
      return loaded;
    });
    expect(fonts).toContain("KaTeX_Main");
    expect(fonts).toContain("KaTeX_Math");
    const checked = await browser.page.evaluate(() =>
      document.fonts.check('16px "KaTeX_Math"'),
    );
    expect(checked).toBe(true);
  });

  it("shows the failing cell's error and the cells not run", async () => {
    const error = browser.page.locator(".out-error");
    await expect.poll(() => error.count()).toBe(1);
    expect(await error.innerText()).toContain("TypeError");
    expect(await browser.page.locator(".prompt.not-run").count()).toBe(2);
  });

  it("makes no network request and logs no error", () => {
    expect(browser.blocked).toEqual([]);
    expect(browser.requests).toEqual([pathToFileURL(page).href]);
    expect(browser.errors).toEqual([]);
  });
});
