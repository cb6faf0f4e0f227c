/**
 * Markdown (cells and text/markdown outputs) to sanitised HTML with
 * pre-typeset math, the headings it holds for the page's contents, and
 * notebook titles (a heading's markdown) as inline HTML or plain text.
 */
import { randomBytes } from "node:crypto";
import { Marked } from "marked";
import type { Tokens } from "marked";
import { mathExtension, restoreMath, type MathStore } from "./math.js";
import { htmlToText, sanitizeFragment, sanitizeTitle } from "./sanitize.js";
import { isRecord, joinText } from "./types.js";

/** A heading met in the markdown, for the table of contents and title. */
export interface Heading {
  depth: number;
  id: string;
  /**
   * Inline HTML (sanitised, math typeset, links reduced to their text) for
   * the contents list and the page header, where it sits inside a link or
   * stands alone.
   */
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
  const store = newStore();
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
    html: restoreMath(sanitizeTitle(inner), store),
    text: plainText(inner, store),
  }));
  return { html, headings };
}

/** A new math store; the nonce keeps a notebook from forging placeholders. */
function newStore(): MathStore {
  return { nonce: randomBytes(6).toString("hex"), items: [] };
}

/**
 * Inline markdown of a title, with its math as placeholders. A leading
 * `#` marker (and a closing `#` run) is dropped, so a whole heading line
 * and its bare text give the same title.
 */
function parseTitle(markdown: string): { inner: string; store: MathStore } {
  const store = newStore();
  const text = String(markdown)
    .replace(/\s+/g, " ")
    .replace(/^ {0,3}#{1,6}(?: |$)/, "")
    .replace(/ #+ *$/, "");
  const marked = new Marked({ gfm: true, async: false });
  marked.use(mathExtension(store));
  return { inner: marked.parseInline(text) as string, store };
}

/**
 * A notebook title (the markdown of its first heading) as inline HTML:
 * markdown rendered, math typeset by KaTeX, sanitised, links reduced to
 * their text (a title is often placed inside a link).
 */
export function titleHtml(markdown: string): string {
  const { inner, store } = parseTitle(markdown);
  return restoreMath(sanitizeTitle(inner), store).trim();
}

/**
 * A notebook title as plain text, for `<title>` and terminal output:
 * markdown marks stripped, math shown as its TeX source without the `$`
 * delimiters (`Energy $E(s)$` gives `Energy E(s)`).
 */
export function plainTitle(markdown: string): string {
  const { inner, store } = parseTitle(markdown);
  return plainText(inner, store).replace(/\s+/g, " ");
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
