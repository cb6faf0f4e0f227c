/**
 * Escaping helpers for building the report's HTML by string concatenation.
 */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escape text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/**
 * JSON for a `<script type="application/json">` block. `<` is written as
 * `\u003c` so no `</script>` or `<!--` in the data can end the block early;
 * U+2028/2029 are escaped for old JS parsers that treat them as newlines.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * Code for an inline `<script>`: a literal `</script` would close the element,
 * so it is broken as `<\/script` (same meaning inside JS strings and regexes).
 */
export function inlineScriptSource(code: string): string {
  return code.replace(/<\/(script)/gi, "<\\/$1");
}
