/**
 * One notebook cell to HTML, with the state the page needs: headings for
 * the contents, whether it drew a plot, raised an error, or was not run.
 */
import { highlightCode } from "./highlight.js";
import { escapeHtml } from "./html.js";
import { renderMarkdown, type Heading } from "./markdown.js";
import { renderOutputs } from "./outputs.js";
import { joinText, type NotebookCell } from "./types.js";

export interface RenderedCell {
  html: string;
  headings: Heading[];
  hasPlot: boolean;
  /** Trace types of the cell's drawn plots. */
  traceTypes: string[];
  /** The cell has an `error` output. */
  failed: boolean;
  /** A code cell with source that has no execution count. */
  notRun: boolean;
  isCode: boolean;
  executionCount?: number;
}

/** Tags (nbconvert's names) that hide parts of a cell in the report. */
function tagsOf(cell: NotebookCell): string[] {
  const tags = cell.metadata?.tags;
  return Array.isArray(tags) ? tags.map(String) : [];
}

function renderMarkdownCell(cell: NotebookCell, anchor: string): RenderedCell {
  const { html, headings } = renderMarkdown(joinText(cell.source), {
    idPrefix: anchor,
    attachments: cell.attachments,
  });
  return {
    html: `<section class="cell md" id="${anchor}">${html}</section>`,
    headings,
    hasPlot: false,
    traceTypes: [],
    failed: false,
    notRun: false,
    isCode: false,
  };
}

function renderCodeCell(
  cell: NotebookCell,
  anchor: string,
  language: string,
): RenderedCell {
  const source = joinText(cell.source);
  const tags = tagsOf(cell);
  const count =
    typeof cell.execution_count === "number" ? cell.execution_count : undefined;
  const notRun = count === undefined && source.trim() !== "";
  const outputs = tags.includes("remove-output")
    ? { html: "", hasPlot: false, hasError: false, traceTypes: [] }
    : renderOutputs(cell.outputs ?? []);

  const classes = ["cell", "code"];
  if (notRun) classes.push("not-run");
  if (outputs.hasError) classes.push("failed");
  const prompt = notRun
    ? `<div class="prompt not-run" title="this cell was not executed">not run</div>`
    : `<div class="prompt">In&nbsp;[${count ?? "&nbsp;"}]:</div>`;
  const input = tags.includes("remove-input")
    ? ""
    : `<pre class="source"><code class="hljs language-${escapeHtml(language)}">` +
      `${highlightCode(source, language)}</code></pre>`;
  const html =
    `<section class="${classes.join(" ")}" id="${anchor}">${prompt}` +
    `<div class="body">${input}<div class="outputs">${outputs.html}</div>` +
    `</div></section>`;
  return {
    html,
    headings: [],
    hasPlot: outputs.hasPlot,
    traceTypes: outputs.traceTypes,
    failed: outputs.hasError,
    notRun,
    isCode: true,
    executionCount: count,
  };
}

/** Render cell number `index` (0-based); raw and removed cells give "". */
export function renderCell(
  cell: NotebookCell,
  index: number,
  language: string,
): RenderedCell {
  const anchor = `cell-${index + 1}`;
  const empty: RenderedCell = {
    html: "",
    headings: [],
    hasPlot: false,
    traceTypes: [],
    failed: false,
    notRun: false,
    isCode: cell.cell_type === "code",
  };
  if (tagsOf(cell).includes("remove-cell")) return empty;
  if (cell.cell_type === "markdown") return renderMarkdownCell(cell, anchor);
  if (cell.cell_type === "code") return renderCodeCell(cell, anchor, language);
  return empty;
}
