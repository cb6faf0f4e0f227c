/**
 * First-order optimizers over named parameters (issue 3): SGD with
 * momentum, Adam (Kingma & Ba 2015, with bias correction; AdamW's
 * decoupled weight decay, Loshchilov & Hutter 2019, as an option) and
 * Adagrad (Duchi et al. 2011); gradient clipping by value and by global
 * norm.
 *
 * Protocol: backward passes accumulate (`+=`) into each `Parameter.grad`;
 * the caller calls `step()` to update the values and then `zeroGrad()` to
 * clear the gradients before the next batch. Nothing is zeroed implicitly,
 * so gradients of several batches (or time steps) can be summed on purpose.
 *
 * Weight decay (`weightDecay` = lambda) is L2 regularisation added to the
 * gradient: g <- g + lambda w, before momentum or moment estimates, i.e.
 * the gradient of (lambda / 2) |w|^2. Adam's `decoupledWeightDecay: true`
 * instead shrinks w <- w - lr lambda w apart from the gradient (AdamW).
 *
 * Optimizer state (momentum, moments) is float64 whatever the parameter's
 * dtype, so long runs in float32 do not lose small moment updates.
 */

import {
  Matrix,
  checkFloatArray,
  checkOptionKeys,
  describeValue,
  dtypeOf,
} from "./tensor";
import type { FloatArray } from "./tensor";

/** A trainable array and its gradient buffer (same length and dtype). */
export interface Parameter {
  /** Name for messages and checkpoints, e.g. "forgetWeights". */
  name: string;
  /** Values, updated in place by `step()`. */
  value: FloatArray;
  /** Gradient, accumulated by backward passes, cleared by `zeroGrad()`. */
  grad: FloatArray;
}

/**
 * Parameter over `value` (a matrix's storage or a vector; shared, not
 * copied) with a new zero gradient of the same length and dtype.
 */
export function parameter(name: string, value: Matrix | FloatArray): Parameter {
  const data = value instanceof Matrix ? value.data : value;
  checkFloatArray(name, data);
  const grad =
    dtypeOf(data) === "float32"
      ? new Float32Array(data.length)
      : new Float64Array(data.length);
  return { name, value: data, grad };
}

/** Throws unless `params` is a list of well-formed, distinct parameters. */
export function checkParameters(params: unknown): Parameter[] {
  if (!Array.isArray(params)) {
    throw new TypeError(
      `params: expected an array, got ${describeValue(params)}`,
    );
  }
  const names = new Set<string>();
  params.forEach((p: Parameter, k) => {
    if (typeof p !== "object" || p === null || typeof p.name !== "string") {
      throw new TypeError(`params[${k}]: expected a Parameter with a name`);
    }
    const value = checkFloatArray(`${p.name}.value`, p.value);
    checkFloatArray(`${p.name}.grad`, p.grad, value.length, dtypeOf(value));
    if (names.has(p.name)) {
      throw new RangeError(`params[${k}]: duplicate name "${p.name}"`);
    }
    names.add(p.name);
  });
  return params;
}

/** Allowed ranges of numeric options. */
const RANGES = {
  positive: { test: (x: number) => x > 0 && x < Infinity, text: "> 0" },
  nonNegative: { test: (x: number) => x >= 0 && x < Infinity, text: ">= 0" },
  unit: { test: (x: number) => x >= 0 && x < 1, text: "in [0, 1)" },
};

/** `options[key]` (or `fallback`), checked to lie in `range`. */
function numberOption(
  options: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  range: keyof typeof RANGES,
): number {
  const value = options[key] ?? fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `options.${key}: expected a number, got ${describeValue(value)}`,
    );
  }
  if (!RANGES[range].test(value)) {
    throw new RangeError(
      `options.${key}: expected a number ${RANGES[range].text}, got ${value}`,
    );
  }
  return value;
}

/** Shared parts: parameter list, learning rate, `zeroGrad`. */
abstract class Optimizer {
  readonly params: Parameter[];
  /** Step size; may be changed between steps (a schedule). */
  learningRate: number;
  /** L2 coefficient lambda added to the gradient as lambda w. */
  readonly weightDecay: number;
  /** Number of `step()` calls so far. */
  stepCount = 0;

  constructor(params: Parameter[], options: Record<string, unknown>) {
    this.params = checkParameters(params);
    if (typeof options !== "object" || options === null) {
      throw new TypeError(
        `options: expected an object, got ${describeValue(options)}`,
      );
    }
    this.learningRate = numberOption(
      options,
      "learningRate",
      undefined,
      "positive",
    );
    this.weightDecay = numberOption(options, "weightDecay", 0, "nonNegative");
  }

  /** Sets every gradient to 0. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  /** Updates every parameter from its gradient. */
  abstract step(): void;

  /** One float64 state buffer per parameter. */
  protected stateBuffers(): Float64Array[] {
    return this.params.map((p) => new Float64Array(p.value.length));
  }
}

/** Options of `SGD`. */
export interface SGDOptions {
  /** Step size lr > 0 (required). */
  learningRate: number;
  /** Momentum mu in [0, 1); default 0 (plain SGD). */
  momentum?: number;
  /** L2 coefficient lambda >= 0 added to the gradient; default 0. */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent with (heavy-ball) momentum:
 * g = grad + lambda w;  v <- mu v + g;  w <- w - lr v.
 * With mu = 0 this is w <- w - lr g. (`velocity` holds v.)
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  private readonly velocity: Float64Array[];

  constructor(params: Parameter[], options: SGDOptions) {
    const o = options as unknown as Record<string, unknown>;
    super(params, o);
    checkOptionKeys("options", o, ["learningRate", "momentum", "weightDecay"]);
    this.momentum = numberOption(o, "momentum", 0, "unit");
    this.velocity = this.stateBuffers();
  }

  step(): void {
    const { learningRate: lr, momentum: mu, weightDecay: lambda } = this;
    this.params.forEach(({ value: w, grad }, k) => {
      const v = this.velocity[k];
      for (let i = 0; i < w.length; i++) {
        const g = grad[i] + lambda * w[i];
        v[i] = mu * v[i] + g;
        w[i] -= lr * v[i];
      }
    });
    this.stepCount++;
  }
}

/** Options of `Adam`. */
export interface AdamOptions {
  /** Step size lr > 0 (required); 1e-3 is the usual start. */
  learningRate: number;
  /** Decay beta1 in [0, 1) of the first-moment estimate; default 0.9. */
  beta1?: number;
  /** Decay beta2 in [0, 1) of the second-moment estimate; default 0.999. */
  beta2?: number;
  /** epsilon > 0 added to sqrt(v-hat) in the denominator; default 1e-8. */
  epsilon?: number;
  /** Weight decay lambda >= 0; default 0. See `decoupledWeightDecay`. */
  weightDecay?: number;
  /**
   * false (default): lambda w is added to the gradient (L2, goes through
   * the moments). true: AdamW, w <- w (1 - lr lambda) before the update.
   */
  decoupledWeightDecay?: boolean;
}

/**
 * Adam with bias correction (Kingma & Ba 2015, Algorithm 1). At step t:
 * m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;
 * w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon).
 * Fields: `firstMoment` m, `secondMoment` v, `stepCount` t.
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly decoupledWeightDecay: boolean;
  private readonly firstMoment: Float64Array[];
  private readonly secondMoment: Float64Array[];

  constructor(params: Parameter[], options: AdamOptions) {
    const o = options as unknown as Record<string, unknown>;
    super(params, o);
    checkOptionKeys("options", o, [
      "learningRate",
      "beta1",
      "beta2",
      "epsilon",
      "weightDecay",
      "decoupledWeightDecay",
    ]);
    this.beta1 = numberOption(o, "beta1", 0.9, "unit");
    this.beta2 = numberOption(o, "beta2", 0.999, "unit");
    this.epsilon = numberOption(o, "epsilon", 1e-8, "positive");
    const decoupled = o.decoupledWeightDecay ?? false;
    if (typeof decoupled !== "boolean") {
      throw new TypeError(
        `options.decoupledWeightDecay: expected a boolean, got ${describeValue(decoupled)}`,
      );
    }
    this.decoupledWeightDecay = decoupled;
    this.firstMoment = this.stateBuffers();
    this.secondMoment = this.stateBuffers();
  }

  step(): void {
    const t = ++this.stepCount;
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps } = this;
    const correction1 = 1 - b1 ** t;
    const correction2 = 1 - b2 ** t;
    const l2 = this.decoupledWeightDecay ? 0 : this.weightDecay;
    const shrink = this.decoupledWeightDecay ? 1 - lr * this.weightDecay : 1;
    this.params.forEach(({ value: w, grad }, k) => {
      const m = this.firstMoment[k];
      const v = this.secondMoment[k];
      for (let i = 0; i < w.length; i++) {
        const g = grad[i] + l2 * w[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        const mHat = m[i] / correction1;
        const vHat = v[i] / correction2;
        w[i] = shrink * w[i] - (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    });
  }
}

/** Options of `Adagrad`. */
export interface AdagradOptions {
  /** Step size lr > 0 (required); 1e-2 is the usual start. */
  learningRate: number;
  /** epsilon > 0 added to sqrt(G) in the denominator; default 1e-10. */
  epsilon?: number;
  /** Starting value G_0 >= 0 of the squared-gradient sums; default 0. */
  initialAccumulator?: number;
  /** L2 coefficient lambda >= 0 added to the gradient; default 0. */
  weightDecay?: number;
}

/**
 * Adagrad (Duchi, Hazan & Singer 2011), diagonal form:
 * g = grad + lambda w;  G <- G + g^2;  w <- w - lr g / (sqrt(G) + epsilon).
 * (`accumulator` holds G.)
 */
export class Adagrad extends Optimizer {
  readonly epsilon: number;
  private readonly accumulator: Float64Array[];

  constructor(params: Parameter[], options: AdagradOptions) {
    const o = options as unknown as Record<string, unknown>;
    super(params, o);
    checkOptionKeys("options", o, [
      "learningRate",
      "epsilon",
      "initialAccumulator",
      "weightDecay",
    ]);
    this.epsilon = numberOption(o, "epsilon", 1e-10, "positive");
    const g0 = numberOption(o, "initialAccumulator", 0, "nonNegative");
    this.accumulator = this.stateBuffers();
    for (const G of this.accumulator) G.fill(g0);
  }

  step(): void {
    const { learningRate: lr, epsilon: eps, weightDecay: lambda } = this;
    this.params.forEach(({ value: w, grad }, k) => {
      const G = this.accumulator[k];
      for (let i = 0; i < w.length; i++) {
        const g = grad[i] + lambda * w[i];
        G[i] += g * g;
        w[i] -= (lr * g) / (Math.sqrt(G[i]) + eps);
      }
    });
    this.stepCount++;
  }
}

/** Clamps every gradient entry to [-limit, limit], in place. */
export function clipByValue(params: Parameter[], limit: number): void {
  checkParameters(params);
  if (typeof limit !== "number" || !(limit >= 0)) {
    throw new RangeError(`limit: expected a number >= 0, got ${limit}`);
  }
  for (const { grad } of params) {
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i];
      if (g > limit) grad[i] = limit;
      else if (g < -limit) grad[i] = -limit;
    }
  }
}

/**
 * Global gradient norm N = sqrt(sum over all parameters and entries of
 * g^2); if N > maxNorm, scales every gradient by maxNorm / N so the norm
 * becomes maxNorm (Pascanu et al. 2013). Returns N before clipping. A
 * non-finite N is returned with the gradients left as they are (scaling
 * would turn them into NaN); the caller should stop or skip the step.
 */
export function clipByGlobalNorm(params: Parameter[], maxNorm: number) {
  checkParameters(params);
  if (typeof maxNorm !== "number" || !(maxNorm > 0)) {
    throw new RangeError(`maxNorm: expected a number > 0, got ${maxNorm}`);
  }
  let squares = 0;
  for (const { grad } of params) {
    for (let i = 0; i < grad.length; i++) squares += grad[i] * grad[i];
  }
  const norm = Math.sqrt(squares);
  if (Number.isFinite(norm) && norm > maxNorm) {
    const factor = maxNorm / norm;
    for (const { grad } of params) {
      for (let i = 0; i < grad.length; i++) grad[i] *= factor;
    }
  }
  return norm;
}

/** What a training loop needs of an optimizer built over its parameters. */
export interface Stepper {
  step(): void;
}

/**
 * The optimizer a training loop uses: `optimizer` if given, else Adam over
 * `params` with `learningRate` (default `defaultRate`). Giving both throws:
 * the rate would be silently ignored.
 */
export function optimizerFromOptions(
  params: Parameter[],
  optimizer: Stepper | undefined,
  learningRate: number | undefined,
  defaultRate: number,
): Stepper {
  if (optimizer === undefined) {
    return new Adam(params, { learningRate: learningRate ?? defaultRate });
  }
  if (typeof optimizer?.step !== "function") {
    throw new TypeError(
      `options.optimizer: expected an optimizer with step(), got ` +
        describeValue(optimizer),
    );
  }
  if (learningRate !== undefined) {
    throw new RangeError(
      `options.learningRate: sets the rate of the default Adam only; ` +
        `with options.optimizer, give the rate to that optimizer instead ` +
        `(got both)`,
    );
  }
  return optimizer;
}
