import vm from "node:vm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setDisplaySink, type DisplayMessage } from "../../lib/src/display.js";
import {
  PLOTLY_MIME,
  figureBundle,
  plotlyLoaderHtml,
  resetPlotlyEmbedding,
  setPlotlySource,
  show,
} from "../../lib/src/figure-output.js";
import { linePlot, type Figure } from "../../lib/src/plot.js";
import { liveFigure, progressBar } from "../../lib/src/progress.js";

// A stand-in for plotly.min.js: a UMD wrapper that, like many bundles,
// prefers AMD, then CommonJS, then a global.
const FAKE_UMD = `(function (root, factory) {
  if (typeof define === "function" && define.amd) define([], factory);
  else if (typeof module === "object" && module.exports)
    module.exports = factory();
  else root.Plotly = factory();
})(typeof self !== "undefined" ? self : this, function () {
  return { version: "9.9.9", marker: "FAKE-PLOTLY-CODE" };
});`;

type Sent = { message: DisplayMessage; update: boolean };
let sent: Sent[] = [];

beforeEach(() => {
  sent = [];
  setDisplaySink((message, update) => sent.push({ message, update }));
  setPlotlySource({ version: "9.9.9", code: FAKE_UMD });
  resetPlotlyEmbedding();
});

afterEach(() => {
  setDisplaySink(null);
  setPlotlySource(null);
});

/** The bodies of the `<script>` elements of an HTML string. */
function scripts(html: string): string[] {
  return [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) => m[1],
  );
}

function fig(title = "Energy"): Figure {
  return linePlot([{ name: "E", y: [2, 1, 0] }], { title });
}

describe("show", () => {
  it("sends one output with the plotly JSON, HTML and text", () => {
    show(fig());
    expect(sent).toHaveLength(1);
    const { message, update } = sent[0];
    expect(update).toBe(false);
    expect(Object.keys(message.data).sort()).toEqual(
      [PLOTLY_MIME, "text/html", "text/plain"].sort(),
    );
    expect(message.data["text/plain"]).toBe("Figure: Energy (1 trace)");
    const json = message.data[PLOTLY_MIME] as Figure;
    expect(json.data[0].y).toEqual([2, 1, 0]);
    expect(json.config).toMatchObject({ displaylogo: false });
  });

  it("embeds plotly.js in the first figure only, until reset", () => {
    show(fig());
    show(fig());
    resetPlotlyEmbedding();
    show(fig());
    const html = sent.map((s) => s.message.data["text/html"] as string);
    expect(html.map((h) => h.includes("FAKE-PLOTLY-CODE"))).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("throws a clear error outside tslab when no sink is set", () => {
    setDisplaySink(null);
    expect(() => show(fig())).toThrow(/not running inside the tslab/);
  });

  it("turns typed arrays in hand-made traces into arrays", () => {
    const f: Figure = {
      data: [{ type: "scatter", y: new Float64Array([1, 2]) }],
      layout: {},
    };
    const json = figureBundle(f)[PLOTLY_MIME] as Figure;
    expect(json.data[0].y).toEqual([1, 2]);
  });
});

describe("plotly loader", () => {
  it("sets window.Plotly even where AMD and CommonJS globals exist", () => {
    const defineCalls: unknown[] = [];
    const define = Object.assign((...a: unknown[]) => defineCalls.push(a), {
      amd: {},
    });
    const window: Record<string, unknown> = {};
    const context = vm.createContext({
      window,
      self: window,
      define,
      module: { exports: {} },
      exports: {},
    });
    const [code] = scripts(plotlyLoaderHtml());
    vm.runInContext(code, context);
    expect(defineCalls).toHaveLength(0);
    expect((window.Plotly as { marker: string }).marker).toBe(
      "FAKE-PLOTLY-CODE",
    );
  });

  it("keeps </script> and <!-- in the library from ending the element", () => {
    const code = `var s = "</script><!-- x"; window.Plotly = { s: s };`;
    const html = plotlyLoaderHtml({ version: "1", code });
    expect(scripts(html)).toHaveLength(1);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    const window: Record<string, unknown> = {};
    vm.runInContext(scripts(html)[0], vm.createContext({ window }));
    expect((window.Plotly as { s: string }).s).toBe("</script><!-- x");
  });

  it("uses the real plotly.js bundle, which has no AMD path", () => {
    setPlotlySource(null);
    const html = plotlyLoaderHtml();
    expect(html.length).toBeGreaterThan(1_000_000);
    expect(html).toContain("window.Plotly = Plotly");
    expect(html).not.toMatch(/define\.amd/);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
  });
});

describe("plot HTML", () => {
  const evil = `</script><script>alert("x")</script> & <b>`;

  it("escapes a title that contains </script>", () => {
    const html = figureBundle(fig(evil))["text/html"] as string;
    // Only our own script element: the title cannot open or close one.
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html.match(/<\/script/gi)).toHaveLength(1);
    expect(html).toContain("&lt;/script&gt;");
  });

  it("hands the figure to Plotly.newPlot unchanged", () => {
    const html = figureBundle(fig(evil))["text/html"] as string;
    const calls: unknown[][] = [];
    const el = { textContent: "placeholder", style: {} };
    const context = vm.createContext({
      window: { Plotly: { newPlot: (...a: unknown[]) => calls.push(a) } },
      document: { getElementById: () => el },
      setTimeout,
    });
    vm.runInContext(scripts(html)[0], context);
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe(el);
    const layout = calls[0][2] as { title: { text: string } };
    expect(layout.title.text).toBe(evil);
    expect(el.textContent).toBe("");
  });

  it("says so visibly when plotly.js never arrives", () => {
    const html = figureBundle(fig())["text/html"] as string;
    const el = { textContent: "", style: { color: "" } };
    const context = vm.createContext({
      window: {},
      document: { getElementById: () => el },
      setTimeout: (f: () => void) => f(), // skip the waiting
    });
    vm.runInContext(scripts(html)[0], context);
    expect(el.textContent).toMatch(/plotly\.js did not load/);
  });
});

describe("liveFigure", () => {
  it("updates one output in place, throttled, with the same display id", () => {
    let t = 0;
    const live = liveFigure(fig("step 0"), { intervalMs: 200, now: () => t });
    // Library first (own output), then the figure with a display id.
    expect(sent).toHaveLength(2);
    expect(sent[0].message.data["text/html"]).toContain("FAKE-PLOTLY-CODE");
    expect(sent[0].message.transient.display_id).toBeUndefined();
    const id = sent[1].message.transient.display_id;
    expect(id).toBe(live.displayId);
    expect(sent[1].update).toBe(false);

    t = 50;
    live.update(fig("step 1")); // too soon: held back
    expect(sent).toHaveLength(2);
    t = 100;
    live.update(fig("step 2")); // replaces the held-back one
    t = 250;
    live.update(fig("step 3")); // due: sent
    t = 260;
    live.update(fig("step 4"));
    live.close(); // the last one goes out
    const updates = sent.slice(2);
    expect(updates.map((s) => s.update)).toEqual([true, true]);
    expect(updates.map((s) => s.message.transient.display_id)).toEqual([
      id,
      id,
    ]);
    expect(updates.map((s) => s.message.data["text/plain"])).toEqual([
      "Figure: step 3 (1 trace)",
      "Figure: step 4 (1 trace)",
    ]);
  });

  it("does not resend the library when it was already embedded", () => {
    show(fig());
    liveFigure(fig());
    expect(sent).toHaveLength(2);
    expect(sent[1].message.data["text/html"]).not.toContain("FAKE-PLOTLY-CODE");
  });
});

describe("progressBar", () => {
  it("shows done/total and always sends the final step", () => {
    let t = 0;
    const bar = progressBar(4, { label: "capacity", now: () => t });
    t = 10;
    bar.update(1, "M = 5"); // within the interval: held
    t = 20;
    bar.update(4, "done"); // final: sent at once
    expect(sent).toHaveLength(2);
    expect(sent[1].update).toBe(true);
    expect(sent[1].message.transient.display_id).toBe(bar.displayId);
    expect(sent[1].message.data["text/plain"]).toBe(
      "capacity [########################] 4/4 done 0.0 s",
    );
    expect(sent[1].message.data["text/html"]).toContain(
      '<progress value="4" max="4">',
    );
  });

  it("rejects a bad total or step", () => {
    expect(() => progressBar(0)).toThrow(RangeError);
    const bar = progressBar(3);
    expect(() => bar.update(4)).toThrow(/done must be in \[0, 3\], got 4/);
  });
});
