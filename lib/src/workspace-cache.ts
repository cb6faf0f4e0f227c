/**
 * The scratch of a recurrent model per input shape (B, T), shared by the
 * `RNN` (rnn.ts) and the stacked models (recurrent-stack.ts): a small
 * cache of the most recently used shapes. Keeping every shape forever let
 * a model that scores texts of many lengths grow without bound (lengths
 * 2..400 took 327 MB); a few shapes cover the usual pattern of one
 * training shape, one validation shape and the two of sampling.
 *
 * A workspace pushed out of the cache is marked released: a forward
 * result that still points to it is refused by the backward passes with
 * a message that says so, rather than reading scratch that is gone.
 *
 * Dimension letters: B sequences, T steps.
 */

import { describeValue } from "./tensor";

/** How many shapes a model keeps scratch for. */
export const WORKSPACE_SHAPES = 4;

/** The scratch of one shape: all the cache needs to know of it. */
export interface ShapedWorkspace {
  readonly batch: number;
  readonly steps: number;
}

/**
 * At most `WORKSPACE_SHAPES` workspaces, one per (B, T), the least
 * recently used pushed out first.
 */
export class WorkspaceCache<W extends ShapedWorkspace> {
  /** Insertion order is use order: the first entry is the oldest. */
  private readonly live = new Map<string, W>();
  private readonly released = new WeakSet<W>();

  /** The workspace of (B, T), made by `make` if none is kept. */
  get(B: number, T: number, make: () => W): W {
    const key = `${B}x${T}`;
    let ws = this.live.get(key);
    if (ws) this.live.delete(key);
    else ws = make();
    this.live.set(key, ws);
    for (const [oldKey, old] of this.live) {
      if (this.live.size <= WORKSPACE_SHAPES) break;
      this.live.delete(oldKey);
      this.released.add(old);
    }
    return ws;
  }

  /**
   * Throws a TypeError naming `cache` unless `ws` (its workspace) is one
   * this cache holds now.
   */
  check(cache: unknown, ws: unknown): void {
    const w = ws as W;
    if (
      typeof ws === "object" &&
      ws !== null &&
      this.live.get(`${w.batch}x${w.steps}`) === w
    ) {
      return;
    }
    if (typeof ws === "object" && ws !== null && this.released.has(w)) {
      throw new TypeError(
        `cache: its scratch was released (the model keeps the ` +
          `${WORKSPACE_SHAPES} most recently used shapes, and forward ` +
          `passes of other shapes pushed [${w.batch}, ${w.steps}] out); ` +
          `run forward() again before backward()`,
      );
    }
    throw new TypeError(
      `cache: expected the result of this model's forward(), got ` +
        describeValue(cache),
    );
  }
}
