/**
 * Seeded pseudo-random numbers for every random choice in the library.
 *
 * Generator: sfc32 ("small fast counting", Chris Doty-Humphrey, from the
 * PractRand suite; public domain), 128 bits of state, seeded through the
 * splitmix32 mixing function so that nearby seeds give unrelated streams.
 * It passes the usual statistical batteries and needs only 32-bit integer
 * arithmetic, which JavaScript does exactly with `Math.imul` and `| 0`.
 *
 * Limits: not cryptographic; one stream per `Random` (no jump-ahead).
 */

const TWO_POW_26 = 67108864;
const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** splitmix32 step: advances `s` and returns a well-mixed 32-bit word. */
function splitmix32(s: Uint32Array): number {
  s[0] = (s[0] + 0x9e3779b9) >>> 0;
  let z = s[0];
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Seeded random source. The same seed gives the same sequence on every
 * platform (all arithmetic is exact 32-bit integer work).
 *
 * ```ts
 * const random = new Random(42);
 * random.uniform(); // in [0, 1)
 * ```
 */
export class Random {
  /** sfc32 state words a, b, c and the counter d. */
  private readonly state = new Uint32Array(4);
  /** Second Box-Muller deviate, kept for the next `normal()` call. */
  private spareNormal: number | null = null;

  /** @param seed any safe integer (negative values are fine) */
  constructor(seed: number) {
    if (typeof seed !== "number") {
      throw new TypeError(`seed: expected a number, got ${typeof seed}`);
    }
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`seed: expected a safe integer, got ${seed}`);
    }
    // Words a, b come from the low 32 bits of the seed and c, d from the
    // high bits; splitmix32 is a bijection of its counter, so distinct
    // seeds give distinct states (a 32-bit hash of both halves would not).
    const low = new Uint32Array([seed >>> 0]);
    const high = new Uint32Array([Math.floor(seed / TWO_POW_32) ^ 0x6a09e667]);
    this.state[0] = splitmix32(low);
    this.state[1] = splitmix32(low);
    this.state[2] = splitmix32(high);
    this.state[3] = splitmix32(high);
    // The first outputs of a fresh sfc32 state are still correlated with it.
    for (let k = 0; k < 12; k++) this.nextUint32();
  }

  /** Next raw 32-bit unsigned integer (one sfc32 step). */
  nextUint32(): number {
    const s = this.state;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = s[3] + 1;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = s[2] + (s[2] << 3);
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) + t;
    return t;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * TWO_POW_26 + low) / TWO_POW_53;
  }

  /**
   * Normal deviate (Box-Muller; the second deviate of each pair is kept
   * for the next call).
   * @param mean default 0
   * @param std standard deviation >= 0, default 1
   */
  normal(mean = 0, std = 1): number {
    checkFinite("mean", mean);
    checkFinite("std", std);
    if (std < 0) throw new RangeError(`std: expected >= 0, got ${std}`);
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + std * z;
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return mean + std * radius * Math.cos(angle);
  }

  /**
   * Uniform integer in [0, n), without modulo bias (rejection sampling).
   * @param n integer with 1 <= n <= 2^32
   */
  int(n: number): number {
    if (typeof n !== "number") {
      throw new TypeError(`n: expected a number, got ${typeof n}`);
    }
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`n: expected an integer in [1, 2^32], got ${n}`);
    }
    // Accept only draws below the largest multiple of n that fits.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** true with probability p, p in [0, 1]. */
  bernoulli(p: number): boolean {
    checkFinite("p", p);
    if (p < 0 || p > 1) {
      throw new RangeError(`p: expected a probability in [0, 1], got ${p}`);
    }
    return this.uniform() < p;
  }

  /** Random order of 0..n-1 (Fisher-Yates), every order equally likely. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`n: expected an integer >= 0, got ${n}`);
    }
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    if (!Array.isArray(items)) {
      throw new TypeError(`items: expected an array, got ${typeof items}`);
    }
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

function checkFinite(name: string, value: number): void {
  if (typeof value !== "number") {
    throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  }
  if (!Number.isFinite(value)) {
    throw new RangeError(`${name}: expected a finite number, got ${value}`);
  }
}
