/**
 * Plots in the report: which plotly bundle a page inlines, and figures
 * that would need the network (geo and map plots, remote images).
 */
import { describe, expect, it } from "vitest";
import { renderReport } from "../../kernel/src/export/index.js";
import {
  choosePlotlyBundle,
  PLOTLY_BUNDLES,
} from "../../kernel/src/export/assets.js";
import {
  codeCell,
  display,
  executableScripts,
  mainOf,
  notebook,
  remoteReferences,
  PNG_1X1,
  showcase,
} from "./export-helpers.js";

const fixture = showcase;
const PNG_URI = `data:image/png;base64,${PNG_1X1}`;

/** A page with one plot per figure. */
function plotPage(...figures: Record<string, unknown>[]): string {
  return renderReport(
    notebook(
      figures.map((figure, i) =>
        codeCell(`plot${i}()`, i + 1, [
          display({ "application/vnd.plotly.v1+json": figure }),
        ]),
      ),
    ),
  );
}

/** The name of the plotly bundle a page inlined, or undefined. */
function bundleOf(html: string): string | undefined {
  const match = /\* plotly\.js (?:\((\w+) - minified\) )?v\d+\.\d+\.\d+/.exec(
    html,
  );
  if (!match) return undefined;
  return match[1] ?? "full";
}

/** Parsed JSON of every plot the page will draw. */
function plotSpecs(html: string): Record<string, unknown>[] {
  const pattern =
    /<script type="application\/json" class="plot-data">([\s\S]*?)<\/script>/g;
  return [...html.matchAll(pattern)].map((m) => JSON.parse(m[1]));
}

describe("plotly bundle choice", () => {
  it("inlines the cartesian bundle, not the full one, for scatter and heatmap", () => {
    // Broke: every report with a plot carried the whole 4.8 MB plotly.min.js.
    const html = renderReport(fixture);
    expect(bundleOf(html)).toBe("cartesian");
    expect(html.length).toBeLessThan(2_500_000);
  });

  it("inlines the basic bundle when only scatter, bar and pie are drawn", () => {
    const html = plotPage(
      { data: [{ y: [1, 2] }, { type: "bar", y: [3, 1] }] },
      { data: [{ type: "pie", values: [1, 2] }] },
    );
    expect(bundleOf(html)).toBe("basic");
  });

  it("takes a trace without a type as scatter", () => {
    expect(choosePlotlyBundle(["scatter"])).toBe("plotly-basic.min.js");
    expect(bundleOf(plotPage({ data: [{ x: [1], y: [2] }] }))).toBe("basic");
  });

  it("inlines the full bundle for a type no partial bundle has", () => {
    const html = plotPage(
      { data: [{ type: "heatmap", z: [[1]] }] },
      { data: [{ type: "scatter3d", x: [1], y: [2], z: [3] }] },
    );
    expect(bundleOf(html)).toBe("full");
    expect(html.length).toBeGreaterThan(4_000_000);
  });

  it("chooses the smallest bundle covering every type", () => {
    expect(choosePlotlyBundle([])).toBe("plotly-basic.min.js");
    expect(choosePlotlyBundle(["bar", "pie"])).toBe("plotly-basic.min.js");
    for (const type of [
      "box",
      "contour",
      "heatmap",
      "histogram",
      "histogram2d",
      "histogram2dcontour",
      "image",
      "scatterternary",
      "violin",
    ]) {
      expect(choosePlotlyBundle(["scatter", type])).toBe(
        "plotly-cartesian.min.js",
      );
    }
    for (const type of ["scattergl", "surface", "sankey", "unknowntype"]) {
      expect(choosePlotlyBundle(["heatmap", type])).toBe("plotly.min.js");
    }
    expect(PLOTLY_BUNDLES[PLOTLY_BUNDLES.length - 1]).toEqual({
      file: "plotly.min.js",
    });
  });

  it("lets the page run exactly the bundle it inlined (CSP hash)", () => {
    const html = plotPage({ data: [{ type: "violin", y: [1, 2, 3] }] });
    expect(bundleOf(html)).toBe("cartesian");
    expect(executableScripts(html).length).toBe(2);
  });
});

describe("plots that would need the network", () => {
  it("shows a note, not an empty box, for geo and map plots", () => {
    // Broke: a scattergeo plot left a blank gap; its topojson fetch failed
    // only in the console.
    const html = plotPage(
      { data: [{ type: "scattergeo", lat: [0], lon: [0] }] },
      { data: [{ type: "choroplethmap", locations: ["a"], z: [1] }] },
    );
    const main = mainOf(html);
    expect(main).not.toContain("data-mn-plot");
    expect(main).toContain(
      '<p class="plot-note" role="note">Plot not drawn: its scattergeo ' +
        "trace(s) need map data or images from the network",
    );
    expect(main).toContain("its choroplethmap trace(s)");
    // Nothing left to draw: no bundle, no script.
    expect(bundleOf(html)).toBeUndefined();
    expect(executableScripts(html)).toEqual([]);
  });

  it("draws the other plots of a page that has a map plot", () => {
    const html = plotPage(
      { data: [{ type: "scattermapbox", lat: [0], lon: [0] }] },
      { data: [{ type: "heatmap", z: [[1, 2]] }] },
    );
    expect(plotSpecs(html).length).toBe(1);
    expect(bundleOf(html)).toBe("cartesian");
  });

  it("shows a note for an image trace whose source is a URL", () => {
    const remote = plotPage({
      data: [{ type: "image", source: "https://example.org/p.png" }],
    });
    expect(mainOf(remote)).toContain("its image with a remote source trace");
    expect(plotSpecs(remote)).toEqual([]);
    const inline = plotPage({ data: [{ type: "image", source: PNG_URI }] });
    expect(plotSpecs(inline).length).toBe(1);
  });

  it("drops layout images with a remote source and says so", () => {
    // Broke: layout.images pointing at a URL were requested by the page.
    const figure = {
      data: [{ y: [1, 2] }],
      layout: {
        images: [
          { source: "https://example.org/logo.png", x: 0, y: 0 },
          { source: PNG_URI, x: 1, y: 1 },
          { source: "//example.org/proto-relative.png" },
        ],
        template: {
          layout: { images: [{ source: "http://example.org/t.png" }] },
        },
      },
    };
    const before = JSON.stringify(figure);
    const html = plotPage(figure);
    const [spec] = plotSpecs(html);
    const layout = spec.layout as {
      images: { source: string }[];
      template: { layout: { images: unknown[] } };
    };
    expect(layout.images.map((image) => image.source)).toEqual([PNG_URI]);
    expect(layout.template.layout.images).toEqual([]);
    expect(mainOf(html)).toContain(
      "3 layout image(s) with a remote source were left out of this plot",
    );
    expect(mainOf(html)).not.toContain("example.org");
    expect(remoteReferences(html)).toEqual([]);
    // The notebook's own figure is left as it was.
    expect(JSON.stringify(figure)).toBe(before);
  });

  it("adds no note to a plot whose images are all inline", () => {
    const html = plotPage({
      data: [{ y: [1] }],
      layout: { images: [{ source: PNG_URI }] },
    });
    expect(mainOf(html)).not.toContain("plot-note");
    expect(plotSpecs(html)[0].layout).toEqual({
      images: [{ source: PNG_URI }],
    });
  });
});
