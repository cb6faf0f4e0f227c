// GEMM kernels in AssemblyScript, compiled to WebAssembly SIMD (issue 3).
//
// C = alpha op(A) op(B) + beta C for float32 (`sgemm`) and float64
// (`dgemm`), following the Goto/BLIS layering: the caller's matrices lie
// row-major in linear memory; blocks of op(B) (KC x NC) and op(A) (MC x KC)
// are packed into panels so that the micro-kernel reads both sequentially;
// the micro-kernel keeps an MR x NR tile of C in 9 SIMD registers.
//
// Dimension letters: C is [m, n], op(A) is [m, k], op(B) is [k, n].
// A is stored [m, k] (or [k, m] when transA), B [k, n] (or [n, k] when
// transB), C [m, n]; all row-major, pointers are byte addresses.
//
// Limits: no bounds checks here (the TypeScript caller sizes the memory);
// one call computes the block of C in rows [i0, i1) x cols [j0, j1), so two
// threads sharing this memory can each take half of C. Each thread passes
// its own packing buffers and tile scratch.

import { packA, packB } from "./pack";
import { MR, PANEL_BYTES, kernelF32, kernelF64, updateTile } from "./kernels";

// Cache blocks: a KC x NR panel of B (12 KiB) stays in L1 (32 KiB) while
// the MC x KC block of A (144 KiB in float32, 288 KiB in float64) sits in
// L2 (1 MiB) and the KC x NC block of B in L2 or L3.
const KC = 256;
const MC = 144;
const NC = 1020;

/** Bytes of packing buffer one thread needs for op(A) blocks. */
export function packABytes(elementBytes: i32): i32 {
  return MC * KC * elementBytes;
}

/** Bytes of packing buffer one thread needs for op(B) blocks. */
export function packBBytes(elementBytes: i32): i32 {
  return KC * NC * elementBytes + PANEL_BYTES * KC;
}

/** Bytes of the scratch tile one thread needs. */
export function tileBytes(): i32 {
  return MR * PANEL_BYTES;
}

/** First byte after the module's static data; the caller lays out above. */
export function heapBase(): usize {
  return __heap_base;
}

export function sgemm(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  beta: f64,
  a: usize,
  b: usize,
  c: usize,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  pa: usize,
  pb: usize,
  tile: usize,
): void {
  gemmBlocked<f32>(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    beta,
    a,
    b,
    c,
    i0,
    i1,
    j0,
    j1,
    pa,
    pb,
    tile,
  );
}

export function dgemm(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  beta: f64,
  a: usize,
  b: usize,
  c: usize,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  pa: usize,
  pb: usize,
  tile: usize,
): void {
  gemmBlocked<f64>(
    transA,
    transB,
    m,
    n,
    k,
    alpha,
    beta,
    a,
    b,
    c,
    i0,
    i1,
    j0,
    j1,
    pa,
    pb,
    tile,
  );
}

// The five loops around the micro-kernel. The first KC slice of k applies
// beta to C; later slices accumulate into it.
function gemmBlocked<T>(
  transA: bool,
  transB: bool,
  m: i32,
  n: i32,
  k: i32,
  alpha: f64,
  beta: f64,
  a: usize,
  b: usize,
  c: usize,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  pa: usize,
  pb: usize,
  tile: usize,
): void {
  const nr = PANEL_BYTES / sizeof<T>();
  const lda = transA ? m : k;
  const ldb = transB ? k : n;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB<T>(b, ldb, transB, pc, kc, jc, nc, pb);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        packA<T>(a, lda, transA, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nc; jr += nr) {
          const panelB = pb + <usize>(jr * kc * sizeof<T>());
          for (let ir = 0; ir < mc; ir += MR) {
            const panelA = pa + <usize>(ir * kc * sizeof<T>());
            if (sizeof<T>() == 4) kernelF32(kc, panelA, panelB, tile);
            else kernelF64(kc, panelA, panelB, tile);
            const cij = c + <usize>(((ic + ir) * n + jc + jr) * sizeof<T>());
            updateTile<T>(
              tile,
              cij,
              n,
              min(MR, mc - ir),
              min(nr, nc - jr),
              alpha,
              pc == 0 ? beta : 1.0,
            );
          }
        }
      }
    }
  }
}
