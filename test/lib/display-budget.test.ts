/**
 * The displays' per-stretch budget: zeromq.js under tslab throws on the
 * 514th message a synchronous stretch sends, so our displays send at most
 * STRETCH_BUDGET per stretch and hold the rest until the event loop turns.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  displayBundle,
  sendsInStretch,
  setDisplaySink,
  STRETCH_BUDGET,
  updateBundle,
  type DisplayMessage,
} from "../../lib/src/display.js";
import { progressBar } from "../../lib/src/progress.js";

const turn = () => new Promise((resolve) => setImmediate(resolve));
const text = (s: string) => ({ "text/plain": s });

afterEach(() => setDisplaySink(null));

describe("the display budget of a synchronous stretch", () => {
  it("holds updates past the budget and sends the newest when the loop turns", async () => {
    const got: [DisplayMessage, boolean][] = [];
    setDisplaySink((m, update) => got.push([m, update]));
    await turn();
    displayBundle(text("start"), "a");
    for (let i = 0; i < 2 * STRETCH_BUDGET; i++) {
      updateBundle("a", text(`step ${i}`));
    }
    expect(got.length).toBe(STRETCH_BUDGET);
    expect(sendsInStretch()).toBe(STRETCH_BUDGET);
    await turn();
    // One more message: the newest held update, nothing older.
    expect(got.length).toBe(STRETCH_BUDGET + 1);
    expect(got.at(-1)?.[0].data["text/plain"]).toBe(
      `step ${2 * STRETCH_BUDGET - 1}`,
    );
    expect(got.at(-1)?.[1]).toBe(true);
    expect(sendsInStretch()).toBe(1);
  });

  it("queues new outputs past the budget in order, none lost", async () => {
    const got: string[] = [];
    setDisplaySink((m) => got.push(String(m.data["text/plain"])));
    await turn();
    const n = STRETCH_BUDGET + 20;
    for (let i = 0; i < n; i++) displayBundle(text(`out ${i}`));
    expect(got.length).toBe(STRETCH_BUDGET);
    await turn();
    expect(got).toEqual(Array.from({ length: n }, (_, i) => `out ${i}`));
  });

  it("makes a progress bar back off so a long loop stays within budget", async () => {
    let sent = 0;
    setDisplaySink(() => sent++);
    await turn();
    let clock = 0;
    const bar = progressBar(1_000_000, { now: () => clock });
    // Ten simulated minutes of updates every 10 ms, never yielding.
    for (let i = 1; clock < 600_000; i++) {
      clock += 10;
      bar.update(i);
    }
    // Without back-off this would be 3000 messages at one per 200 ms.
    expect(sent).toBeGreaterThan(200);
    expect(sent).toBeLessThanOrEqual(STRETCH_BUDGET);
    bar.close();
  });
});
