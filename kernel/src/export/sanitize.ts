/**
 * Sanitising notebook-made HTML and SVG before it enters a report.
 *
 * A report must run no script a notebook wrote and load nothing over the
 * network. sanitize-html removes what is not on an allowlist (so <script>,
 * <iframe>, <object>, <style>, on* handlers and javascript: URLs go); the
 * hooks below also drop images and styles that would fetch a remote
 * resource. Hyperlinks (<a href="https://...">) are kept: following one is
 * the reader's choice, not a load made by the page.
 */
import sanitizeHtml from "sanitize-html";
import type { IOptions, Attributes } from "sanitize-html";
import { escapeHtml } from "./html.js";

/** A raster or vector image held inline; the only image source we keep. */
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,/i;

/**
 * CSS that could load a resource or run code: url() to anything but a
 * fragment, @import, IE expression()/behavior, and backslash escapes that
 * could spell those words in disguise.
 */
const UNSAFE_CSS =
  /url\s*\(\s*['"]?(?!#)|@import|expression\s*\(|behavior\s*:|\\/i;

/** Attributes holding CSS or a CSS-like paint value that may use url(). */
const CSS_VALUED =
  /^(style|fill|stroke|clip-path|mask|filter|cursor|marker(-start|-mid|-end)?)$/i;

/** Drop attributes whose value would fetch a resource (style, fill=url()). */
function dropUnsafeValues(attribs: Attributes): Attributes {
  const kept: Attributes = {};
  for (const [name, value] of Object.entries(attribs)) {
    if (!(CSS_VALUED.test(name) && UNSAFE_CSS.test(value))) {
      kept[name] = value;
    }
  }
  return kept;
}

/** Replace an image whose source is not inline data by a visible note. */
function transformImage(tagName: string, attribs: Attributes) {
  const src = (attribs.src ?? "").trim();
  if (DATA_IMAGE.test(src)) {
    return { tagName, attribs: dropUnsafeValues(attribs) };
  }
  const alt = attribs.alt ? `: ${attribs.alt}` : "";
  return {
    tagName: "span",
    attribs: { class: "removed-image" },
    text: `[remote image not included${alt}]`,
  };
}

const GLOBAL_ATTRIBUTES = ["class", "title", "lang", "dir", "style", "align"];

const HTML_OPTIONS: IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    "img",
    "del",
    "ins",
    "details",
    "summary",
    "input",
  ],
  allowedAttributes: {
    "*": GLOBAL_ATTRIBUTES,
    a: ["href", "name", "rel"],
    img: ["src", "alt", "width", "height"],
    td: ["colspan", "rowspan"],
    th: ["colspan", "rowspan", "scope"],
    ol: ["start", "type"],
    input: ["type", "checked", "disabled"],
    h1: ["id"],
    h2: ["id"],
    h3: ["id"],
    h4: ["id"],
    h5: ["id"],
    h6: ["id"],
  },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["data"] },
  allowProtocolRelative: false,
  transformTags: {
    "*": (tagName, attribs) => ({
      tagName,
      attribs: dropUnsafeValues(attribs),
    }),
    img: transformImage,
    // GFM task lists render checkboxes; no other form control is wanted.
    input: (_tagName, attribs) => ({
      tagName: attribs.type === "checkbox" ? "input" : "span",
      attribs: { ...attribs, type: "checkbox", disabled: "" },
    }),
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...dropUnsafeValues(attribs), rel: "noopener noreferrer" },
    }),
  },
};

/** Sanitise an HTML fragment from a markdown cell or a text/html output. */
export function sanitizeFragment(html: string): string {
  return sanitizeHtml(html, HTML_OPTIONS);
}

/**
 * Options for a title's inline HTML: the markdown allowlist without links
 * (a title sits inside the contents' and the index's own links, and links
 * do not nest) and without block elements.
 */
const TITLE_OPTIONS: IOptions = {
  ...HTML_OPTIONS,
  allowedTags: [
    "em",
    "strong",
    "code",
    "del",
    "ins",
    "sub",
    "sup",
    "b",
    "i",
    "s",
    "u",
    "mark",
    "small",
    "abbr",
    "kbd",
    "span",
    "img",
    "br",
  ],
};

/** Sanitise a heading's or title's inline HTML; tags not kept leave text. */
export function sanitizeTitle(html: string): string {
  return sanitizeHtml(html, TITLE_OPTIONS);
}

/** Strip every tag, leaving escaped text (for titles and the contents). */
export function htmlToText(html: string): string {
  return sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} });
}

// SVG elements and attributes seen in plotting libraries' output. Names are
// lower case because the HTML parser lowercases them; a browser restores
// the SVG spelling (clipPath, viewBox) when it parses inline SVG in HTML.
const SVG_TAGS = [
  "svg",
  "g",
  "path",
  "rect",
  "circle",
  "ellipse",
  "line",
  "polyline",
  "polygon",
  "text",
  "tspan",
  "textpath",
  "defs",
  "clippath",
  "mask",
  "lineargradient",
  "radialgradient",
  "stop",
  "pattern",
  "marker",
  "symbol",
  "use",
  "title",
  "desc",
  "image",
  "metadata",
];

const SVG_ATTRIBUTES = [
  "id",
  "class",
  "style",
  "x",
  "y",
  "x1",
  "y1",
  "x2",
  "y2",
  "cx",
  "cy",
  "r",
  "rx",
  "ry",
  "dx",
  "dy",
  "d",
  "points",
  "width",
  "height",
  "viewbox",
  "preserveaspectratio",
  "transform",
  "fill",
  "fill-opacity",
  "fill-rule",
  "stroke",
  "stroke-width",
  "stroke-opacity",
  "stroke-linecap",
  "stroke-linejoin",
  "stroke-dasharray",
  "stroke-dashoffset",
  "stroke-miterlimit",
  "opacity",
  "clip-path",
  "clip-rule",
  "clippathunits",
  "mask",
  "font-family",
  "font-size",
  "font-weight",
  "font-style",
  "text-anchor",
  "dominant-baseline",
  "alignment-baseline",
  "letter-spacing",
  "offset",
  "stop-color",
  "stop-opacity",
  "gradientunits",
  "gradienttransform",
  "fx",
  "fy",
  "patternunits",
  "markerwidth",
  "markerheight",
  "refx",
  "refy",
  "orient",
  "markerunits",
  "marker-start",
  "marker-mid",
  "marker-end",
  "href",
  "xlink:href",
  "version",
  "xmlns",
  "xmlns:xlink",
  "visibility",
  "display",
  "textlength",
  "lengthadjust",
];

/** `href` inside SVG may only point at a fragment or an inline image. */
function transformSvgLink(tagName: string, attribs: Attributes) {
  const kept = dropUnsafeValues(attribs);
  for (const name of ["href", "xlink:href"]) {
    const value = (kept[name] ?? "").trim();
    if (value && !value.startsWith("#") && !DATA_IMAGE.test(value)) {
      delete kept[name];
    }
  }
  return { tagName, attribs: kept };
}

const SVG_OPTIONS: IOptions = {
  allowedTags: SVG_TAGS,
  allowedAttributes: { "*": SVG_ATTRIBUTES },
  allowedSchemes: ["data"],
  allowProtocolRelative: false,
  transformTags: {
    "*": (tagName, attribs) => ({
      tagName,
      attribs: dropUnsafeValues(attribs),
    }),
    use: transformSvgLink,
    image: transformSvgLink,
  },
};

/** Sanitise an image/svg+xml output for inline display. */
export function sanitizeSvg(svg: string): string {
  // An XML prolog or doctype has no place inside an HTML body.
  const body = svg.replace(/<\?xml[\s\S]*?\?>|<!DOCTYPE[\s\S]*?>/gi, "");
  const clean = sanitizeHtml(body, SVG_OPTIONS);
  return clean.trim() === "" ? escapeHtml("[empty SVG]") : clean;
}
