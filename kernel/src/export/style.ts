/**
 * The report's own stylesheet: one readable column, code on a tinted
 * background, prompts in a left gutter on wide screens, and print rules
 * that keep cells whole and drop screen-only decoration.
 */
export const REPORT_CSS = `
:root {
  --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --code-bg: #f6f8fa;
  --ok: #1a7f37; --bad: #cf222e; --warn-bg: #fff8c5; --err-bg: #ffebe9;
}
* { box-sizing: border-box; }
html { font-size: 16px; }
body {
  margin: 0; color: var(--ink); background: #fff; line-height: 1.55;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto,
    "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
main, header.page, nav.toc, footer.page {
  max-width: 62rem; margin: 0 auto; padding: 0 1.25rem;
}
header.page { padding-top: 1.5rem; border-bottom: 1px solid var(--rule); }
header.page h1 { margin: 0 0 0.3rem; font-size: 1.9rem; line-height: 1.2; }
.run-line, .source-line { margin: 0.2rem 0; color: var(--muted); }
.source-line { padding-bottom: 0.8rem; font-size: 0.9rem; }
.status { font-weight: 600; }
.status-ok { color: var(--ok); }
.status-bad { color: var(--bad); }
.status-unknown { color: var(--muted); }
.banner {
  margin: 1rem 0; padding: 0.7rem 1rem; border-left: 4px solid var(--bad);
  background: var(--err-bg);
}
nav.toc { margin-top: 1rem; font-size: 0.95rem; }
nav.toc ul { margin: 0.3rem 0; padding-left: 0; list-style: none; }
nav.toc ul ul { margin: 0.1rem 0 0.2rem; padding-left: 1.2rem; }
nav.toc ul ul ul { font-size: 0.9rem; }
nav.toc a, main a { color: #0969da; }
main { padding-bottom: 3rem; }
.cell { margin: 1.1rem 0; }
.cell.code { display: grid; grid-template-columns: 5.5rem minmax(0, 1fr); }
.prompt {
  padding: 0.45rem 0.5rem 0 0; text-align: right; color: var(--muted);
  font: 0.8rem/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas,
    "Liberation Mono", monospace;
}
.prompt.not-run { color: #9a6700; font-weight: 600; }
.cell.not-run .source { background: repeating-linear-gradient(
  -45deg, var(--code-bg), var(--code-bg) 8px, #fff 8px, #fff 16px); }
.cell.failed .source { border-left: 4px solid var(--bad); }
pre, code {
  font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas,
    "Liberation Mono", monospace;
}
pre { margin: 0; font-size: 0.85rem; line-height: 1.45; overflow-x: auto; }
.source {
  padding: 0.55rem 0.8rem; background: var(--code-bg);
  border: 1px solid var(--rule); border-radius: 6px;
}
.source code.hljs { padding: 0; background: transparent; }
.outputs { min-width: 0; }
.output { margin-top: 0.4rem; }
.output pre { white-space: pre-wrap; word-break: break-word; padding: 0.2rem 0; }
.out-stderr { background: #fff0f0; padding: 0.3rem 0.5rem !important; }
.out-error {
  border-left: 4px solid var(--bad); background: var(--err-bg);
  padding: 0.5rem 0.8rem; border-radius: 0 6px 6px 0;
}
.error-head { color: var(--bad); margin-bottom: 0.3rem; }
.out-image, .out-svg svg { max-width: 100%; height: auto; }
.out-html table, .md table { border-collapse: collapse; margin: 0.5rem 0; }
.out-html th, .out-html td, .md th, .md td {
  border: 1px solid var(--rule); padding: 0.25rem 0.6rem;
}
.out-unsupported, .removed-image { color: var(--muted); font-style: italic; }
.plot { width: 100%; min-height: 300px; }
.plot-failed { color: var(--bad); min-height: 0; }
.plot-note {
  margin: 0.3rem 0; padding: 0.4rem 0.7rem; color: var(--muted);
  background: var(--code-bg); border-left: 3px solid var(--rule);
}
.md { max-width: 48rem; }
.md code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px; }
.md pre { background: var(--code-bg); padding: 0.6rem 0.8rem; border-radius: 6px; }
.md pre code { padding: 0; }
.md blockquote { margin: 0.5rem 0; padding-left: 1rem; color: var(--muted);
  border-left: 3px solid var(--rule); }
.math-display, .out-latex { overflow-x: auto; overflow-y: hidden; }
table.lessons { border-collapse: collapse; width: 100%; margin: 1rem 0; }
table.lessons th, table.lessons td {
  text-align: left; padding: 0.45rem 0.6rem; border-bottom: 1px solid var(--rule);
}
table.lessons td.num { text-align: right; font-variant-numeric: tabular-nums; }
footer.page { color: var(--muted); font-size: 0.85rem; padding-bottom: 2rem; }
@media (max-width: 40rem) {
  .cell.code { grid-template-columns: minmax(0, 1fr); }
  .prompt { text-align: left; padding: 0 0 0.2rem; }
}
@media print {
  html { font-size: 11pt; }
  main, header.page, nav.toc, footer.page { max-width: none; padding: 0; }
  .cell { break-inside: avoid; }
  .cell.code { grid-template-columns: 4.5rem minmax(0, 1fr); }
  pre { white-space: pre-wrap; word-break: break-word; }
  .plot .modebar-container { display: none; }
  a { color: inherit; }
}
`;
