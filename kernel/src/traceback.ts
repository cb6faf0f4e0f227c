/**
 * Turns tslab's error text into an nbformat `error` output.
 *
 * tslab 1.0.22 sends no `error` message. executor.js reports a failing cell
 * with `console.error`, which its jupyter.js forwards as `stderr` stream
 * text, in one of three shapes (seen against the real kernel):
 *
 * - a compile error: one write per diagnostic, `"[file ]L:C - message\n"`;
 * - a thrown Error: util.inspect of it, i.e. for code run by `vm` a
 *   "evalmachine.<anonymous>:3\n<source line>\n^\n\n" preamble, then
 *   `Name: message` and the `    at ...` frames (then `{ props }`);
 * - a thrown non-Error value: its inspection alone (`"str\n"`).
 */
export interface ParsedError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** A TypeScript diagnostic line as printed by tslab's printDiagnostics. */
export const DIAGNOSTIC_LINE = /^(?:\S+ )?\d+:\d+ - .*/;

/** Matches an Error header such as `RangeError: bad x` or `Error [E1]: m`. */
const ERROR_HEADER = /^([A-Za-z_$][\w$]*)(?: \[[^\]]*\])?(?:: ([^]*))?$/;

/** Frames inside node's vm and tslab itself say nothing about the cell. */
const INTERNAL_FRAME = /^\s+at .*(\(node:|node_modules[\\/]tslab[\\/]|node:vm)/;

export function parseErrorText(text: string): ParsedError {
  const lines = text.replace(/\n$/, "").split("\n");

  // A compile error from the type checker.
  if (lines.length > 0 && lines.every((l) => DIAGNOSTIC_LINE.test(l))) {
    const first = lines[0].replace(/^(?:\S+ )?\d+:\d+ - /, "");
    return {
      ename: "TypeScriptError",
      evalue: lines.length > 1 ? `${first} (+${lines.length - 1} more)` : first,
      traceback: lines,
    };
  }

  // A thrown Error. vm errors start with a "where" preamble that ends at
  // the first blank line; the header follows it, the frames follow that.
  const traceback = lines.filter((l) => !INTERNAL_FRAME.test(l));
  const start = /^evalmachine\.<anonymous>:\d+$/.test(lines[0])
    ? lines.indexOf("") + 1
    : 0;
  const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
  const header = ERROR_HEADER.exec(lines[start] ?? "");
  if (firstFrame > start && header) {
    // A multi-line message runs from the header down to the frames.
    const message = [header[2] ?? "", ...lines.slice(start + 1, firstFrame)];
    return { ename: header[1], evalue: message.join("\n").trim(), traceback };
  }

  // Anything else (a thrown string or object).
  return { ename: "Error", evalue: text.trim(), traceback: lines };
}
