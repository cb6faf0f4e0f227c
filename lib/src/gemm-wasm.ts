/**
 * The WebAssembly side of GEMM (issue 3): loads `gemm-relaxed.wasm`, or
 * `gemm.wasm` where relaxed SIMD is unavailable (both built from
 * `lib/wasm/*.ts` by `node lib/wasm/build.mjs`), owns its shared linear
 * memory, copies operands in and the result out, and drives an optional
 * worker thread that runs a second instance of the module over the same
 * memory.
 *
 * Memory layout (byte offsets, 64-byte aligned): the module's static data,
 * then per thread a packing buffer for op(A), one for op(B) and a scratch
 * tile, then A, B and C of the current call. The memory only grows (to the
 * largest product seen), so repeated calls allocate nothing in it.
 *
 * Limits: synchronous; with two threads the main thread blocks in
 * `Atomics.wait` while the worker computes its half of C. The worker is
 * started on first use and does not keep the process alive.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import type { FloatArray } from "./tensor";

// @types/node 20 does not declare the WebAssembly global (TypeScript keeps
// it in lib.dom); these are the members used here.
interface WasmModule {
  readonly kind?: "WebAssembly.Module";
}
interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (d: {
    initial: number;
    maximum: number;
    shared: boolean;
  }) => WasmMemory;
  Instance: new (
    module: WasmModule,
    imports: object,
  ) => { readonly exports: object };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Exports of gemm.wasm; pointers are byte offsets into its memory. */
interface Kernels {
  sgemm: KernelFn;
  dgemm: KernelFn;
  packABytes(elementBytes: number): number;
  packBBytes(elementBytes: number): number;
  tileBytes(): number;
  heapBase(): number;
}

// (transA, transB, m, n, k, alpha, beta, a, b, c, i0, i1, j0, j1, pa, pb,
// tile): computes rows [i0, i1) x cols [j0, j1) of C.
type KernelFn = (...args: number[]) => void;

/** One wasm GEMM call, in the argument order of `KernelFn`. */
export interface WasmJob {
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
}

const PAGE = 65536;
/** wasm32's limit: 65536 pages of 64 KiB, 4 GiB. */
const MAX_PAGES = 65536;
const align = (x: number) => Math.ceil(x / 64) * 64;

// Runs in the worker: a second instance of the module over the shared
// memory; each job is one kernel call, and completion is signalled through
// a shared flag because the main thread is blocked in Atomics.wait.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { module, memory, flag } = workerData;
const done = new Int32Array(flag);
let kernels;
try {
  kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
} catch {}
parentPort.on("message", ({ name, args }) => {
  let status = 1;
  try { kernels[name](...args); } catch { status = 2; }
  Atomics.store(done, 0, status);
  Atomics.notify(done, 0);
});
`;

/** Reads a module beside the compiled lib, or in lib/dist from lib/src. */
function readWasm(name: string): Uint8Array {
  const candidates = [
    path.join(__dirname, name),
    path.join(__dirname, "..", "dist", name),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined) {
    throw new Error(
      `${name} not found (looked in ${candidates.join(", ")}); ` +
        "build it with `npm run build` or `node lib/wasm/build.mjs`",
    );
  }
  return readFileSync(found);
}

/**
 * The relaxed-SIMD module (fused multiply-add) when this V8 accepts it;
 * Node 20 (V8 11.3) does so only behind a flag, which must be set before
 * the module is compiled; later Nodes ship relaxed SIMD on by default.
 */
function loadModule(): WasmModule {
  const relaxed = readWasm("gemm-relaxed.wasm");
  if (!wasm.validate(relaxed)) {
    setFlagsFromString("--experimental-wasm-relaxed-simd");
  }
  if (wasm.validate(relaxed)) return new wasm.Module(relaxed);
  return new wasm.Module(readWasm("gemm.wasm"));
}

class WasmGemm {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly kernels: Kernels;
  /** Bytes of packing buffers and tile for one thread. */
  private readonly scratchBytes: number;
  /** First byte of thread 0's scratch. */
  private readonly scratchBase: number;
  private worker: Worker | undefined;
  private done: Int32Array | undefined;

  constructor() {
    this.module = loadModule();
    this.memory = new wasm.Memory({
      initial: 2,
      maximum: MAX_PAGES,
      shared: true,
    });
    const instance = new wasm.Instance(this.module, {
      env: { memory: this.memory },
    });
    this.kernels = instance.exports as unknown as Kernels;
    const k = this.kernels;
    // Sized for float64, the larger element, so one layout serves both.
    this.scratchBytes =
      align(k.packABytes(8)) + align(k.packBBytes(8)) + align(k.tileBytes());
    this.scratchBase = align(k.heapBase());
  }

  /** Pointers (pa, pb, tile) of thread t's scratch. */
  scratch(t: number): [number, number, number] {
    const k = this.kernels;
    const pa = this.scratchBase + t * this.scratchBytes;
    const pb = pa + align(k.packABytes(8));
    return [pa, pb, pb + align(k.packBBytes(8))];
  }

  /** Grows the memory to at least `bytes`. */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > MAX_PAGES * PAGE) {
      // The operands are copied whole into wasm memory (4 GiB at most).
      throw new RangeError(
        `gemm: A, B and C need ${bytes} bytes of wasm memory, more than ` +
          `its limit of ${MAX_PAGES * PAGE}; use gemmReference or split C`,
      );
    }
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /**
   * C = alpha op(A) op(B) + beta C with A, B, C row-major as stored in a,
   * b, c (see `WasmJob` for the dimensions); `threads` 1 or 2.
   */
  run(
    job: WasmJob,
    a: FloatArray,
    b: FloatArray,
    c: FloatArray,
    threads: number,
  ): void {
    const size = c.BYTES_PER_ELEMENT;
    const pa = this.scratchBase + 2 * this.scratchBytes;
    const pb = align(pa + a.length * size);
    const pc = align(pb + b.length * size);
    this.reserve(pc + c.length * size);

    // Copy in (C only when beta reads it), compute, copy out.
    const buffer = this.memory.buffer;
    const view = (at: number, n: number) =>
      size === 4
        ? new Float32Array(buffer, at, n)
        : new Float64Array(buffer, at, n);
    view(pa, a.length).set(a);
    view(pb, b.length).set(b);
    const cView = view(pc, c.length);
    if (job.beta !== 0) cView.set(c);
    const name = size === 4 ? "sgemm" : "dgemm";
    this.compute(name, job, [pa, pb, pc], threads);
    c.set(cView);
  }

  private compute(
    name: "sgemm" | "dgemm",
    job: WasmJob,
    ptrs: number[],
    threads: number,
  ): void {
    const { transA, transB, m, n, k, alpha, beta } = job;
    const head = [+transA, +transB, m, n, k, alpha, beta, ...ptrs];
    if (threads === 1) {
      this.kernels[name](...head, 0, m, 0, n, ...this.scratch(0));
      return;
    }
    // Split the longer side of C; cut at a multiple of the tile (MR = 3
    // rows, NR = 12 or 6 columns) so no thread gets a needless partial tile.
    const parts =
      n >= m
        ? [
            [0, m, 0, cut(n, 12)],
            [0, m, cut(n, 12), n],
          ]
        : [
            [0, cut(m, 3), 0, n],
            [cut(m, 3), m, 0, n],
          ];
    const done = this.startWorker();
    Atomics.store(done, 0, 0);
    this.worker!.postMessage({
      name,
      args: [...head, ...parts[1], ...this.scratch(1)],
    });
    this.kernels[name](...head, ...parts[0], ...this.scratch(0));

    // A dead worker must not hang the caller: allow 10 s plus 1 ns per
    // multiply-add, far beyond the worker's half at any sane speed.
    const limit = 10_000 + (m * n * k) / 1e6;
    const answered = Atomics.wait(done, 0, 0, limit) !== "timed-out";
    if (!answered || Atomics.load(done, 0) !== 1) {
      void this.worker!.terminate();
      this.worker = undefined;
      throw new Error(
        `gemm: the worker thread ${answered ? "failed" : "did not answer"}`,
      );
    }
  }

  private startWorker(): Int32Array {
    if (this.worker === undefined || this.done === undefined) {
      const flag = new SharedArrayBuffer(4);
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: this.module, memory: this.memory, flag },
      });
      this.worker.unref();
      this.done = new Int32Array(flag);
    }
    return this.done;
  }
}

/** Half of `length` rounded to a multiple of `step`, within [0, length]. */
function cut(length: number, step: number): number {
  return Math.min(length, Math.max(step, Math.round(length / 2 / step) * step));
}

let instance: WasmGemm | undefined;

/**
 * V8 first runs wasm on its baseline compiler and swaps in optimised code
 * compiled in the background once a function has run a while; a call
 * already under way keeps the slow code, so a first large product ran 3 to
 * 5 times slower than the next. Repeating a 64^3 product for WARM_UP_MS
 * per dtype when the module loads triggers the swap and gives the
 * background compiler time to finish (measured here: 20 ms of warm-up took
 * a first 1000^3 float32 product from about 4 to about 20 GFLOP/s).
 */
function warmUp(gemm: WasmGemm): void {
  const job = { transA: false, transB: false, m: 64, n: 64, k: 64 };
  const full = { ...job, alpha: 1, beta: 0 };
  for (const make of [Float32Array, Float64Array]) {
    const a = new make(64 * 64);
    const c = new make(64 * 64);
    const start = performance.now();
    while (performance.now() - start < WARM_UP_MS) {
      gemm.run(full, a, a, c, 1);
    }
  }
}

const WARM_UP_MS = 25;

/** Bytes of wasm memory in use (0 before the first wasm GEMM): it grows
 * to the largest product seen and then stays put. */
export function wasmMemoryBytes(): number {
  return instance?.memory.buffer.byteLength ?? 0;
}

/** The process-wide wasm GEMM, loaded on first use. */
export function wasmGemm(): WasmGemm {
  if (instance === undefined) {
    instance = new WasmGemm();
    warmUp(instance);
  }
  return instance;
}
