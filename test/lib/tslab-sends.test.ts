/**
 * zeromq.js throws "Socket is busy writing" on a send made while its 513th
 * in a row still waits for the event loop; tslab does not wait on sends, so
 * long cells lost output. queueKernelSends queues such sends in order.
 */
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { queueKernelSends } from "../../lib/src/tslab-sends.js";

const require = createRequire(import.meta.url);
// Loaded through require, so it sits in require.cache as in the kernel.
const zmq = require("zeromq") as typeof import("zeromq");

const pub = new zmq.Publisher();
const sub = new zmq.Subscriber();
afterAll(() => {
  pub.close();
  sub.close();
});

describe("queueKernelSends", () => {
  it("sends 2000 messages from one synchronous loop, all, in order", async () => {
    await pub.bind("tcp://127.0.0.1:*");
    sub.connect(pub.lastEndpoint as string);
    sub.subscribe();
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Without the queue the 514th send throws.
    let threw = 0;
    for (let i = 0; i < 600; i++) {
      try {
        void pub.send(["before", String(i)]).catch(() => undefined);
      } catch {
        threw++;
      }
    }
    expect(threw).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(queueKernelSends()).toBe(true);
    expect(queueKernelSends()).toBe(true); // idempotent
    const received: number[] = [];
    const reading = (async () => {
      for await (const [topic, body] of sub) {
        if (topic.toString() !== "after") continue;
        received.push(Number(body.toString()));
        if (received.length === 2000) return;
      }
    })();
    for (let i = 0; i < 2000; i++) void pub.send(["after", String(i)]);
    await reading;
    expect(received).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  }, 20_000);
});
