/**
 * Rich output from notebook cells: one Jupyter output carrying several MIME
 * types, and outputs that are later replaced in place (live displays).
 *
 * The messages follow the Jupyter messaging spec (`display_data` and
 * `update_display_data`, with `transient.display_id` naming the output to
 * replace). They leave through a *sink*: by default the one of the running
 * tslab kernel, or one injected with `setDisplaySink` (tests, other hosts).
 *
 * Limits: only tslab is supported as a live kernel; outside it, displaying
 * throws unless a sink has been injected.
 *
 * Long cells: tslab does not wait on its sends, and zeromq.js refuses a
 * send made while its 513th in a row waits for the event loop, which a
 * synchronous cell never lets turn. tslab-sends.ts queues such sends, so
 * nothing is lost. On top of that, this module rate-limits itself: past
 * STRETCH_BUDGET messages before the event loop next turns, updates are
 * held (the newest per display id) and new outputs queued, and both go out
 * when the loop turns, so a long loop does not pile up stale updates.
 */
import { randomBytes } from "crypto";

import { queueKernelSends } from "./tslab-sends";

/** MIME type -> content; JSON types carry objects, text types strings. */
export type MimeBundle = Record<string, unknown>;

/** The content of a `display_data` / `update_display_data` message. */
export interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

/** Receives each output; `update` is true for `update_display_data`. */
export type DisplaySink = (message: DisplayMessage, update: boolean) => void;

let injectedSink: DisplaySink | null = null;

/**
 * Routes all displays to `sink` instead of the tslab kernel; `null` restores
 * the default. Tests use it to record what would be sent.
 */
export function setDisplaySink(sink: DisplaySink | null): void {
  if (sink !== null && typeof sink !== "function") {
    throw new TypeError(
      `setDisplaySink: sink must be a function or null, got ${typeof sink}`,
    );
  }
  injectedSink = sink;
}

interface TslabJupyterModule {
  lastWriteDisplayData: DisplaySink | null;
}

const TSLAB_JUPYTER = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

// Inside the tslab kernel, queue sends so long cells lose no output.
if (Object.keys(require.cache).some((file) => TSLAB_JUPYTER.test(file))) {
  queueKernelSends();
}

/**
 * The writer of the running tslab kernel.
 *
 * Why not tslab's public `display.raw(mime, data)`: it sends one MIME type
 * per output, and a figure must be one output with three (plotly JSON, HTML,
 * plain text) so each frontend picks the one it can render. tslab 1.0.22
 * (pinned exactly) keeps the writer it uses for the current cell in
 * `dist/jupyter.js` as `lastWriteDisplayData(content, update)`; we call it.
 * It is reassigned for every executed cell, so it is looked up on each call.
 * The kernel's own copy of tslab is found in require's cache first, so a
 * tslab installed elsewhere than beside this library still works.
 */
function tslabSink(): DisplaySink {
  let jupyter: TslabJupyterModule | undefined;
  for (const [file, mod] of Object.entries(require.cache)) {
    const exported = mod?.exports as TslabJupyterModule | undefined;
    if (TSLAB_JUPYTER.test(file) && exported?.lastWriteDisplayData) {
      jupyter = exported;
      break;
    }
  }
  if (jupyter === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      jupyter = require("tslab/dist/jupyter") as TslabJupyterModule;
    } catch {
      jupyter = undefined;
    }
  }
  const write = jupyter?.lastWriteDisplayData;
  if (typeof write !== "function") {
    throw new Error(
      "display: not running inside the tslab Jupyter kernel (no display " +
        "writer found); run this in a tslab notebook, or call " +
        "setDisplaySink(sink) to receive the outputs",
    );
  }
  return write;
}

/** The sink that displays go to now. */
function currentSink(): DisplaySink {
  return injectedSink ?? tslabSink();
}

/** Messages our displays may send in one synchronous stretch. */
export const STRETCH_BUDGET = 300;

let sentInStretch = 0;
let turnScheduled = false;
/** Held updates by display id (newest wins) and queued new outputs. */
const heldUpdates = new Map<string, () => void>();
const queuedOutputs: (() => void)[] = [];

/** Messages sent since the event loop last turned (the live displays back off). */
export function sendsInStretch(): number {
  return sentInStretch;
}

/** When the event loop turns: a new stretch; send what was held, in order. */
function onTurn(): void {
  turnScheduled = false;
  sentInStretch = 0;
  const pending = [...queuedOutputs, ...heldUpdates.values()];
  queuedOutputs.length = 0;
  heldUpdates.clear();
  for (const send of pending) budgeted(send, null);
}

/**
 * Sends now if the stretch has budget left; otherwise holds `send` (under
 * `updateId`, replacing an older held update of that display) until the
 * event loop turns.
 */
function budgeted(send: () => void, updateId: string | null): void {
  if (!turnScheduled) {
    turnScheduled = true;
    setImmediate(onTurn).unref?.();
  }
  if (sentInStretch >= STRETCH_BUDGET) {
    if (updateId === null) queuedOutputs.push(send);
    else heldUpdates.set(updateId, send);
    return;
  }
  sentInStretch++;
  send();
}

/** A fresh display id, unique across kernel sessions sharing one page. */
export function newDisplayId(): string {
  return randomBytes(8).toString("hex");
}

/**
 * Sends `bundle` as one output. With `displayId`, the output can later be
 * replaced by `updateBundle(displayId, ...)`.
 */
export function displayBundle(bundle: MimeBundle, displayId?: string): void {
  checkBundle(bundle, "displayBundle");
  const transient = displayId === undefined ? {} : { display_id: displayId };
  const sink = currentSink();
  const message = { data: bundle, metadata: {}, transient };
  budgeted(() => sink(message, false), null);
}

/** Replaces the output shown earlier with `displayId` by `bundle`. */
export function updateBundle(displayId: string, bundle: MimeBundle): void {
  checkBundle(bundle, "updateBundle");
  if (typeof displayId !== "string" || displayId === "") {
    throw new TypeError(
      `updateBundle: displayId must be a non-empty string, got ${displayId}`,
    );
  }
  const transient = { display_id: displayId };
  const sink = currentSink();
  const message = { data: bundle, metadata: {}, transient };
  budgeted(() => sink(message, true), displayId);
}

function checkBundle(bundle: MimeBundle, caller: string): void {
  if (bundle === null || typeof bundle !== "object") {
    throw new TypeError(`${caller}: bundle must be an object, got ${bundle}`);
  }
  if (typeof bundle["text/plain"] !== "string") {
    throw new TypeError(
      `${caller}: bundle needs a "text/plain" string fallback`,
    );
  }
}

/**
 * Escapes text for an HTML element body or a quoted attribute value.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * JSON that can sit inside an inline `<script>`: `<`, `>` and `&` become
 * \u escapes, so a string holding `</script>` or `<!--` cannot end or
 * derail the script element; U+2028/2029 are escaped for old JS engines.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
