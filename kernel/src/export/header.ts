/**
 * The parts of a report's header that read the notebook: its title, the
 * banner about error outputs and the run's status, and the contents list.
 */
import path from "node:path";
import { escapeHtml } from "./html.js";
import { plainTitle, titleHtml, type Heading } from "./markdown.js";
import type { RunInfo } from "./runinfo.js";

/** What the header and banner need to know about one rendered cell. */
export interface CellState {
  failed: boolean;
  notRun: boolean;
  executionCount?: number;
}

/** A page title: inline HTML for the <h1>, plain text for <title>. */
export interface PageTitle {
  html: string;
  text: string;
}

/**
 * The title from `title` (markdown, e.g. the first heading's text), else
 * the first `# ` heading, else the file name, else "Notebook".
 */
export function pageTitle(
  headings: Heading[],
  title: string | undefined,
  sourcePath: string | undefined,
): PageTitle {
  const text = title === undefined ? "" : plainTitle(title);
  if (title !== undefined && text) return { html: titleHtml(title), text };
  const h1 = headings.find((h) => h.depth === 1);
  if (h1 && h1.text) return { html: h1.html, text: h1.text };
  // A file name is shown as it is, not read as markdown.
  const name = sourcePath ? path.basename(sourcePath, ".ipynb") : "Notebook";
  return { html: escapeHtml(name), text: name };
}

/**
 * Nested <ul> lists of headings down to level 3. No numbers: lesson
 * headings carry their own ("1. The Hopfield network"), and an <ol> put a
 * second number before them. A heading deeper than the one before opens a
 * list inside it (a skipped level opens just one); a shallower one closes
 * lists until it is deeper than the enclosing list's level.
 */
export function renderToc(headings: Heading[]): string {
  const shown = headings.filter((h) => h.depth <= 3);
  if (shown.length < 2) return "";
  const open: number[] = [];
  let html = "";
  for (const h of shown) {
    if (open.length === 0 || h.depth > open[open.length - 1]) {
      html += "<ul>";
      open.push(h.depth);
    } else {
      html += "</li>";
      // Close lists until the heading is deeper than the parent list's.
      while (open.length > 1 && h.depth <= open[open.length - 2]) {
        html += "</ul></li>";
        open.pop();
      }
      open[open.length - 1] = Math.min(open[open.length - 1], h.depth);
    }
    html += `<li><a href="#${h.id}">${h.html}</a>`;
  }
  html += "</li>" + "</ul></li>".repeat(open.length - 1) + "</ul>";
  return `<nav class="toc"><strong>Contents</strong>${html}</nav>`;
}

/** Links to the cells at `indices` (0-based): "In [3]", else "cell 4". */
function cellLinks(cells: CellState[], indices: number[]): string {
  return indices
    .map((i) => {
      const count = cells[i].executionCount;
      const label = count === undefined ? `cell ${i + 1}` : `In [${count}]`;
      return `<a href="#cell-${i + 1}">${label}</a>`;
    })
    .join(", ");
}

function banner(text: string): string {
  return `<div class="banner" role="alert">${text}</div>`;
}

/**
 * The banner naming cells with error outputs, or the bad status of the
 * run. Only a run record tells how a run went: without one the banner
 * states what the notebook holds and nothing more.
 */
export function renderBanner(
  cells: CellState[],
  run: RunInfo | undefined,
): string {
  const failed = cells.flatMap((c, i) => (c.failed ? [i] : []));
  const notRun = cells.filter((c) => c.notRun).length;
  const links = cellLinks(cells, failed);
  const plural = failed.length > 1 ? "s" : "";
  const carries =
    `This notebook carries ` +
    `${plural ? "error outputs" : "an error output"} in ${links}`;

  if (!run) return failed.length ? banner(`${carries}.`) : "";
  const status = run.status;
  if (status === "failed" && failed.length) {
    // The run stops at the first error it does not allow: the last one.
    const last = cellLinks(cells, [failed[failed.length - 1]]);
    const skipped = notRun
      ? ` ${notRun} code cell(s) after it were not run.`
      : "";
    return banner(`This run stopped with an error in ${last}.${skipped}`);
  }
  const errors = failed.length ? ` Error output${plural} in ${links}.` : "";
  if (status === "errors") {
    return banner(`This run went on past errors it was allowed.${errors}`);
  }
  if (status !== undefined && status !== "ok") {
    const skipped = notRun ? ` ${notRun} code cell(s) were not run.` : "";
    return banner(`Run status: ${escapeHtml(status)}.${errors}${skipped}`);
  }
  // A record that says ok (or nothing) beside an error output: state both.
  const said = status === undefined ? "no status" : `status ${status}`;
  return failed.length
    ? banner(`${carries}; its run record gives ${escapeHtml(said)}.`)
    : "";
}
