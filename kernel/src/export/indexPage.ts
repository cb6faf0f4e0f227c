/**
 * reports/index.html: the course's table of lessons, linking each report,
 * with room for extra pages (a benchmark page, say). Self-contained like
 * the reports: inline CSS (KaTeX's too when a title holds math), no
 * script, no network.
 */
import { katexCss } from "./assets.js";
import { escapeHtml } from "./html.js";
import { titleHtml } from "./markdown.js";
import { contentSecurityPolicy, renderHead } from "./page.js";
import { formatDate, formatDuration, statusClass } from "./runinfo.js";
import { REPORT_CSS } from "./style.js";

/** One lesson row of the index. */
export interface IndexEntry {
  /**
   * The lesson's title as markdown (its first heading's text); shown
   * rendered, math typeset, like the report's own header.
   */
  title: string;
  /** Link to the lesson's report, relative to index.html. */
  href: string;
  status: "ok" | "failed" | "timeout" | "died" | string;
  /** Code cells that ran (have an execution count). */
  cellsRun: number;
  /** Code cells with source in the notebook. */
  codeCells: number;
  durationMs: number;
  /** The lesson's source notebook, as the reader would find it. */
  sourcePath: string;
}

export interface IndexOptions {
  /** Page title; default "memnets lessons". */
  title?: string;
  /** Further pages listed under the lessons. */
  extraLinks?: { title: string; href: string; note?: string }[];
  /** Shown in the footer; default: now. */
  generatedAt?: Date;
}

/** A link target a reader may follow: relative, fragment, or http(s). */
function safeHref(href: string, argument: string): string {
  if (/^\s*(javascript|vbscript|data):/i.test(href)) {
    throw new RangeError(
      `renderIndex: ${argument} must be a page link, got ${JSON.stringify(href)}`,
    );
  }
  return escapeHtml(href);
}

function renderRow(entry: IndexEntry, i: number, title: string): string {
  const status = escapeHtml(entry.status);
  return (
    `<tr><td class="num">${i + 1}</td>` +
    `<td><a href="${safeHref(entry.href, `entries[${i}].href`)}">` +
    `${title || escapeHtml(entry.href)}</a><br>` +
    `<code class="src">` +
    `${escapeHtml(entry.sourcePath)}</code></td>` +
    `<td><span class="status ${statusClass(entry.status)}">${status}</span></td>` +
    `<td class="num">${entry.cellsRun} / ${entry.codeCells}</td>` +
    `<td class="num">${formatDuration(entry.durationMs)}</td></tr>`
  );
}

function renderExtra(links: NonNullable<IndexOptions["extraLinks"]>): string {
  if (links.length === 0) return "";
  const items = links.map((link, i) => {
    const href = safeHref(link.href, `extraLinks[${i}].href`);
    const note = link.note ? ` — ${escapeHtml(link.note)}` : "";
    return `<li><a href="${href}">${escapeHtml(link.title)}</a>${note}</li>`;
  });
  return `<h2>More</h2><ul class="extra">${items.join("")}</ul>`;
}

/** The index page listing every lesson report. */
export function renderIndex(
  entries: IndexEntry[],
  options: IndexOptions = {},
): string {
  if (!Array.isArray(entries)) {
    throw new TypeError(`renderIndex: entries must be an array`);
  }
  const title = options.title ?? "memnets lessons";
  const failed = entries.filter((e) => e.status !== "ok").length;
  const summary = failed
    ? `<span class="status status-bad">${failed} of ${entries.length} ` +
      `lessons did not finish cleanly</span>`
    : `<span class="status status-ok">all ${entries.length} lessons ran</span>`;
  const total = entries.reduce((sum, e) => sum + e.durationMs, 0);
  const generated = formatDate(options.generatedAt ?? new Date());
  const titles = entries.map((e) => titleHtml(e.title));
  // KaTeX's stylesheet (~300 kB with fonts) only when a title has math.
  const hasMath = titles.some((t) => t.includes('class="katex'));
  const css = hasMath ? [REPORT_CSS, katexCss()] : [REPORT_CSS];

  return `<!doctype html>
<html lang="en">
<head>
${renderHead(title, contentSecurityPolicy([]), css)}
</head>
<body>
<header class="page">
<h1>${escapeHtml(title)}</h1>
<p class="run-line">${summary} · total run time ${formatDuration(total)}</p>
</header>
<main>
<table class="lessons">
<thead><tr><th>#</th><th>Lesson</th><th>Status</th>
<th>Cells run</th><th>Run time</th></tr></thead>
<tbody>
${entries.map((e, i) => renderRow(e, i, titles[i])).join("\n")}
</tbody>
</table>
${renderExtra(options.extraLinks ?? [])}
</main>
<footer class="page">Generated ${escapeHtml(generated)}.</footer>
</body>
</html>
`;
}
