/**
 * Code cell outputs to HTML: streams, errors and rich display data.
 *
 * A rich output shows one representation, the first present in
 * MIME_PREFERENCE. Our live plot outputs carry both the plotly JSON and a
 * text/html page with a <script> holding the whole plotly library; the JSON
 * wins, so that HTML (and its script) never reaches the report.
 */
import { AnsiUp } from "ansi_up";
import { escapeHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import { renderTex } from "./math.js";
import { PLOTLY_MIME, renderPlot } from "./plot.js";
import { sanitizeFragment, sanitizeSvg } from "./sanitize.js";
import { joinText, type MimeBundle, type NotebookOutput } from "./types.js";

export const MIME_PREFERENCE = [
  PLOTLY_MIME,
  "text/html",
  "image/svg+xml",
  "image/png",
  "image/jpeg",
  "text/latex",
  "text/markdown",
  "application/json",
  "text/plain",
] as const;

/** What the page needs to know about the outputs it holds. */
export interface OutputSummary {
  html: string;
  /** A plot is drawn (and needs the plotly bundle). */
  hasPlot: boolean;
  hasError: boolean;
  /** Trace types of the drawn plots, each once. */
  traceTypes: string[];
}

/** ANSI colour codes to HTML spans; the text is HTML-escaped first. */
export function ansiToHtml(text: string): string {
  const converter = new AnsiUp();
  converter.escape_html = true;
  return converter.ansi_to_html(text);
}

/** Base64 image data as a data: URI, or undefined if it is not base64. */
function dataUri(mime: string, payload: unknown): string | undefined {
  const data = joinText(payload).replace(/\s+/g, "");
  return /^[A-Za-z0-9+/]+=*$/.test(data)
    ? `data:${mime};base64,${data}`
    : undefined;
}

/** Strip one pair of outer math delimiters from a text/latex payload. */
function latexBody(text: string): string {
  const trimmed = text.trim();
  const pairs: [string, string][] = [
    ["$$", "$$"],
    ["\\[", "\\]"],
    ["\\(", "\\)"],
    ["$", "$"],
  ];
  for (const [open, close] of pairs) {
    if (
      trimmed.length > open.length + close.length &&
      trimmed.startsWith(open) &&
      trimmed.endsWith(close)
    ) {
      return trimmed.slice(open.length, trimmed.length - close.length);
    }
  }
  return trimmed;
}

/** HTML for one representation, or undefined if the payload is unusable. */
function renderMime(mime: string, payload: unknown): string | undefined {
  const text = () => joinText(payload);
  switch (mime) {
    case "text/html":
      return `<div class="out-html">${sanitizeFragment(text())}</div>`;
    case "image/svg+xml":
      return `<div class="out-svg">${sanitizeSvg(text())}</div>`;
    case "image/png":
    case "image/jpeg": {
      const uri = dataUri(mime, payload);
      return uri && `<img class="out-image" alt="" src="${uri}">`;
    }
    case "text/latex":
      return `<div class="out-latex">${renderTex(latexBody(text()), true)}</div>`;
    case "text/markdown":
      return `<div class="out-markdown">${renderMarkdown(text()).html}</div>`;
    case "application/json":
      return `<pre class="out-json">${escapeHtml(
        JSON.stringify(payload, null, 2) ?? "",
      )}</pre>`;
    case "text/plain":
      return `<pre class="out-plain">${ansiToHtml(text())}</pre>`;
  }
  return undefined;
}

/** One output's HTML; `traceTypes` is set when it draws a plot. */
interface RenderedOutput {
  html: string;
  mime?: string;
  traceTypes?: string[];
}

/** The preferred usable representation of a MIME bundle. */
export function renderBundle(data: MimeBundle): RenderedOutput {
  for (const mime of MIME_PREFERENCE) {
    if (!(mime in data)) continue;
    if (mime === PLOTLY_MIME) {
      // A plot may come back as a note alone (it would need the network).
      const plot = renderPlot(data[mime]);
      if (plot) return { ...plot, mime };
      continue;
    }
    const html = renderMime(mime, data[mime]);
    if (html !== undefined) return { html, mime };
  }
  const kinds = Object.keys(data).map(escapeHtml).join(", ") || "none";
  return {
    html: `<div class="out-unsupported">[output not shown: ${kinds}]</div>`,
  };
}

/** An error output: name and message, then the (ANSI) traceback. */
function renderError(output: NotebookOutput): string {
  const name = escapeHtml(output.ename ?? "Error");
  const message = escapeHtml(output.evalue ?? "");
  const trace = (output.traceback ?? []).join("\n");
  const traceHtml = trace.trim()
    ? `<pre class="traceback">${ansiToHtml(trace)}</pre>`
    : "";
  return (
    `<div class="out-error" role="alert"><div class="error-head">` +
    `<strong>${name}</strong>: ${message}</div>${traceHtml}</div>`
  );
}

/** Jupyter shows consecutive writes to one stream as one block. */
function mergeStreams(outputs: NotebookOutput[]): NotebookOutput[] {
  const merged: NotebookOutput[] = [];
  for (const output of outputs) {
    const last = merged[merged.length - 1];
    if (
      output.output_type === "stream" &&
      last?.output_type === "stream" &&
      last.name === output.name
    ) {
      last.text = joinText(last.text) + joinText(output.text);
    } else {
      merged.push({ ...output });
    }
  }
  return merged;
}

/** One output to HTML. */
function renderOutput(output: NotebookOutput): RenderedOutput {
  switch (output.output_type) {
    case "stream": {
      const name = output.name === "stderr" ? "stderr" : "stdout";
      const body = ansiToHtml(joinText(output.text));
      return { html: `<pre class="out-stream out-${name}">${body}</pre>` };
    }
    case "error":
      return { html: renderError(output) };
    case "execute_result":
    case "display_data":
      return renderBundle(output.data ?? {});
  }
  const kind = escapeHtml(String(output.output_type));
  return {
    html: `<div class="out-unsupported">[unknown output: ${kind}]</div>`,
  };
}

/** All outputs of a code cell, in order. */
export function renderOutputs(outputs: NotebookOutput[]): OutputSummary {
  const parts: string[] = [];
  const traceTypes = new Set<string>();
  let hasPlot = false;
  let hasError = false;
  for (const output of mergeStreams(outputs)) {
    const rendered = renderOutput(output);
    if (rendered.traceTypes) {
      hasPlot = true;
      rendered.traceTypes.forEach((type) => traceTypes.add(type));
    }
    hasError ||= output.output_type === "error";
    parts.push(`<div class="output">${rendered.html}</div>`);
  }
  return {
    html: parts.join("\n"),
    hasPlot,
    hasError,
    traceTypes: [...traceTypes],
  };
}
