/**
 * Third-party files a report inlines, read once from node_modules and
 * cached for the life of the process: KaTeX's CSS with its fonts as data:
 * URIs, the highlight.js theme, and the plotly bundles. NOTICE.md at the
 * repository root lists their licences.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { inlineScriptSource } from "./html.js";

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

/** Read a package file once; later calls return the cached text. */
function cached(key: string, load: () => string): string {
  let value = cache.get(key);
  if (value === undefined) {
    value = load();
    cache.set(key, value);
  }
  return value;
}

/**
 * KaTeX's stylesheet with every @font-face reduced to its woff2 file,
 * embedded as base64. Every browser we target reads woff2, and dropping the
 * woff/ttf fallbacks keeps the page ~1 MB lighter.
 */
export function katexCss(): string {
  return cached("katex.css", () => {
    const cssPath = require.resolve("katex/dist/katex.min.css");
    const fontDir = path.join(path.dirname(cssPath), "fonts");
    const css = readFileSync(cssPath, "utf8").replace(
      /src:[^;}]*url\(fonts\/([\w-]+\.woff2)\)[^;}]*/g,
      (_whole, file: string) => {
        const data = readFileSync(path.join(fontDir, file)).toString("base64");
        return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
      },
    );
    // A font left as a relative URL would be fetched from next to the page.
    if (/url\((?!data:)/.test(css)) {
      throw new Error(`katex CSS still references a font file: ${cssPath}`);
    }
    const { version } = require("katex/package.json") as { version: string };
    const notice =
      `/*! KaTeX ${version} stylesheet, MIT licence, (c) Khan Academy and ` +
      `contributors; KaTeX fonts under the SIL Open Font License 1.1 */\n`;
    return notice + css;
  });
}

/** The highlight.js GitHub theme (light, prints well). */
export function highlightCss(): string {
  return cached("hljs.css", () =>
    readFileSync(require.resolve("highlight.js/styles/github.min.css"), "utf8"),
  );
}

/**
 * The plotly.js dist bundles a page may inline, smallest first, each with
 * the trace types it registers (as listed in plotly.js's dist/README.md and
 * checked against each bundle's `Plotly.PlotSchema` in the browser test).
 * `traces: undefined` marks the full bundle, which has every type.
 */
export const PLOTLY_BUNDLES: readonly {
  file: string;
  traces?: readonly string[];
}[] = [
  { file: "plotly-basic.min.js", traces: ["bar", "pie", "scatter"] },
  {
    file: "plotly-cartesian.min.js",
    traces: [
      "bar",
      "box",
      "contour",
      "heatmap",
      "histogram",
      "histogram2d",
      "histogram2dcontour",
      "image",
      "pie",
      "scatter",
      "scatterternary",
      "violin",
    ],
  },
  { file: "plotly.min.js" },
];

/** The smallest bundle whose trace types include every one of `types`. */
export function choosePlotlyBundle(types: Iterable<string>): string {
  const wanted = [...types];
  const bundle = PLOTLY_BUNDLES.find(
    ({ traces }) => !traces || wanted.every((type) => traces.includes(type)),
  );
  return bundle!.file;
}

/** Throw unless `file` is one of PLOTLY_BUNDLES. */
function checkBundle(file: string): void {
  if (!PLOTLY_BUNDLES.some((bundle) => bundle.file === file)) {
    const known = PLOTLY_BUNDLES.map((bundle) => bundle.file).join(", ");
    throw new RangeError(
      `plotlyBundle: file must be one of ${known}, got ${JSON.stringify(file)}`,
    );
  }
}

/** A plotly.js dist bundle, made safe to place inside <script>. */
export function plotlyBundle(file: string): string {
  checkBundle(file);
  return cached(file, () =>
    inlineScriptSource(
      readFileSync(require.resolve(`plotly.js/dist/${file}`), "utf8"),
    ),
  );
}

/** CSP hash source (`'sha256-...'`) of an inline script's exact text. */
export function scriptHash(source: string): string {
  const digest = createHash("sha256").update(source, "utf8").digest("base64");
  return `'sha256-${digest}'`;
}

/** scriptHash of plotlyBundle(file), computed once (bundles are 1-5 MB). */
export function plotlyBundleHash(file: string): string {
  return cached(`${file}:sha256`, () => scriptHash(plotlyBundle(file)));
}
