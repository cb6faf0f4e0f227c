/**
 * The offline HTML exporter: markdown and math, code, every output type,
 * the plot bundle, run status, and the course index.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  plainTitle,
  renderIndex,
  renderReport,
  type IndexEntry,
  type NotebookOutput,
} from "../../kernel/src/export/index.js";
import { katexCss } from "../../kernel/src/export/assets.js";
import { MIME_PREFERENCE } from "../../kernel/src/export/outputs.js";
import {
  codeCell,
  display,
  executableScripts,
  mainOf,
  markdownCell,
  markupOnly,
  notebook,
  remoteReferences,
  PNG_1X1,
  showcase,
} from "./export-helpers.js";

const fixture = showcase;

function reportMain(...cells: Parameters<typeof notebook>[0]): string {
  return mainOf(renderReport(notebook(cells)));
}

describe("markdown and math", () => {
  it("typesets $, $$, \\( \\) and \\[ \\] math with KaTeX", () => {
    const main = reportMain(
      markdownCell(
        "Inline $a_1 + b_1$ and \\(x^2\\).\n\n$$\nE = -\\frac12 s^T W s\n$$\n\n" +
          "Also \\[y = 1\\] here.",
      ),
    );
    expect(main.match(/<span class="katex">/g)?.length).toBe(4);
    expect(main.match(/class="katex-display"/g)?.length).toBe(2);
    expect(main).toContain(
      '<annotation encoding="application/x-tex">a_1 + b_1',
    );
    expect(main).toContain("E = -\\frac12 s^T W s");
    // Underscores inside math are TeX subscripts, not markdown emphasis.
    expect(main).not.toContain("<em>");
  });

  it("typesets inline math that ends in an escaped brace, also in a table", () => {
    // Broke in the Hopfield report: `$z_j \in \{-1, +1\}$` in a table cell
    // came out as text with its backslashes eaten.
    const main = reportMain(
      markdownCell(
        "Set $S = \\{1, 2\\}$.\n\n| a | b |\n|---|---|\n" +
          "| $z$ | $z_j \\in \\{-1, +1\\}$ |",
      ),
    );
    expect(main.match(/<span class="katex">/g)?.length).toBe(3);
    expect(main).toContain(
      '<annotation encoding="application/x-tex">z_j \\in \\{-1, +1\\}',
    );
  });

  it("leaves prices, escaped dollars and code spans as text", () => {
    const main = reportMain(
      markdownCell("It costs $5 and $6. A \\$ sign. Code: `$x$`."),
    );
    expect(main).not.toContain("katex");
    expect(main).toContain("$5 and $6");
    expect(main).toContain("<code>$x$</code>");
  });

  it("shows a TeX error in place instead of throwing", () => {
    const main = reportMain(markdownCell("Bad: $\\frac{1$ done"));
    expect(main).toContain("katex-error");
    expect(main).toContain("done");
  });

  it("renders GFM tables and headings with anchors for the contents", () => {
    const html = renderReport(
      notebook([
        markdownCell("# Title\n\n## Part A\n\n| a | b |\n|---|---|\n| 1 | 2 |"),
        markdownCell("## Part $B_2$"),
      ]),
    );
    expect(html).toContain("<title>Title</title>");
    expect(html).toMatch(/<h2 id="cell-1-2">Part A<\/h2>/);
    expect(html).toContain('<a href="#cell-1-2">Part A</a>');
    expect(html).toMatch(/<a href="#cell-2-1">Part <span class="katex">/);
    expect(mainOf(html)).toMatch(/<table>[\s\S]*<td>1<\/td>/);
  });

  it("shows the title's math typeset in <h1> and as plain text in <title>", () => {
    // Broke: the header and <title> printed "Unexec $x^2$" verbatim.
    const fromHeading = renderReport(
      notebook([markdownCell("# Unexec $x^2$ and **bold** `code`")]),
    );
    const fromOption = renderReport(notebook([codeCell("1", 1)]), {
      title: "Unexec $x^2$ and **bold** `code`",
    });
    for (const html of [fromHeading, fromOption]) {
      expect(html).toContain("<title>Unexec x^2 and bold code</title>");
      const h1 = /<header class="page">\s*<h1>([\s\S]*?)<\/h1>/.exec(html);
      expect(h1).not.toBeNull();
      expect(h1![1]).toMatch(/^Unexec <span class="katex">/);
      expect(h1![1]).toContain("<strong>bold</strong> <code>code</code>");
      expect(h1![1]).not.toContain("$");
    }
  });

  it("sanitises markup in a title given as an option", () => {
    const html = renderReport(notebook([codeCell("1", 1)]), {
      title: 'Hi <img src=x onerror="alert(1)"> <script>alert(2)</script>',
    });
    expect(html).toContain("<title>Hi</title>");
    expect(markupOnly(html)).not.toMatch(/onerror|alert/);
    expect(executableScripts(html)).toEqual([]);
  });

  it("reduces a title to plain text for reuse (plainTitle)", () => {
    expect(plainTitle("Unexec $x^2$")).toBe("Unexec x^2");
    expect(
      plainTitle("# Energy $E(s)$ of **s**, `W` and [docs](https://x.org) #"),
    ).toBe("Energy E(s) of s, W and docs");
    expect(plainTitle("A &amp; B < C, costs $5 and $6")).toBe(
      "A & B < C, costs $5 and $6",
    );
  });

  it("does not number contents entries that carry their own numbers", () => {
    // Broke: an <ol> put "1." before "1. The Hopfield network".
    const html = renderReport(
      notebook([
        markdownCell(
          "# Lesson\n\n## 1. The Hopfield network\n\n### 1.1 Energy",
        ),
        markdownCell("## 2. Training\n\n#### too deep\n\n### 2.1 Rule"),
      ]),
    );
    const toc = /<nav class="toc">([\s\S]*?)<\/nav>/.exec(html)![1];
    expect(toc).not.toContain("<ol");
    const link = (id: string, text: string) =>
      `<li><a href="#${id}">${text}</a>`;
    expect(toc).toBe(
      "<strong>Contents</strong><ul>" +
        link("cell-1-1", "Lesson") +
        "<ul>" +
        link("cell-1-2", "1. The Hopfield network") +
        "<ul>" +
        link("cell-1-3", "1.1 Energy") +
        "</li></ul></li>" +
        link("cell-2-1", "2. Training") +
        "<ul>" +
        link("cell-2-3", "2.1 Rule") +
        "</li></ul></li></ul></li></ul>",
    );
  });

  it("nests contents that start below the top level or climb above it", () => {
    const html = renderReport(
      notebook([markdownCell("### a\n\n## b\n\n# c\n\n### e\n\n## d")]),
    );
    const toc = /<nav class="toc">([\s\S]*?)<\/nav>/.exec(html)![1];
    expect(toc.replace(/<a href="#[\w-]+">/g, "<a>")).toBe(
      "<strong>Contents</strong><ul><li><a>a</a></li><li><a>b</a></li>" +
        "<li><a>c</a><ul><li><a>e</a></li><li><a>d</a></li></ul></li></ul>",
    );
  });

  it("inlines KaTeX fonts as woff2 data URIs and nothing else", () => {
    const css = katexCss();
    expect(css).toMatch(/src:url\(data:font\/woff2;base64,[A-Za-z0-9+/]/);
    expect(css).not.toMatch(/url\((?!data:)/);
    expect(css).not.toMatch(/\.woff\)|\.ttf\)/);
  });
});

describe("code cells", () => {
  it("highlights TypeScript and shows the execution count", () => {
    const main = reportMain(codeCell("const n: number = 3; // three", 7));
    expect(main).toContain("In&nbsp;[7]:");
    expect(main).toContain('<span class="hljs-keyword">const</span>');
    expect(main).toContain('<span class="hljs-comment">// three</span>');
  });

  it("escapes source that looks like HTML", () => {
    const main = reportMain(codeCell('const s = "<script>x</script>";', 1));
    expect(main).not.toContain("<script>x");
    expect(main).toContain("&lt;script&gt;x&lt;/script&gt;");
  });
});

describe("outputs", () => {
  it("keeps stdout and stderr apart and colours ANSI codes", () => {
    const main = reportMain(
      codeCell("log()", 1, [
        { output_type: "stream", name: "stdout", text: ["a\n", "b\n"] },
        { output_type: "stream", name: "stdout", text: "c\n" },
        {
          output_type: "stream",
          name: "stderr",
          text: "\u001b[31mred\u001b[0m",
        },
      ]),
    );
    // Consecutive writes to one stream are merged, as Jupyter shows them.
    expect(main).toContain(
      '<pre class="out-stream out-stdout">a\nb\nc\n</pre>',
    );
    expect(main).toMatch(
      /<pre class="out-stream out-stderr"><span style="color:rgb\(\d+,0,0\)">red<\/span>/,
    );
    expect(main).not.toContain("\u001b");
  });

  it("shows an error's name, message and traceback", () => {
    const main = reportMain(
      codeCell("boom()", 1, [
        {
          output_type: "error",
          ename: "RangeError",
          evalue: "shape [2, 3] <bad>",
          traceback: ["\u001b[31mRangeError\u001b[0m: shape", "    at boom"],
        },
      ]),
    );
    expect(main).toContain(
      "<strong>RangeError</strong>: shape [2, 3] &lt;bad&gt;",
    );
    expect(main).toMatch(
      /<pre class="traceback"><span style="color:[^"]+">RangeError/,
    );
    expect(main).toContain("    at boom");
    expect(main).toContain('class="cell code failed"');
  });

  it("renders every supported MIME type", () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ "text/html": "<b>bold</b>" }, /<div class="out-html"><b>bold<\/b>/],
      [
        { "image/png": PNG_1X1 },
        /<img class="out-image" alt="" src="data:image\/png;base64,iVBOR/,
      ],
      [
        { "image/jpeg": ["/9j/4AAQ\n", "SkZJRg=="] },
        /src="data:image\/jpeg;base64,\/9j\/4AAQSkZJRg=="/,
      ],
      [
        { "image/svg+xml": '<svg viewBox="0 0 2 2"><circle r="1"/></svg>' },
        /<div class="out-svg"><svg viewbox="0 0 2 2"><circle r="1"><\/circle><\/svg>/,
      ],
      [
        { "text/latex": "$$\\alpha^2$$" },
        /<div class="out-latex"><span class="katex-display">/,
      ],
      [
        { "text/markdown": "**m** is $3$" },
        /<strong>m<\/strong> is <span class="katex">/,
      ],
      [
        { "application/json": { a: [1, 2] } },
        /<pre class="out-json">\{\n {2}&quot;a&quot;/,
      ],
      [
        { "text/plain": "42 <x>" },
        /<pre class="out-plain">42 &lt;x&gt;<\/pre>/,
      ],
    ];
    for (const [data, expected] of cases) {
      expect(reportMain(codeCell("x", 1, [display(data)]))).toMatch(expected);
    }
  });

  it("picks the first present type in the preference order", () => {
    expect(MIME_PREFERENCE.slice(0, 6)).toEqual([
      "application/vnd.plotly.v1+json",
      "text/html",
      "image/svg+xml",
      "image/png",
      "image/jpeg",
      "text/latex",
    ]);
    const main = reportMain(
      codeCell("x", 1, [
        display({
          "text/plain": "plain",
          "image/png": PNG_1X1,
          "text/html": "<i>h</i>",
        }),
        display({
          "text/plain": "plain",
          "text/latex": "$x$",
          "image/jpeg": PNG_1X1,
        }),
      ]),
    );
    expect(main).toContain("<i>h</i>");
    expect(main).toContain("image/jpeg");
    expect(main).not.toContain("plain");
    expect(main).not.toContain("out-latex");
  });

  it("names outputs it cannot show", () => {
    const main = reportMain(
      codeCell("x", 1, [display({ "application/x-widget": {} })]),
    );
    expect(main).toContain("[output not shown: application/x-widget]");
  });
});

describe("no script and no network from notebook content", () => {
  const attacks = [
    "<script>alert(1)</script>",
    '<img src="x.png" onerror="alert(2)">',
    '<a href="javascript:alert(3)">click</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x">',
    "<style>@import url(https://evil.example/x.css);</style>",
    '<div style="background:url(https://evil.example/bg.png)">bg</div>',
    '<img src="https://evil.example/remote.png" alt="far away">',
    '<img src="//evil.example/proto-relative.png">',
    '<svg><image href="https://evil.example/i.png"/></svg>',
    '<form action="https://evil.example/"><input type="text"></form>',
    '<link rel="stylesheet" href="https://evil.example/s.css">',
  ].join("\n");

  function expectHarmless(main: string): void {
    expect(main).not.toMatch(/<script/i);
    expect(main).not.toMatch(/\son\w+\s*=/i);
    expect(main).not.toMatch(/javascript:/i);
    expect(main).not.toMatch(/<(iframe|object|embed|form|link|style)\b/i);
    expect(main).not.toMatch(/alert\(1\)/);
    expect(remoteReferences(main)).toEqual([]);
  }

  it("sanitises raw HTML in markdown cells", () => {
    const main = reportMain(
      markdownCell(`Text\n\n${attacks}\n\n[ok](https://example.org/)`),
    );
    expectHarmless(main);
    // A remote image becomes a visible note; ordinary links stay.
    expect(main).toContain("[remote image not included: far away]");
    expect(main).toContain('href="https://example.org/"');
  });

  it("sanitises text/html and text/markdown outputs", () => {
    const main = reportMain(
      codeCell("x", 1, [
        display({ "text/html": attacks }),
        display({ "text/markdown": attacks }),
      ]),
    );
    expectHarmless(main);
  });

  it("sanitises SVG outputs", () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">' +
      "<script>alert(1)</script>" +
      '<foreignObject><iframe src="https://evil.example/"></iframe></foreignObject>' +
      '<use href="https://evil.example/s.svg#a"/><use href="#local"/>' +
      '<rect fill="url(https://evil.example/p)" width="1"/>' +
      '<rect fill="url(#grad)" width="2"/></svg>';
    const main = reportMain(
      codeCell("x", 1, [display({ "image/svg+xml": svg })]),
    );
    expectHarmless(main);
    expect(main).toContain('<use href="#local">');
    expect(main).toContain('fill="url(#grad)"');
  });

  it("uses the plot JSON and never the plot's HTML script", () => {
    // The plotly bundle itself names its CDN in strings; look at markup.
    const html = renderReport(fixture);
    expect(markupOnly(html)).not.toContain("cdn.plot.ly");
    expect(html).not.toContain("whole plotly library would be here");
    expect(remoteReferences(html)).toEqual([]);
  });

  it("keeps plot data from closing its <script> block", () => {
    const evil = "</script><script>alert(1)</script><!--";
    const html = renderReport(
      notebook([
        codeCell("plot()", 1, [
          display({
            "application/vnd.plotly.v1+json": {
              data: [{ type: "scatter", y: [1, 2], name: evil }],
              layout: { title: { text: evil } },
            },
          }),
        ]),
      ]),
    );
    const json =
      /<script type="application\/json" class="plot-data">([\s\S]*?)<\/script>/.exec(
        html,
      );
    expect(json).not.toBeNull();
    expect(JSON.parse(json![1]).data[0].name).toBe(evil);
    expect(mainOf(html)).not.toContain("<script>alert(1)");
  });

  it("allows only its own scripts by hash in the page CSP", () => {
    const html = renderReport(fixture);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/
      .exec(html)![1]
      .replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    const scripts = executableScripts(html);
    expect(scripts.length).toBe(2);
    for (const body of scripts) {
      const hash = createHash("sha256").update(body, "utf8").digest("base64");
      expect(csp).toContain(`'sha256-${hash}'`);
    }
  });
});

describe("plot bundle", () => {
  // Each dist bundle opens with "plotly.js v3.7.0" or, for a partial
  // bundle, "plotly.js (cartesian - minified) v3.7.0".
  const bundleMarker = /\* plotly\.js (\(\w+ - minified\) )?v\d+\.\d+\.\d+/g;

  it("is inlined once for a page with two plots", () => {
    const html = renderReport(fixture);
    expect(html.match(bundleMarker)?.length).toBe(1);
    expect(html.match(/<div class="plot" data-mn-plot><\/div>/g)?.length).toBe(
      2,
    );
    expect(executableScripts(html).length).toBe(2);
  });

  it("is absent from a page without plots", () => {
    const html = renderReport(
      notebook([codeCell("1", 1, [display({ "text/plain": "1" })])]),
    );
    expect(html).not.toMatch(bundleMarker);
    expect(executableScripts(html)).toEqual([]);
    expect(html).toContain("script-src 'none'".replace(/'/g, "&#39;"));
  });

  it("makes no remote reference in the whole fixture page", () => {
    expect(remoteReferences(renderReport(fixture))).toEqual([]);
  });
});

describe("run status and failures", () => {
  it("shows status, duration, date and parameters from the run record", () => {
    const html = renderReport(fixture);
    expect(html).toContain('<span class="status status-bad">failed</span>');
    expect(html).toContain("took 12.3 s");
    expect(html).toContain("on 2025-03-01 09:30 UTC");
    expect(html).toContain("epochs = 3, quick = true");
    expect(html).toContain("11 of 13 code cells run");
  });

  it("points at the failing cell and marks later cells not run", () => {
    const html = renderReport(fixture);
    expect(html).toMatch(
      /stopped with an error in <a href="#cell-15">In \[11\]<\/a>/,
    );
    expect(html).toContain('<section class="cell code failed" id="cell-15">');
    expect(html.match(/class="cell code not-run"/g)?.length).toBe(2);
    expect(
      html.match(/<div class="prompt not-run"[^>]*>not run<\/div>/g)?.length,
    ).toBe(2);
  });

  it("does not call a blank code cell 'not run'", () => {
    const html = renderReport(
      notebook([codeCell("  \n", null), codeCell("1", 1)]),
    );
    expect(mainOf(html)).not.toContain("not-run");
    expect(html).toContain("1 of 1 code cells run");
    expect(html).toContain("No run record");
  });

  it("reports a timeout without an error output", () => {
    const html = renderReport(
      notebook([codeCell("slow()", null)], {
        memnets: { run: { status: "timeout", durationMs: 61_000 } },
      }),
    );
    expect(html).toContain("Run status: timeout.");
    expect(html).toContain("took 1 min 01 s");
  });

  it("titles the page from options, first # heading, or file name", () => {
    const plain = notebook([codeCell("1", 1)]);
    expect(renderReport(plain, { sourcePath: "a/03-rbm.ipynb" })).toContain(
      "<title>03-rbm</title>",
    );
    expect(renderReport(fixture, { title: "Given" })).toContain(
      "<title>Given</title>",
    );
    expect(renderReport(fixture)).toContain(
      "<title>Hopfield networks: a test lesson</title>",
    );
  });

  it("does not claim a run stopped when there is no run record", () => {
    // Broke: "No run record" and "This run stopped with an error in In [1]"
    // side by side.
    const html = renderReport(
      notebook([
        codeCell("boom()", 1, [
          { output_type: "error", ename: "Error", evalue: "x", traceback: [] },
        ]),
        codeCell("later()", null),
      ]),
    );
    expect(html).toContain("No run record");
    expect(html).toContain(
      'This notebook carries an error output in <a href="#cell-1">In [1]</a>.',
    );
    expect(html).not.toMatch(/this run|stopped|after it/i);
  });

  it("does not say a run stopped when it went on past allowed errors", () => {
    const error: NotebookOutput = {
      output_type: "error",
      ename: "Error",
      evalue: "allowed",
      traceback: [],
    };
    const html = renderReport(
      notebook([codeCell("a()", 1, [error]), codeCell("b()", 2, [error])], {
        memnets: { run: { status: "errors" } },
      }),
    );
    expect(html).toContain(
      "This run went on past errors it was allowed. Error outputs in " +
        '<a href="#cell-1">In [1]</a>, <a href="#cell-2">In [2]</a>.',
    );
    expect(html).not.toContain("stopped");
  });

  it("rejects input that is not an nbformat-4 notebook", () => {
    expect(() => renderReport({} as never)).toThrow(TypeError);
    expect(() => renderReport({ nbformat: 3, cells: [] } as never)).toThrow(
      /nbformat must be 4, got 3/,
    );
  });
});

describe("renderIndex", () => {
  const entries: IndexEntry[] = [
    {
      title: "Hopfield networks",
      href: "01-hopfield.html",
      status: "ok",
      cellsRun: 20,
      codeCells: 20,
      durationMs: 65_000,
      sourcePath: "notebooks/01-hopfield.ipynb",
    },
    {
      title: "RBM: a < b <script>alert(1)</script>",
      href: "02-rbm.html",
      status: "failed",
      cellsRun: 7,
      codeCells: 18,
      durationMs: 4_200,
      sourcePath: "notebooks/02-rbm.ipynb",
    },
  ];

  it("lists every lesson with status, cells run and run time", () => {
    const html = renderIndex(entries, {
      title: "Course",
      generatedAt: new Date("2025-03-02T10:00:00Z"),
      extraLinks: [{ title: "Benchmarks", href: "bench.html", note: "speed" }],
    });
    expect(html).toContain('<a href="01-hopfield.html">Hopfield networks</a>');
    expect(html).toContain('<a href="02-rbm.html">RBM: a &lt; b</a>');
    expect(html).toContain('<td class="num">20 / 20</td>');
    expect(html).toContain('<td class="num">7 / 18</td>');
    expect(html).toContain("1 min 05 s");
    expect(html).toContain('<span class="status status-bad">failed</span>');
    expect(html).toContain("1 of 2 lessons did not finish cleanly");
    expect(html).toContain('<a href="bench.html">Benchmarks</a> — speed');
    expect(html).toContain("Generated 2025-03-02 10:00 UTC.");
    expect(executableScripts(html)).toEqual([]);
    expect(remoteReferences(html)).toEqual([]);
  });

  it("shows lesson titles' markdown and math rendered, not raw", () => {
    // Broke: the index printed "Unexec $x^2$" as it stands in the notebook.
    const html = renderIndex([
      { ...entries[0], title: "Unexec $x^2$ and **bold** [link](x.html)" },
    ]);
    const link = /<a href="01-hopfield\.html">([\s\S]*?)<\/a><br>/.exec(html);
    expect(link).not.toBeNull();
    expect(link![1]).toMatch(/^Unexec <span class="katex">/);
    expect(link![1]).toContain("<strong>bold</strong>");
    // A link inside the title would nest inside the row's own link.
    expect(link![1]).not.toContain("<a ");
    expect(link![1]).toContain("link");
    expect(html).not.toContain("$x^2$");
    expect(html).toContain("KaTeX_Main");
    expect(remoteReferences(html)).toEqual([]);
  });

  it("rejects a script link", () => {
    expect(() =>
      renderIndex([{ ...entries[0], href: "javascript:alert(1)" }]),
    ).toThrow(/entries\[0\]\.href/);
  });
});
