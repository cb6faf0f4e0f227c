/**
 * Headless Chromium for end-to-end tests of generated pages.
 *
 * Uses Debian's /usr/bin/chromium through playwright-core (no browser
 * download), a fresh profile per launch, and flags that keep the browser
 * itself from calling home. `offlinePage` also aborts every request that is
 * not for a local file or inline data, and records all of them, so a test
 * can assert that a page made no network request.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { missingTool } from "../helpers/system.js";

export const CHROMIUM = "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Why browser tests must skip (Chromium absent), or null to run them.
 * Throws under CI=true, where a missing browser is a broken setup.
 */
export function chromiumMissing(): string | null {
  return missingTool(CHROMIUM);
}

export interface OfflineBrowser {
  context: BrowserContext;
  page: Page;
  /** Every URL the page asked for, in order, including aborted ones. */
  requests: string[];
  /** URLs that were aborted because they were not local. */
  blocked: string[];
  /** Messages the page logged at level error, and uncaught page errors. */
  errors: string[];
  close(): Promise<void>;
}

const LOCAL = /^(file|data|about|blob):/i;

/** Launch Chromium with a fresh profile and one page that cannot go online. */
export async function offlinePage(
  viewport = { width: 1100, height: 900 },
): Promise<OfflineBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "memnets-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
  });
  const requests: string[] = [];
  const blocked: string[] = [];
  const errors: string[] = [];
  await context.route("**/*", async (route) => {
    const url = route.request().url();
    if (LOCAL.test(url)) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, requests, blocked, errors, close };
}
