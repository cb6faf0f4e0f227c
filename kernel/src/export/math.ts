/**
 * TeX to KaTeX markup at export time, and the marked extension that finds
 * math in markdown.
 *
 * Delimiters follow Jupyter: `$...$` and `\(...\)` inline; `$$...$$`,
 * `\[...\]` and a bare `\begin{env}...\end{env}` as display math. An inline
 * `$` must hug its content (`$x$`, not `$ x $`) and the closing one may not
 * be followed by a digit, so prices such as "$5 and $6" stay text.
 *
 * Math is rendered to a placeholder token; the caller sanitises the
 * surrounding HTML and only then swaps the KaTeX markup in, so the
 * sanitiser never has to allow KaTeX's inline styles and SVG.
 */
import katex from "katex";
import type { MarkedExtension, Tokens } from "marked";

/** Render TeX with KaTeX; a TeX error shows as red source, never throws. */
export function renderTex(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, {
    displayMode,
    throwOnError: false,
    // trust: false keeps \href, \url and \includegraphics from making links
    // or loading images.
    trust: false,
    strict: "ignore",
    output: "htmlAndMathml",
  });
}

/** Math found in one markdown text, keyed by its placeholder index. */
export interface MathStore {
  /** Unique per render, so a notebook cannot forge a placeholder. */
  nonce: string;
  items: { tex: string; display: boolean }[];
}

interface MathToken extends Tokens.Generic {
  /** Position of this formula in the store. */
  index: number;
}

const BLOCK_RULES: RegExp[] = [
  /^ {0,3}\$\$([\s\S]+?)\$\$[ \t]*(?:\n|$)/,
  /^ {0,3}\\\[([\s\S]+?)\\\][ \t]*(?:\n|$)/,
  /^ {0,3}(\\begin\{([a-zA-Z*]+)\}[\s\S]+?\\end\{\2\})[ \t]*(?:\n|$)/,
];

const INLINE_RULES: { rule: RegExp; display: boolean }[] = [
  { rule: /^\$\$([\s\S]+?)\$\$/, display: true },
  // No backtick inside: `$x$` in a code span must not pair with a `$` before.
  {
    // The last character may be an escaped one, as in `$\{a\}$`.
    rule: /^\$(?![\s$])((?:\\[\s\S]|[^\\$`])*?(?:\\[\s\S]|[^\s\\`]))\$(?!\d)/,
    display: false,
  },
  { rule: /^\$([^\s\\$])\$(?!\d)/, display: false },
  { rule: /^\\\(([\s\S]+?)\\\)/, display: false },
  { rule: /^\\\[([\s\S]+?)\\\]/, display: true },
];

/** Placeholder text for math item `index`; plain letters survive sanitising. */
export function mathPlaceholder(store: MathStore, index: number): string {
  return `MNMATH${store.nonce}X${index}Y`;
}

/** Swap every placeholder in `html` for its KaTeX markup. */
export function restoreMath(html: string, store: MathStore): string {
  const pattern = new RegExp(`MNMATH${store.nonce}X(\\d+)Y`, "g");
  return html.replace(pattern, (whole, index: string) => {
    const item = store.items[Number(index)];
    return item ? renderTex(item.tex, item.display) : whole;
  });
}

/** Record a formula in the store and make its token. */
function mathToken(
  store: MathStore,
  type: "mathBlock" | "mathInline",
  match: RegExpExecArray,
  display: boolean,
): MathToken {
  store.items.push({ tex: match[1].trim(), display });
  return { type, raw: match[0], index: store.items.length - 1 };
}

/** Index of the first `$` not escaped by a backslash, or of `\(`/`\[`. */
function inlineStart(src: string): number | undefined {
  const match = /(?<!\\)\$|\\[([]/.exec(src);
  return match ? match.index : undefined;
}

/** Index where a display block may begin: a delimiter opening a line. */
function blockStart(src: string): number | undefined {
  const match = /(?:^|\n) {0,3}(\$\$|\\\[|\\begin\{)/.exec(src);
  return match ? match.index + match[0].indexOf(match[1]) : undefined;
}

/** A marked extension that turns math into placeholders held in `store`. */
export function mathExtension(store: MathStore): MarkedExtension {
  const render = (token: Tokens.Generic) =>
    mathPlaceholder(store, (token as MathToken).index);
  return {
    extensions: [
      {
        name: "mathBlock",
        level: "block",
        start: blockStart,
        tokenizer(src: string) {
          for (const rule of BLOCK_RULES) {
            const match = rule.exec(src);
            if (match) return mathToken(store, "mathBlock", match, true);
          }
          return undefined;
        },
        renderer: (token) =>
          `<div class="math-display">${render(token)}</div>\n`,
      },
      {
        name: "mathInline",
        level: "inline",
        start: inlineStart,
        tokenizer(src: string) {
          for (const { rule, display } of INLINE_RULES) {
            const match = rule.exec(src);
            if (match) return mathToken(store, "mathInline", match, display);
          }
          return undefined;
        },
        renderer: render,
      },
    ],
  };
}
