// Packing of op(A) and op(B) blocks for the micro-kernels (see gemm.ts).
//
// Packed op(A) block: panels of MR rows; panel q holds, for p = 0..kc-1,
// the MR values op(A)[i0 + q MR + r, p0 + p], r = 0..MR-1, rows past mc
// zero. Packed op(B) block: panels of NR = PANEL_BYTES / sizeof<T> columns; panel q
// holds, for p = 0..kc-1, the NR values op(B)[p0 + p, j0 + q NR + j],
// columns past nc zero. The zero padding lets the micro-kernel always
// compute a full tile; the caller writes back only the valid part.

import { MR, PANEL_BYTES } from "./kernels";

/** Packs op(A)[i0 : i0 + mc, p0 : p0 + kc]; A is row-major with row
 * length lda ([m, k], or [k, m] when transA). */
export function packA<T>(
  a: usize,
  lda: i32,
  transA: bool,
  i0: i32,
  mc: i32,
  p0: i32,
  kc: i32,
  dst: usize,
): void {
  const size = sizeof<T>();
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const panel = dst + <usize>(ir * kc * size);
    for (let r = 0; r < MR; r++) {
      let out = panel + <usize>(r * size);
      if (r >= mr) {
        for (let p = 0; p < kc; p++, out += MR * size) store<T>(out, 0);
      } else if (transA) {
        // op(A)[i, p] = A[p, i]: one column of A, stride lda.
        let src = a + <usize>((p0 * lda + i0 + ir + r) * size);
        for (let p = 0; p < kc; p++, out += MR * size, src += lda * size) {
          store<T>(out, load<T>(src));
        }
      } else {
        let src = a + <usize>(((i0 + ir + r) * lda + p0) * size);
        for (let p = 0; p < kc; p++, out += MR * size, src += size) {
          store<T>(out, load<T>(src));
        }
      }
    }
  }
}

/** Packs op(B)[p0 : p0 + kc, j0 : j0 + nc]; B is row-major with row
 * length ldb ([k, n], or [n, k] when transB). */
export function packB<T>(
  b: usize,
  ldb: i32,
  transB: bool,
  p0: i32,
  kc: i32,
  j0: i32,
  nc: i32,
  dst: usize,
): void {
  const size = sizeof<T>();
  const nr = PANEL_BYTES / size;
  for (let jr = 0; jr < nc; jr += nr) {
    const width = min(nr, nc - jr);
    const panel = dst + <usize>(jr * kc * size);
    if (!transB && width == nr) {
      // A full row of the panel is 48 contiguous bytes of one row of B.
      let src = b + <usize>((p0 * ldb + j0 + jr) * size);
      for (let p = 0; p < kc; p++, src += ldb * size) {
        const out = panel + <usize>(p * PANEL_BYTES);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        v128.store(out, v128.load(src, 32), 32);
      }
      continue;
    }
    for (let j = 0; j < nr; j++) {
      let out = panel + <usize>(j * size);
      const col = j0 + jr + j;
      for (let p = 0; p < kc; p++, out += PANEL_BYTES) {
        let v: T = 0;
        if (j < width) {
          // op(B)[p, j] is B[p, j], or B[j, p] when transB.
          const at = transB ? col * ldb + p0 + p : (p0 + p) * ldb + col;
          v = load<T>(b + <usize>(at * size));
        }
        store<T>(out, v);
      }
    }
  }
}
