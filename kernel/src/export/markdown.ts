/**
 * Markdown (cells and text/markdown outputs) to sanitised HTML with
 * pre-typeset math, and the headings it holds for the page's contents.
 */
import { randomBytes } from "node:crypto";
import { Marked } from "marked";
import type { Tokens } from "marked";
import { mathExtension, restoreMath, type MathStore } from "./math.js";
import { htmlToText, sanitizeFragment } from "./sanitize.js";
import { isRecord, joinText } from "./types.js";

/** A heading met in the markdown, for the table of contents and title. */
export interface Heading {
  depth: number;
  id: string;
  /** Inline HTML (sanitised, math typeset) for the contents list. */
  html: string;
  /** Plain text, math left as TeX, for the page <title>. */
  text: string;
}

export interface MarkdownResult {
  html: string;
  headings: Heading[];
}

export interface MarkdownOptions {
  /** Prefix for heading ids; ids are `${idPrefix}-${n}`. */
  idPrefix?: string;
  /** Markdown cell attachments, for `attachment:name` image links. */
  attachments?: Record<string, unknown>;
}

/** Replace `attachment:name` links by data: URIs from the cell. */
function resolveAttachment(
  href: string,
  attachments: Record<string, unknown> | undefined,
): string {
  if (!href.startsWith("attachment:") || !attachments) return href;
  const bundle = attachments[href.slice("attachment:".length)];
  if (!isRecord(bundle)) return href;
  for (const [mime, data] of Object.entries(bundle)) {
    if (mime.startsWith("image/")) {
      return `data:${mime};base64,${joinText(data).replace(/\s+/g, "")}`;
    }
  }
  return href;
}

/** Render markdown to sanitised HTML; math is typeset by KaTeX. */
export function renderMarkdown(
  source: string,
  options: MarkdownOptions = {},
): MarkdownResult {
  const store: MathStore = { nonce: randomBytes(6).toString("hex"), items: [] };
  const raw: { depth: number; id: string; inner: string }[] = [];
  const prefix = options.idPrefix ?? "h";
  const marked = new Marked({ gfm: true, async: false });
  marked.use(mathExtension(store), {
    renderer: {
      heading(token: Tokens.Heading) {
        const inner = this.parser.parseInline(token.tokens);
        const id = `${prefix}-${raw.length + 1}`;
        raw.push({ depth: token.depth, id, inner });
        return `<h${token.depth} id="${id}">${inner}</h${token.depth}>\n`;
      },
    },
    walkTokens(token) {
      if (token.type === "image") {
        token.href = resolveAttachment(token.href, options.attachments);
      }
    },
  });

  // Sanitise with math still as placeholders, then typeset it.
  const dirty = marked.parse(source) as string;
  const html = restoreMath(sanitizeFragment(dirty), store);
  const headings = raw.map(({ depth, id, inner }) => ({
    depth,
    id,
    html: restoreMath(sanitizeFragment(inner), store),
    text: plainText(inner, store),
  }));
  return { html, headings };
}

/** Heading text without tags, formulas shown as their TeX source. */
function plainText(inner: string, store: MathStore): string {
  const text = htmlToText(inner).replace(
    new RegExp(`MNMATH${store.nonce}X(\\d+)Y`, "g"),
    (_whole, index: string) => store.items[Number(index)]?.tex ?? "",
  );
  return decodeEntities(text).trim();
}

/** Undo the few entities htmlToText writes, for use as plain text. */
function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}
