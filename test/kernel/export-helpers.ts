/**
 * Builders of small nbformat-4 notebooks and HTML probes shared by the
 * exporter tests.
 */
import { readFileSync } from "node:fs";
import type {
  Notebook,
  NotebookCell,
  NotebookOutput,
} from "../../kernel/src/export/index.js";

/** test/fixtures/executed/showcase.ipynb: every output type, two plots. */
export const showcase = JSON.parse(
  readFileSync(
    new URL("../fixtures/executed/showcase.ipynb", import.meta.url),
    "utf8",
  ),
);

/** A 1x1 PNG, base64. */
export const PNG_1X1 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

export function markdownCell(source: string): NotebookCell {
  return { cell_type: "markdown", metadata: {}, source };
}

export function codeCell(
  source: string,
  executionCount: number | null,
  outputs: NotebookOutput[] = [],
): NotebookCell {
  return {
    cell_type: "code",
    metadata: {},
    source,
    execution_count: executionCount,
    outputs,
  };
}

export function display(data: Record<string, unknown>): NotebookOutput {
  return { output_type: "display_data", metadata: {}, data };
}

export function notebook(
  cells: NotebookCell[],
  metadata: Record<string, unknown> = {},
): Notebook {
  return { nbformat: 4, nbformat_minor: 5, metadata, cells };
}

/** The page without the bodies of <script> elements and <style> blocks. */
export function markupOnly(html: string): string {
  return html
    .replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1</script>")
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, "<style></style>");
}

/** The <main> part of a report (cells only, no header or scripts). */
export function mainOf(html: string): string {
  const match = /<main>([\s\S]*)<\/main>/.exec(html);
  if (!match) throw new Error("report has no <main>");
  return match[1];
}

/** Bodies of <script> elements without a type (code the page runs). */
export function executableScripts(html: string): string[] {
  const scripts: string[] = [];
  const pattern = /<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi;
  for (const match of html.matchAll(pattern)) {
    const attrs = match[1] ?? "";
    if (!/\btype\s*=/.test(attrs)) scripts.push(match[2]);
  }
  return scripts;
}

/**
 * Every reference by which the page would load something: src-like
 * attributes, href on anything but <a>, CSS url() and @import in styles
 * (the bodies of scripts are skipped: plotly's code holds URL strings it
 * never loads in our pages).
 */
export function resourceReferences(html: string): string[] {
  const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/gi, "$1");
  const refs: string[] = [];
  for (const tag of markup.matchAll(/<([a-zA-Z][\w:-]*)(\s[^>]*)?>/g)) {
    const name = tag[1].toLowerCase();
    const attrs = tag[2] ?? "";
    const attrPattern = /\s([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/g;
    for (const attr of attrs.matchAll(attrPattern)) {
      const key = attr[1].toLowerCase();
      const value = attr[3] ?? attr[4] ?? attr[5] ?? "";
      const loads =
        ["src", "srcset", "poster", "data", "background", "action"].includes(
          key,
        ) ||
        ((key === "href" || key === "xlink:href") && name !== "a");
      if (loads) refs.push(value);
    }
  }
  for (const url of markup.matchAll(/url\(\s*['"]?([^'")]*)/g)) {
    refs.push(url[1]);
  }
  for (const imp of markup.matchAll(/@import\s+['"]?([^'";\s]+)/g)) {
    refs.push(imp[1]);
  }
  return refs;
}

/** References that would go to the network. */
export function remoteReferences(html: string): string[] {
  return resourceReferences(html).filter((ref) =>
    /^\s*(https?:)?\/\//i.test(ref),
  );
}
