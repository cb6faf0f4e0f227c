/**
 * Keeps the tslab kernel's output from being lost in long cells.
 *
 * tslab 1.0.22 sends every message with zeromq.js's `socket.send(...)` and
 * does not wait for it. zeromq.js completes 512 sends in a row at once and
 * makes the next one wait for the event loop; a send made while that one is
 * still waiting throws "Socket is busy writing". A cell that runs without
 * letting the event loop turn (a training loop) and outputs more than that
 * then loses output: console lines vanish (Node's console ignores write
 * errors), a display call throws, and the cell's error report itself cannot
 * be sent, so the cell fails with no message. The count runs over the whole
 * session, not per cell, so any cell can be the one that crosses it.
 *
 * The fix, installed once when the library is loaded inside tslab: each
 * socket of the kernel's own zeromq.js gets a queue. A send that would
 * throw "busy", and every send after it while the queue is not empty, is
 * queued in order and sent (awaiting each) when the event loop turns. No
 * message is lost or reordered; a long synchronous cell only delays them.
 */

interface Sendable {
  send(message: unknown): Promise<void>;
}

const ZEROMQ_INDEX = /[\\/]zeromq[\\/]lib[\\/]index\.js$/;
const PATCHED = Symbol.for("memnets.queuedSend");

/** The zeromq.js module the running kernel loaded, if any. */
function kernelZeromq(): { Socket?: { prototype: object } } | undefined {
  for (const [file, mod] of Object.entries(require.cache)) {
    if (ZEROMQ_INDEX.test(file) && mod?.exports) {
      return mod.exports as { Socket?: { prototype: object } };
    }
  }
  return undefined;
}

const isBusy = (err: unknown) =>
  err instanceof Error && /busy writing/i.test(err.message);

/**
 * Wraps `send` of zeromq.js's socket prototype with a per-socket queue.
 * Returns true when installed now or earlier, false when no zeromq.js is
 * loaded (not inside a kernel: nothing to do).
 */
export function queueKernelSends(): boolean {
  const proto = kernelZeromq()?.Socket?.prototype as
    (Sendable & { [PATCHED]?: boolean }) | undefined;
  if (proto === undefined || typeof proto.send !== "function") return false;
  if (proto[PATCHED]) return true;
  const original = proto.send;
  const queues = new WeakMap<object, unknown[]>();

  async function drain(socket: Sendable, queue: unknown[]): Promise<void> {
    while (queue.length > 0) {
      try {
        await original.call(socket, queue[0]);
      } catch (err) {
        // Busy again: wait for the loop; any other failure drops the one
        // message, as an unqueued send would have.
        if (isBusy(err)) {
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
      }
      queue.shift();
    }
    queues.delete(socket);
  }

  function queuedSend(this: Sendable, message: unknown) {
    const queue = queues.get(this);
    if (queue !== undefined) {
      queue.push(message);
      return Promise.resolve();
    }
    try {
      return original.call(this, message);
    } catch (err) {
      if (!isBusy(err)) throw err;
      const fresh = [message];
      queues.set(this, fresh);
      void drain(this, fresh);
      return Promise.resolve();
    }
  }
  // zeromq.js defines `send` read-only but configurable.
  Object.defineProperty(proto, "send", {
    value: queuedSend,
    writable: false,
    enumerable: false,
    configurable: true,
  });
  proto[PATCHED] = true;
  return true;
}
