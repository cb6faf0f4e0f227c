/**
 * The run record our runner stores in an executed notebook, read loosely,
 * and the small formatters the header and the index share.
 *
 * Expected at `metadata.memnets.run` (every field optional):
 *   { status: "ok" | "failed" | "timeout" | "died",
 *     durationMs: number, startedAt: ISO string, finishedAt: ISO string,
 *     parameters: { name: value } }
 * `duration_ms`, `date` and `params` are accepted as aliases.
 */
import { escapeHtml } from "./html.js";
import { isRecord } from "./types.js";

export interface RunInfo {
  status?: string;
  durationMs?: number;
  startedAt?: string;
  finishedAt?: string;
  parameters?: Record<string, unknown>;
}

/** The run record of a notebook's metadata, or undefined if absent. */
export function readRunInfo(metadata: unknown): RunInfo | undefined {
  const memnets = isRecord(metadata) ? metadata.memnets : undefined;
  const run = isRecord(memnets) ? memnets.run : undefined;
  if (!isRecord(run)) return undefined;
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const num = (v: unknown) =>
    typeof v === "number" && Number.isFinite(v) ? v : undefined;
  const params = run.parameters ?? run.params;
  return {
    status: str(run.status),
    durationMs: num(run.durationMs) ?? num(run.duration_ms),
    startedAt: str(run.startedAt) ?? str(run.date),
    finishedAt: str(run.finishedAt),
    parameters: isRecord(params) ? params : undefined,
  };
}

/** "850 ms", "12.3 s", "4 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const whole = Math.round(s);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${pad(whole % 60)} s`;
  const minutes = Math.floor(whole / 60);
  return `${Math.floor(minutes / 60)} h ${pad(minutes % 60)} min`;
}

/** An ISO date as "YYYY-MM-DD HH:MM UTC" (locale-free, so pages diff well). */
export function formatDate(value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** CSS class for a status word: ok is good, anything else is a problem. */
export function statusClass(status: string | undefined): string {
  if (status === undefined) return "status-unknown";
  return status === "ok" ? "status-ok" : "status-bad";
}

/** "name = value" pairs, values as JSON. */
function formatParameters(parameters: Record<string, unknown>): string {
  return Object.entries(parameters)
    .map(([name, value]) => `${name} = ${JSON.stringify(value)}`)
    .join(", ");
}

/** The header line: status, duration, date and parameters of the run. */
export function renderRunLine(run: RunInfo | undefined): string {
  if (!run) return `<p class="run-line">No run record in this notebook.</p>`;
  const parts = [
    `run status <span class="status ${statusClass(run.status)}">` +
      `${escapeHtml(run.status ?? "unknown")}</span>`,
  ];
  if (run.durationMs !== undefined) {
    parts.push(`took ${formatDuration(run.durationMs)}`);
  }
  const date = run.startedAt ?? run.finishedAt;
  if (date) parts.push(`on ${escapeHtml(formatDate(date))}`);
  if (run.parameters && Object.keys(run.parameters).length > 0) {
    const text = escapeHtml(formatParameters(run.parameters));
    parts.push(`parameters: <code>${text}</code>`);
  }
  return `<p class="run-line">${parts.join(" · ")}</p>`;
}
