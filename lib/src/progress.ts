/**
 * Live displays for training loops: a figure and a progress line, each one
 * notebook output replaced in place (Jupyter `update_display_data` with the
 * output's display id) rather than a new output per step.
 *
 * Updates are throttled: at most one per `intervalMs` (default 200 ms) goes
 * out; a skipped update is sent later by a timer, or at once by `close()`.
 * A synchronous loop blocks timers, so call `close()` after the loop to be
 * sure the last state is shown (a progress bar sends `done === total` at
 * once by itself).
 */
import {
  displayBundle,
  escapeHtml,
  newDisplayId,
  sendsInStretch,
  updateBundle,
} from "./display";
import type { MimeBundle } from "./display";
import { ensurePlotlyEmbedded, figureBundle } from "./figure-output";
import type { Figure } from "./plot";

/** Options shared by the live displays. */
export interface LiveOptions {
  /** Least time between two sent updates, ms; default 200. */
  intervalMs?: number;
  /** Clock in ms (tests inject one); default `Date.now`. */
  now?: () => number;
}

/** Sends at most one update per interval; keeps the latest skipped one. */
class Throttle {
  private last = -Infinity;
  private pending: (() => void) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private error: unknown = null;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * The interval doubles for every 50 messages the displays sent in the
   * current synchronous stretch, so a long loop in one cell keeps its
   * budget (see display.ts) for about ten minutes of updates.
   */
  private interval(): number {
    return this.intervalMs * 2 ** Math.floor(sendsInStretch() / 50);
  }

  push(send: () => void, force: boolean): void {
    this.rethrow();
    const t = this.now();
    if (force || t - this.last >= this.interval()) {
      this.pending = null;
      this.clearTimer();
      this.last = t;
      send();
      return;
    }
    this.pending = send;
    if (this.timer === null) {
      const wait = Math.max(0, this.interval() - (t - this.last));
      this.timer = setTimeout(() => this.flushFromTimer(), wait);
      // The timer must not keep a script or a test process alive.
      this.timer.unref?.();
    }
  }

  /** Sends the pending update, if any. */
  flush(): void {
    this.rethrow();
    this.clearTimer();
    const send = this.pending;
    this.pending = null;
    if (send) {
      this.last = this.now();
      send();
    }
  }

  private flushFromTimer(): void {
    this.timer = null;
    // A throw here would be uncaught; keep it for the next call instead.
    try {
      this.flush();
    } catch (e) {
      this.error = e;
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private rethrow(): void {
    const e = this.error;
    this.error = null;
    if (e !== null) throw e;
  }
}

function makeThrottle(options: LiveOptions): Throttle {
  const interval = options.intervalMs ?? 200;
  if (typeof interval !== "number" || !(interval >= 0)) {
    throw new RangeError(`intervalMs must be >= 0, got ${interval}`);
  }
  return new Throttle(interval, options.now ?? Date.now);
}

/** A figure output that can be redrawn in place. */
export interface LiveFigure {
  /** Jupyter display id of the output. */
  readonly displayId: string;
  /** Shows `fig` in place of the current figure (throttled). */
  update(fig: Figure): void;
  /** Sends the last skipped update now. */
  close(): void;
}

/**
 * Displays `fig` now and returns a handle that replaces it in place.
 * plotly.js is sent first as an output of its own if not yet embedded.
 */
export function liveFigure(fig: Figure, options: LiveOptions = {}): LiveFigure {
  const throttle = makeThrottle(options);
  const displayId = newDisplayId();
  const first = figureBundle(fig);
  ensurePlotlyEmbedded();
  displayBundle(first, displayId);
  throttle.push(() => undefined, true); // the first display starts the clock
  return {
    displayId,
    update(next: Figure): void {
      const bundle = figureBundle(next);
      throttle.push(() => updateBundle(displayId, bundle), false);
    },
    close(): void {
      throttle.flush();
    },
  };
}

/** A one-line progress display. */
export interface ProgressBar {
  readonly displayId: string;
  /** Records `done` of `total` steps and an optional note (throttled). */
  update(done: number, message?: string): void;
  /** Sends the last skipped update now. */
  close(): void;
}

/**
 * Shows a progress line `label [#####-----] done/total message, seconds`
 * (HTML: a `<progress>` element) and returns a handle to advance it.
 */
export function progressBar(
  total: number,
  options: LiveOptions & { label?: string } = {},
): ProgressBar {
  if (!Number.isInteger(total) || total <= 0) {
    throw new RangeError(
      `progressBar: total must be a positive integer, got ${total}`,
    );
  }
  const throttle = makeThrottle(options);
  const now = options.now ?? Date.now;
  const start = now();
  const label = options.label ?? "";
  const displayId = newDisplayId();
  displayBundle(progressBundle(label, 0, total, "", 0), displayId);
  throttle.push(() => undefined, true);

  return {
    displayId,
    update(done: number, message = ""): void {
      if (typeof done !== "number" || !(done >= 0 && done <= total)) {
        throw new RangeError(
          `progressBar.update: done must be in [0, ${total}], got ${done}`,
        );
      }
      const seconds = (now() - start) / 1000;
      const bundle = progressBundle(label, done, total, message, seconds);
      throttle.push(() => updateBundle(displayId, bundle), done === total);
    },
    close(): void {
      throttle.flush();
    },
  };
}

/** Text and HTML forms of one state of a progress line. */
export function progressBundle(
  label: string,
  done: number,
  total: number,
  message: string,
  seconds: number,
): MimeBundle {
  const width = 24;
  const filled = Math.round((width * done) / total);
  const bar = "#".repeat(filled) + "-".repeat(width - filled);
  const count = `${done}/${total}`;
  const time = `${seconds.toFixed(1)} s`;
  const text = [label, `[${bar}]`, count, message, time]
    .filter((part) => part !== "")
    .join(" ");
  const html =
    `<div style="font-family:monospace">` +
    (label ? `${escapeHtml(label)} ` : "") +
    `<progress value="${done}" max="${total}"></progress> ` +
    `${count} ${escapeHtml(message)} (${time})</div>`;
  return { "text/html": html, "text/plain": text };
}
