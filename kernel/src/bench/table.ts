/**
 * The terminal table of a benchmark run: one block per group, one line per
 * row (median, min, max, unit, speed ratios to the peers), then the
 * targets with their verdicts. Plain text, so it reads in a CI log too.
 */
import type { BenchReport } from "./run.js";
import type { TargetCheck } from "./targets.js";
import type { RowResult } from "./types.js";

/** A figure to about 3 significant digits, without exponents. */
export function formatFigure(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 100) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 0.01) return x.toFixed(abs >= 1 ? 2 : 3);
  return x.toPrecision(2);
}

/** "memnets" or "numpy (2 threads)". */
export function rowLabel(row: { implementation: string; threads: number }) {
  return row.threads === 1
    ? row.implementation
    : `${row.implementation} (${row.threads} threads)`;
}

/** "ours/numpy 0.31  ours/torch 0.28". */
export function ratioText(row: RowResult): string {
  return row.ratios
    .map((r) => `ours/${r.peer} ${formatFigure(r.value)}`)
    .join("  ");
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function rowLine(row: RowResult, caseName: string, nameWidth: number) {
  const label = pad(rowLabel(row), 22);
  const head = `  ${pad(caseName, nameWidth)}  ${label}`;
  if (!row.summary) {
    return `${head}  ${row.status}: ${row.reason ?? "no reason given"}`;
  }
  const { median, min, max } = row.summary;
  const figures = [median, min, max]
    .map((x) => pad(formatFigure(x), 8, true))
    .join(" ");
  return `${head}${figures}  ${pad(row.unit.label, 9)}  ${ratioText(row)}`;
}

function verdict(check: TargetCheck): string {
  return check.met === null ? "n/a" : check.met ? "met" : "MISSED";
}

/** The whole table as text lines. */
export function renderTable(report: BenchReport): string {
  const lines: string[] = [];
  const nameWidth = Math.max(...report.rows.map((r) => r.name.length), 4);
  const columns =
    `  ${pad("case", nameWidth)}  ${pad("implementation", 22)}` +
    `${pad("median", 8, true)} ${pad("min", 8, true)} ${pad("max", 8, true)}` +
    `  ${pad("unit", 9)}  speed ratio to peers (same run)`;
  let group = "";
  let name = "";
  for (const row of report.rows) {
    if (row.group !== group) {
      group = row.group;
      name = "";
      lines.push("", group, columns);
    }
    lines.push(rowLine(row, row.name === name ? "" : row.name, nameWidth));
    name = row.name;
  }

  if (report.targets.length) {
    lines.push("", "Targets");
    for (const check of report.targets) {
      lines.push(
        `  ${pad(verdict(check), 7)}${pad(check.target, 44)}` +
          `${pad(check.name, nameWidth)}  ${check.detail}`,
      );
    }
  }
  return lines.join("\n");
}
