// Micro-kernels: one MR x NR tile of op(A) op(B) from packed panels (see
// pack.ts for the layout), written row-major to a scratch tile of MR rows
// of PANEL_BYTES.
//
// Shape 3 x 12 (float32) or 3 x 6 (float64): 9 accumulators, 3 B vectors
// and 3 A splats fill 15 registers, the most V8 gives to v128 (xmm15 is its
// scratch). V8 schedules all loads of an iteration before the arithmetic,
// so every splat is live at once: 4 x 8 fits too, 6 x 8 spills. Measured
// alone on L1-resident panels (GFLOP/s, float32): 6 x 8 mul+add 21.6,
// 4 x 8 mul+add 23.9, 4 x 8 fused 31.2, 3 x 12 fused 33.0, 5 x 8 fused 14.6
// (spills); float64: 6 x 4 mul+add 10.8, 4 x 4 fused 15.6, 3 x 6 fused 16.6.

export const MR = 3;
export const PANEL_BYTES = 48;

// c + a b. With relaxed SIMD (built as gemm-relaxed.wasm) V8 emits one FMA
// instruction: 1.3x faster here, as 9 accumulators cover the FMA latency.
function madd32(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

function madd64(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(c, f64x2.mul(a, b));
}

/** float32 tile, 3 rows by 12 columns, over kc steps of k. */
export function kernelF32(kc: i32, a: usize, b: usize, tile: usize): void {
  let c00 = f32x4.splat(0),
    c01 = c00,
    c02 = c00;
  let c10 = c00,
    c11 = c00,
    c12 = c00;
  let c20 = c00,
    c21 = c00,
    c22 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b),
      b1 = v128.load(b, 16),
      b2 = v128.load(b, 32);
    // Each A value is broadcast straight from memory (vbroadcastss).
    let x = v128.load32_splat(a);
    c00 = madd32(x, b0, c00);
    c01 = madd32(x, b1, c01);
    c02 = madd32(x, b2, c02);
    x = v128.load32_splat(a, 4);
    c10 = madd32(x, b0, c10);
    c11 = madd32(x, b1, c11);
    c12 = madd32(x, b2, c12);
    x = v128.load32_splat(a, 8);
    c20 = madd32(x, b0, c20);
    c21 = madd32(x, b1, c21);
    c22 = madd32(x, b2, c22);
    a += MR * 4;
    b += PANEL_BYTES;
  }
  v128.store(tile, c00, 0);
  v128.store(tile, c01, 16);
  v128.store(tile, c02, 32);
  v128.store(tile, c10, 48);
  v128.store(tile, c11, 64);
  v128.store(tile, c12, 80);
  v128.store(tile, c20, 96);
  v128.store(tile, c21, 112);
  v128.store(tile, c22, 128);
}

/** float64 tile, 3 rows by 6 columns, over kc steps of k. */
export function kernelF64(kc: i32, a: usize, b: usize, tile: usize): void {
  let c00 = f64x2.splat(0),
    c01 = c00,
    c02 = c00;
  let c10 = c00,
    c11 = c00,
    c12 = c00;
  let c20 = c00,
    c21 = c00,
    c22 = c00;
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b),
      b1 = v128.load(b, 16),
      b2 = v128.load(b, 32);
    let x = v128.load64_splat(a);
    c00 = madd64(x, b0, c00);
    c01 = madd64(x, b1, c01);
    c02 = madd64(x, b2, c02);
    x = v128.load64_splat(a, 8);
    c10 = madd64(x, b0, c10);
    c11 = madd64(x, b1, c11);
    c12 = madd64(x, b2, c12);
    x = v128.load64_splat(a, 16);
    c20 = madd64(x, b0, c20);
    c21 = madd64(x, b1, c21);
    c22 = madd64(x, b2, c22);
    a += MR * 8;
    b += PANEL_BYTES;
  }
  v128.store(tile, c00, 0);
  v128.store(tile, c01, 16);
  v128.store(tile, c02, 32);
  v128.store(tile, c10, 48);
  v128.store(tile, c11, 64);
  v128.store(tile, c12, 80);
  v128.store(tile, c20, 96);
  v128.store(tile, c21, 112);
  v128.store(tile, c22, 128);
}

/**
 * C[r, j] = alpha tile[r, j] + beta C[r, j] for r < mr, j < nr; C is
 * row-major with row length ldc. beta == 0 overwrites C without reading
 * it, so NaN or Inf already in C does not leak through (BLAS semantics).
 */
export function updateTile<T>(
  tile: usize,
  c: usize,
  ldc: i32,
  mr: i32,
  nr: i32,
  alpha: f64,
  beta: f64,
): void {
  const size = sizeof<T>();
  const full = nr * size == PANEL_BYTES;
  for (let r = 0; r < mr; r++) {
    const t = tile + <usize>(r * PANEL_BYTES);
    const cr = c + <usize>(r * ldc * size);
    if (full) {
      updateVector<T>(t, cr, alpha, beta);
      updateVector<T>(t + 16, cr + 16, alpha, beta);
      updateVector<T>(t + 32, cr + 32, alpha, beta);
      continue;
    }
    for (let j = 0; j < nr; j++) {
      const at = cr + <usize>(j * size);
      let v = <T>alpha * load<T>(t + <usize>(j * size));
      if (beta != 0) v += <T>beta * load<T>(at);
      store<T>(at, v);
    }
  }
}

// 16 bytes of C from 16 bytes of the tile.
function updateVector<T>(t: usize, cr: usize, alpha: f64, beta: f64): void {
  if (sizeof<T>() == 4) {
    let v = f32x4.mul(v128.load(t), f32x4.splat(<f32>alpha));
    if (beta != 0) {
      v = f32x4.add(v, f32x4.mul(v128.load(cr), f32x4.splat(<f32>beta)));
    }
    v128.store(cr, v);
  } else {
    let v = f64x2.mul(v128.load(t), f64x2.splat(alpha));
    if (beta != 0) {
      v = f64x2.add(v, f64x2.mul(v128.load(cr), f64x2.splat(beta)));
    }
    v128.store(cr, v);
  }
}
