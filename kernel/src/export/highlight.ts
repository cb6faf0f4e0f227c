/**
 * Syntax highlighting of code cells with highlight.js (TypeScript grammar
 * by default, the language from the notebook metadata when registered).
 */
import hljs from "highlight.js/lib/core";
import typescript from "highlight.js/lib/languages/typescript";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import { escapeHtml } from "./html.js";

hljs.registerLanguage("typescript", typescript);
hljs.registerLanguage("javascript", javascript);
hljs.registerLanguage("json", json);

/**
 * Highlighted HTML for `code` (escaped, spans with `hljs-*` classes).
 * An unknown language falls back to plain escaped text.
 */
export function highlightCode(code: string, language = "typescript"): string {
  const name = language.toLowerCase();
  if (!hljs.getLanguage(name)) return escapeHtml(code);
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}
