/**
 * The grader's reports: the student's feedback page, the class CSV and the
 * class page, built from hand-made GradeResults.
 */
import { describe, expect, it } from "vitest";
import type {
  CheckVerdict,
  GradeResult,
} from "../../kernel/src/grade/grade.js";
import {
  feedbackHtml,
  submissionStem,
  summaryCsv,
  summaryHtml,
  type BatchInfo,
} from "../../kernel/src/grade/report.js";
import { resourceReferences } from "./export-helpers.js";

const RUN_MARKER = "HIDDEN_CHECK_SOURCE_7f3a";

function verdict(over: Partial<CheckVerdict> & { id: string }): CheckVerdict {
  return {
    points: 2,
    hidden: false,
    ran: true,
    passed: true,
    earned: 2,
    message: "",
    ...over,
  };
}

function result(over: Partial<GradeResult> = {}): GradeResult {
  return {
    submission: "alice.ipynb",
    path: "/in/alice.ipynb",
    sha256: "ab".repeat(32),
    assignment: "01-hopfield",
    status: "graded",
    reason: null,
    score: 2,
    maxScore: 6,
    checks: [
      verdict({ id: "hebb-sym" }),
      verdict({
        id: "hebb-diag",
        passed: false,
        earned: 0,
        message: "expectClose: W[0][0] differs",
      }),
      verdict({
        id: "hebb-random",
        hidden: true,
        passed: false,
        earned: 0,
        message: "HIDDEN_MESSAGE: expected 0.25 at [3][4]",
      }),
    ],
    studentErrors: [],
    notes: [],
    review: [],
    sandboxed: true,
    durationMs: 12_340,
    peakMemoryMb: 140,
    gradedAt: "2025-01-02T03:04:05.000Z",
    run: {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: "code",
          metadata: {},
          source: [`check("hebb-random", 2, () => ${RUN_MARKER});`],
          outputs: [],
          execution_count: null,
        },
      ],
    },
    ...over,
  };
}

const BATCH: BatchInfo = {
  startedAt: "2025-01-02T03:00:00.000Z",
  durationMs: 120_000,
  jobs: 2,
  sandboxed: true,
  limits: {
    memoryMb: 1024,
    diskMb: 64,
    outputMb: 8,
    cellTimeoutS: 60,
    timeoutS: 600,
  },
};

/** Cells of the <tbody> rows, tags stripped. */
function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
      c[1].replace(/<[^>]+>/g, ""),
    ),
  );
}

/** Reads RFC 4180 CSV back into rows of fields (CRLF ends a row). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ",") {
      row.push(field);
      field = "";
    } else if (!quoted && ch === "\r" && text[i + 1] === "\n") {
      rows.push([...row, field]);
      row = [];
      field = "";
      i++;
    } else {
      field += ch;
    }
  }
  expect(quoted).toBe(false);
  expect(row.length + field.length).toBe(0);
  return rows;
}

function expectOffline(html: string): void {
  expect(html.startsWith("<!doctype html>")).toBe(true);
  expect(html).toContain('<meta charset="utf-8">');
  expect(html).not.toMatch(/https?:\/\//i);
  expect(html).not.toMatch(/\ssrc\s*=/i);
  expect(html).not.toMatch(/<script/i);
  expect(resourceReferences(html)).toEqual([]);
}

describe("feedbackHtml", () => {
  it("shows the score, percent and each check in order", () => {
    const html = feedbackHtml(result());
    expect(html).toContain("Score 2 / 6 (33.3%)");
    expect(html).toContain("01-hopfield");
    const rows = tableRows(html);
    expect(rows.map((r) => r.slice(0, 5))).toEqual([
      ["hebb-sym", "visible", "2", "2", "passed"],
      ["hebb-diag", "visible", "2", "0", "failed"],
      ["hebb-random", "hidden", "2", "0", "failed"],
    ]);
    expect(rows[1][5]).toBe("expectClose: W[0][0] differs");
    expectOffline(html);
  });

  it("lists hidden checks by id only, and leaks neither run nor review", () => {
    const html = feedbackHtml(
      result({ review: ["cell 3 calls require(...) REVIEW_FLAG"] }),
    );
    expect(html).toContain("hebb-random");
    expect(html).not.toContain("HIDDEN_MESSAGE");
    expect(html).not.toContain(RUN_MARKER);
    expect(html).not.toContain("REVIEW_FLAG");
  });

  it("states the reason of a zero prominently", () => {
    const html = feedbackHtml(
      result({
        status: "zero",
        reason: "ran out of memory in cell 4",
        score: 0,
        checks: [
          verdict({ id: "a", earned: 0 }),
          verdict({
            id: "b",
            ran: false,
            passed: false,
            earned: 0,
            message: "not run",
          }),
        ],
      }),
    );
    expect(html).toMatch(
      /class="banner"><strong>Scored zero: ran out of memory in cell 4/,
    );
    expect(tableRows(html).map((r) => r[4])).toEqual(["passed", "not run"]);
  });

  it("escapes script tags, quotes and ampersands from the student", () => {
    const evil = `<script>alert("x")</script> & 'y'`;
    const html = feedbackHtml(
      result({
        submission: `${evil}.ipynb`,
        checks: [
          verdict({ id: "c<1>", passed: false, earned: 0, message: evil }),
        ],
        studentErrors: [{ cell: 2, error: `Error: ${evil}` }],
        notes: [`check cell edited ${evil}`],
      }),
    );
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`"x"`);
    const escaped =
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;";
    // File name (title, header, footer), message, student error, note.
    expect(html.split(escaped).length - 1).toBe(6);
    expect(html).toContain("<code>c&lt;1&gt;</code>");
    expectOffline(html);
  });
});

describe("summaryCsv", () => {
  it("writes the header and one CRLF row per submission", () => {
    const csv = summaryCsv([result()]);
    expect(csv).toBe(
      "submission,assignment,status,score,max_score,percent,checks_passed," +
        "checks_total,reason,notes,review,duration_s,peak_memory_mb," +
        "sha256\r\n" +
        `alice.ipynb,01-hopfield,graded,2,6,33.3,1,3,,,,12.3,140,` +
        `${"ab".repeat(32)}\r\n`,
    );
  });

  it("quotes RFC 4180 fields and guards formulas, reading back", () => {
    const r = result({
      submission: '=HYPERLINK("x"),1.ipynb',
      assignment: "@sum",
      status: "zero",
      reason: 'line one\nsaid "no", then\r\nstopped',
      score: 0,
      maxScore: 0,
      sha256: null,
      notes: ["+cmd", '-2, "a"'],
      review: ["\tcell 1 uses globalThis"],
    });
    const rows = parseCsv(summaryCsv([r, result()]));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual([
      `'=HYPERLINK("x"),1.ipynb`,
      "'@sum",
      "zero",
      "0",
      "0",
      "",
      "1",
      "3",
      'line one\nsaid "no", then\r\nstopped',
      `'+cmd; -2, "a"`,
      "'\tcell 1 uses globalThis",
      "12.3",
      "140",
      "",
    ]);
    expect(rows[2][0]).toBe("alice.ipynb");
  });
});

describe("summaryHtml", () => {
  const scores = [0, 55, 100, 100].map((p, i) =>
    result({
      submission: `s${i}.ipynb`,
      score: p,
      maxScore: 100,
      status: p === 0 ? "zero" : "graded",
      reason: p === 0 ? "the file is not valid JSON" : null,
    }),
  );

  it("bins score percent, 100 in the last bin", () => {
    const html = summaryHtml(scores, BATCH);
    const bins = [
      ...html.matchAll(
        /data-bin="(\d)" data-count="(\d+)"[\s\S]*?class="count">(\d+)</g,
      ),
    ].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(bins).toEqual([
      [0, 1, 1],
      [1, 0, 0],
      [2, 0, 0],
      [3, 0, 0],
      [4, 0, 0],
      [5, 1, 1],
      [6, 0, 0],
      [7, 0, 0],
      [8, 0, 0],
      [9, 2, 2],
    ]);
    expect(html).toContain("score (%)");
    expectOffline(html);
  });

  it("shows counts, mean, median, throughput and limits", () => {
    const html = summaryHtml(scores, BATCH);
    expect(html).toContain("4 submissions: 3 graded");
    expect(html).toContain("1 scored zero");
    expect(html).toContain("Mean 63.8% · median 77.5%");
    expect(html).toContain("2.0 submissions per minute, 30.0 s per submission");
    expect(html).toContain("memory 1024 MB");
    expect(html).not.toContain("WITHOUT");
    const open = summaryHtml(scores, { ...BATCH, sandboxed: false });
    expect(open).toContain("WITHOUT isolation");
  });

  it("sorts rows by name, links feedback pages and marks zeros", () => {
    const evil = result({
      submission: `b"<img src=x>&.ipynb`,
      review: ["cell 1 <b>x</b>"],
    });
    const html = summaryHtml(
      [result({ submission: "s10.ipynb" }), evil, ...scores],
      BATCH,
    );
    const rows = tableRows(html).map((r) => r[0]);
    expect(rows).toEqual([
      "b&quot;&lt;img src=x&gt;&amp;.ipynb",
      "s0.ipynb",
      "s1.ipynb",
      "s2.ipynb",
      "s3.ipynb",
      "s10.ipynb",
    ]);
    expect(html).toContain(
      '<a href="submissions/b__img_src_x__/feedback.html">',
    );
    expect(html).toContain("cell 1 &lt;b&gt;x&lt;/b&gt;");
    expect(html).toMatch(/<tr class="zero"><td><a href="submissions\/s0\//);
    expect(html).not.toContain(RUN_MARKER);
    expect(html).not.toContain("<img");
  });

  it("links the folder it is given for each result", () => {
    const html = summaryHtml([result()], BATCH, ["group a__alice"]);
    expect(html).toContain('href="submissions/group%20a__alice/feedback.html"');
    expect(() => summaryHtml([result()], BATCH, [])).toThrow(RangeError);
  });
});

describe("submissionStem", () => {
  it.each([
    ["alice.ipynb", "alice"],
    ["Bob Smith (2).IPYNB", "Bob_Smith__2_"],
    ["../../etc/passwd", ".._.._etc_passwd"],
    ["Анна.ipynb", "Анна"],
    ["Иванов И.И..ipynb", "Иванов_И.И."],
    ["😀.ipynb", "_"],
    [".ipynb", "_"],
    ["..ipynb", "_"],
    ["...ipynb", "__"],
    ["", "_"],
    ["hw-1_v2.final.ipynb", "hw-1_v2.final"],
  ])("%j -> %j", (name, stem) => {
    expect(submissionStem(name)).toBe(stem);
  });
});
