/**
 * What the grader writes for people (issue 9): the feedback page a student
 * receives, and the instructor's class summary as CSV and as a page with a
 * histogram of scores.
 *
 * Every string in a GradeResult is untrusted (a student picks the file
 * name and makes the error messages), so all of it is escaped; pages are
 * self-contained (inline CSS, no script, no network, a CSP that forbids
 * loads). The feedback page never shows `run` (it holds the hidden checks'
 * source), the messages of hidden checks (they would give their cases
 * away) or the review flags (for instructors). Pure functions, no file IO.
 */
import { escapeHtml } from "../export/html.js";
import { contentSecurityPolicy, renderHead } from "../export/page.js";
import { formatDate, formatDuration } from "../export/runinfo.js";
import { REPORT_CSS } from "../export/style.js";
import type { CheckVerdict, GradeResult } from "./grade.js";

/** The batch run behind a class summary. */
export interface BatchInfo {
  /** ISO date the batch started. */
  startedAt: string;
  /** Wall-clock time of the whole batch. */
  durationMs: number;
  /** Submissions graded in parallel. */
  jobs: number;
  sandboxed: boolean;
  limits: {
    memoryMb: number;
    diskMb: number;
    outputMb: number;
    cellTimeoutS: number;
    timeoutS: number;
  };
}

const GRADE_CSS = `
table.grade { border-collapse: collapse; width: 100%; margin: 1rem 0; }
table.grade th, table.grade td {
  text-align: left; vertical-align: top; padding: 0.4rem 0.6rem;
  border-bottom: 1px solid var(--rule);
}
table.grade td.num {
  text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums;
}
table.grade tr.zero td { background: var(--err-bg); }
table.grade tr.zero td:first-child { border-left: 4px solid var(--bad); }
pre.msg { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.8rem; }
.score { font-size: 1.4rem; font-weight: 600; }
.passed { color: var(--ok); } .failed, .zero-tag { color: var(--bad); }
.not-run { color: #9a6700; }
.banner.warn { border-left-color: #9a6700; background: var(--warn-bg); }
svg.histogram {
  width: 100%; max-width: 36rem; height: auto; font: 12px sans-serif;
}
svg.histogram rect { fill: #0969da; }
svg.histogram line { stroke: var(--ink); }
`;

/** The file name without `.ipynb`, safe as one folder name. */
export function submissionStem(fileName: string): string {
  if (typeof fileName !== "string") {
    throw new TypeError(
      `submissionStem: fileName must be a string, got ${typeof fileName}`,
    );
  }
  const stem = fileName
    .replace(/\.ipynb$/i, "")
    // Letters and digits of any script stay (students' names in Cyrillic).
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._-]/gu, "_");
  // "", "." and ".." would name no folder or a parent.
  return /^\.*$/.test(stem) ? stem.replace(/\./g, "_") || "_" : stem;
}

/** Score percent, or null with nothing to score (an unreadable file is 0). */
function percentOf(r: GradeResult): number | null {
  // score * 100 first: 7 / 10 * 100 is 70.00000000000001, 700 / 10 is 70.
  if (r.maxScore > 0) return (r.score * 100) / r.maxScore;
  return r.status === "zero" ? 0 : null;
}

const fixed1 = (x: number | null) => (x === null ? "—" : x.toFixed(1));
const points = (x: number) => String(Math.round(x * 100) / 100);

function page(title: string, body: string[]): string {
  const css = [REPORT_CSS, GRADE_CSS];
  return [
    `<!doctype html>\n<html lang="en">\n<head>`,
    renderHead(title, contentSecurityPolicy([]), css),
    `</head>\n<body>`,
    ...body,
    `</body>\n</html>\n`,
  ].join("\n");
}

function table(head: string[], rows: string[]): string {
  const th = head.map((h) => `<th>${h}</th>`).join("");
  return (
    `<table class="grade"><thead><tr>${th}</tr></thead>\n` +
    `<tbody>\n${rows.join("\n")}\n</tbody></table>`
  );
}

function list(items: string[], empty: string): string {
  if (items.length === 0) return `<p>${empty}</p>`;
  return `<ul>${items.map((i) => `<li>${i}</li>`).join("")}</ul>`;
}

function checkRow(v: CheckVerdict): string {
  const [cls, word] = !v.ran
    ? ["not-run", "not run"]
    : v.passed
      ? ["passed", "passed"]
      : ["failed", "failed"];
  let message = "";
  if (v.ran && !v.passed) {
    message = v.hidden
      ? "(the messages of hidden checks are not shown)"
      : `<pre class="msg">${escapeHtml(v.message)}</pre>`;
  }
  return (
    `<tr><td><code>${escapeHtml(v.id)}</code></td>` +
    `<td>${v.hidden ? "hidden" : "visible"}</td>` +
    `<td class="num">${points(v.points)}</td>` +
    `<td class="num">${points(v.earned)}</td>` +
    `<td class="${cls}">${word}</td><td>${message}</td></tr>`
  );
}

/**
 * The page a student receives: score, status (with the reason of a zero),
 * each check in order, errors in the student's cells, and notes on edited
 * or missing check cells. Never shows `run` or `review`.
 */
export function feedbackHtml(result: GradeResult): string {
  const r = result;
  const name = r.assignment ?? "unknown assignment";
  const pct = percentOf(r);
  const status =
    r.status === "zero"
      ? `<span class="status status-bad">scored zero</span>`
      : `<span class="status status-ok">graded</span>`;
  const zero =
    r.status === "zero"
      ? `<div class="banner"><strong>Scored zero: ` +
        `${escapeHtml(r.reason ?? "no reason given")}</strong>` +
        (r.checks.some((c) => c.passed)
          ? `<br>Checks passed before the run stopped earn no points.`
          : "") +
        `</div>`
      : "";
  const errors = r.studentErrors.map(
    (e) => `cell ${e.cell}:<pre class="msg">${escapeHtml(e.error)}</pre>`,
  );
  const hash = r.sha256
    ? ` · SHA-256 <code>${escapeHtml(r.sha256)}</code>`
    : "";
  const checks = table(
    ["Check", "Kind", "Points", "Earned", "Result", "Message"],
    r.checks.map(checkRow),
  );
  const graded = escapeHtml(formatDate(r.gradedAt));
  const file = `<code>${escapeHtml(r.submission)}</code>`;
  return page(`${name}: feedback on ${r.submission}`, [
    `<header class="page">\n<h1>${escapeHtml(name)}</h1>`,
    `<p class="run-line">Submission ${file} · ${status} on ${graded}</p>`,
    `<p class="score">Score ${points(r.score)} / ${points(r.maxScore)}` +
      ` (${fixed1(pct)}%)</p>`,
    `${zero}\n</header>\n<main>\n<h2>Checks</h2>`,
    r.checks.length ? checks : "<p>No check ran.</p>",
    `<h2>Errors in your cells</h2>\n${list(errors, "None.")}`,
    `<h2>Notes</h2>\n${list(r.notes.map(escapeHtml), "None.")}\n</main>`,
    `<footer class="page">File graded: ${file}${hash}.</footer>`,
  ]);
}

const CSV_HEADER =
  "submission,assignment,status,score,max_score,percent,checks_passed," +
  "checks_total,reason,notes,review,duration_s,peak_memory_mb,sha256";

/**
 * One CSV field. Text a spreadsheet would read as a formula gets a
 * leading `'` (OWASP's CSV-injection advice); then RFC 4180 quoting.
 */
function csvField(value: string | number, text: boolean): string {
  let s = String(value);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The class summary, one row per submission (RFC 4180, CRLF lines). */
export function summaryCsv(results: GradeResult[]): string {
  if (!Array.isArray(results)) {
    throw new TypeError(`summaryCsv: results must be an array`);
  }
  const rows = results.map((r) => {
    const pct = r.maxScore > 0 ? ((r.score * 100) / r.maxScore).toFixed(1) : "";
    const fields: [string | number, boolean][] = [
      [r.submission, true],
      [r.assignment ?? "", true],
      [r.status, true],
      [points(r.score), false],
      [points(r.maxScore), false],
      [pct, false],
      [r.checks.filter((c) => c.passed).length, false],
      [r.checks.length, false],
      [r.reason ?? "", true],
      [r.notes.join("; "), true],
      [r.review.join("; "), true],
      [(r.durationMs / 1000).toFixed(1), false],
      [r.peakMemoryMb, false],
      [r.sha256 ?? "", true],
    ];
    return fields.map(([v, text]) => csvField(v, text)).join(",");
  });
  return [CSV_HEADER, ...rows].map((line) => line + "\r\n").join("");
}

/** Submissions per 10-point bin of score percent; 100 is in the last. */
function histogramBins(percents: number[]): number[] {
  const bins = new Array<number>(10).fill(0);
  for (const p of percents) {
    bins[Math.min(9, Math.max(0, Math.floor(p / 10)))] += 1;
  }
  return bins;
}

/** The bins as an inline SVG bar chart (no xmlns: HTML parsing sets it). */
function histogramSvg(bins: number[]): string {
  const [left, top, barW, plotH] = [44, 20, 44, 160];
  const max = Math.max(1, ...bins);
  const bars = bins.map((count, i) => {
    const h = (count / max) * plotH;
    const x = left + i * barW;
    const y = top + plotH - h;
    return (
      `<g class="bin" data-bin="${i}" data-count="${count}">` +
      `<rect x="${x + 4}" y="${y.toFixed(1)}" width="${barW - 8}" ` +
      `height="${h.toFixed(1)}"></rect>` +
      `<text x="${x + barW / 2}" y="${(y - 4).toFixed(1)}" ` +
      `text-anchor="middle" class="count">${count}</text>` +
      `<text x="${x + barW / 2}" y="${top + plotH + 16}" ` +
      `text-anchor="middle">${i * 10}–${i * 10 + 10}</text></g>`
    );
  });
  const bottom = top + plotH;
  const right = left + 10 * barW;
  return (
    `<svg class="histogram" viewBox="0 0 ${right + 10} ${bottom + 44}" ` +
    `role="img" aria-label="Histogram of score percent">` +
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}"></line>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}"></line>` +
    `<text x="${left - 6}" y="${bottom}" text-anchor="end">0</text>` +
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end">${max}</text>` +
    bars.join("") +
    `<text x="${(left + right) / 2}" y="${bottom + 36}" ` +
    `text-anchor="middle">score (%)</text>` +
    `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" ` +
    `text-anchor="middle">submissions</text></svg>`
  );
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summaryRow(r: GradeResult, folder: string): string {
  const href = `submissions/${encodeURIComponent(folder)}/feedback.html`;
  const zero = r.status === "zero";
  const state = zero
    ? `<strong class="zero-tag">zero</strong>: ${escapeHtml(r.reason ?? "")}`
    : "graded";
  const shown =
    folder === submissionStem(r.submission)
      ? ""
      : `<br><code>${escapeHtml(folder)}</code>`;
  return (
    `<tr${zero ? ' class="zero"' : ""}>` +
    `<td><a href="${escapeHtml(href)}">${escapeHtml(r.submission)}</a>` +
    `${shown}</td><td>${escapeHtml(r.assignment ?? "")}</td>` +
    `<td class="num">${points(r.score)} / ${points(r.maxScore)}</td>` +
    `<td class="num">${fixed1(percentOf(r))}</td><td>${state}</td>` +
    `<td>${r.review.map(escapeHtml).join("<br>")}</td>` +
    `<td>${r.notes.map(escapeHtml).join("<br>")}</td>` +
    `<td class="num">${formatDuration(r.durationMs)}</td></tr>`
  );
}

/** The class page's header: counts, statistics, throughput, sandbox. */
function summaryHeader(results: GradeResult[], batch: BatchInfo): string[] {
  const n = results.length;
  const zeros = results.filter((r) => r.status === "zero").length;
  const percents = results.map(percentOf).filter((p) => p !== null);
  const mean = percents.length
    ? percents.reduce((a, b) => a + b, 0) / percents.length
    : null;
  // Wall clock over the batch, so `jobs` parallel runs show as throughput.
  const minutes = batch.durationMs / 60_000;
  const rate = n && minutes > 0 ? (n / minutes).toFixed(1) : "—";
  const each = n ? formatDuration(batch.durationMs / n) : "—";
  const zeroClass = zeros ? ` class="status status-bad"` : "";
  const L = batch.limits;
  return [
    `<header class="page">\n<h1>Class summary</h1>`,
    `<p class="run-line">Started ${escapeHtml(formatDate(batch.startedAt))}` +
      ` · ${n} submissions: ${n - zeros} graded, ` +
      `<span${zeroClass}>${zeros} scored zero</span></p>`,
    `<p class="run-line">Mean ${fixed1(mean)}% · ` +
      `median ${fixed1(median(percents))}%</p>`,
    `<p class="run-line">Wall clock ${formatDuration(batch.durationMs)} ` +
      `with ${batch.jobs} in parallel: ${rate} submissions per minute, ` +
      `${each} per submission on average</p>`,
    batch.sandboxed
      ? `<p>Submissions ran in the sandbox.</p>`
      : `<div class="banner warn"><strong>Submissions ran WITHOUT ` +
        `isolation</strong> (no sandbox): their code could read and write ` +
        `anything this user can.</div>`,
    `<p class="run-line">Limits: memory ${L.memoryMb} MB · disk ` +
      `${L.diskMb} MB · output ${L.outputMb} MB · ${L.cellTimeoutS} s ` +
      `per cell · ${L.timeoutS} s per submission</p>\n</header>`,
  ];
}

/**
 * The instructor's class page: counts, mean and median percent,
 * throughput, sandbox and limits, a histogram, and a row per submission
 * linking its feedback page. `folders[i]` is the result folder of
 * `results[i]` under `submissions/` (default: submissionStem of its file
 * name); rows are sorted by it.
 */
export function summaryHtml(
  results: GradeResult[],
  batch: BatchInfo,
  folders?: string[],
): string {
  if (!Array.isArray(results)) {
    throw new TypeError(`summaryHtml: results must be an array`);
  }
  if (folders !== undefined && folders.length !== results.length) {
    throw new RangeError(
      `summaryHtml: folders must have ${results.length} entries, ` +
        `got ${folders.length}`,
    );
  }
  const percents = results.map(percentOf).filter((p) => p !== null);
  const rows = results
    .map((r, i) => ({
      r,
      folder: folders?.[i] ?? submissionStem(r.submission),
    }))
    .sort((a, b) => a.folder.localeCompare(b.folder, "en", { numeric: true }))
    .map(({ r, folder }) => summaryRow(r, folder));
  const head = "Submission,Assignment,Score,%,Status,Review,Notes,Time";
  return page("Grades: class summary", [
    ...summaryHeader(results, batch),
    `<main>\n<h2>Scores</h2>`,
    histogramSvg(histogramBins(percents)),
    `<h2>Submissions</h2>`,
    table(head.split(","), rows),
    `</main>`,
  ]);
}
