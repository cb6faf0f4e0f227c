/**
 * What every recurrent model of the course offers (issue 6): the Elman
 * `RNN` (rnn.ts), the `LSTM` (lstm.ts) and the `GRU` (gru.ts) all run a
 * batch of sequences forward from a carried state, score the readout by
 * the summed softmax cross-entropy and back-propagate through time by
 * hand. The trainer, the evaluation and the sampler (rnn-train.ts,
 * rnn-sample.ts) and save and load (recurrent-io.ts) take any of them.
 *
 * The carried state is one `[B, stateSize]` matrix whatever the model:
 * per layer l = 0..L-1 (bottom first), the RNN's A (width H), the GRU's
 * h_l (H), the LSTM's [h_l | C_l] (2 H). Sequence arrays are time-major
 * (row t B + b); inputs and targets are batch-major `[B, T]` (see
 * rnn-input.ts).
 *
 * Dimension letters: B sequences, T steps, I inputs, H hidden units per
 * layer, K outputs, S the state width.
 */

import type { Parameter } from "./optim";
import type { SequenceInput } from "./rnn-input";
import type { DType, Matrix } from "./tensor";

/**
 * What `forward` computed and the backward passes need. The arrays live in
 * the model's scratch for this (B, T): the next forward pass of the same
 * shape overwrites them, so copy what you keep (`finalState.clone()`);
 * forward passes of four other shapes release that scratch, and the
 * backward passes then refuse the cache (workspace-cache.ts).
 */
export interface RecurrentCache {
  readonly batch: number;
  readonly steps: number;
  /** The top layer's h_t `[T B, H]`, time-major (row t B + b). */
  readonly outputs: Matrix;
  /** The readout's logits_t `[T B, K]`, time-major. */
  readonly logits: Matrix;
  /** The state after the last step `[B, S]` (layout in the header). */
  readonly finalState: Matrix;
  /** The input, for the backward pass. */
  readonly input: SequenceInput;
}

/** Options of `backward` and `backwardFromLogits`. */
export interface RecurrentBackwardOptions {
  /** "sum" (default) over batch and time, or "mean" per token. */
  reduction?: "sum" | "mean";
  /** Also return dL/d(state) of every step (`stateGradients`). */
  stateGradients?: boolean;
}

/** Options of `backwardFromOutputs` (LSTM and GRU). */
export interface OutputBackwardOptions {
  /** dL/d(final state) `[B, S]`, the gradient that enters through the
   * state after the last step (e.g. a loss on C_T); default none. */
  dFinalState?: Matrix;
  /** Also return dL/d(state) of every step (`stateGradients`). */
  stateGradients?: boolean;
}

/** Gradients that are not parameters (those accumulate in `params`). */
export interface RecurrentBackwardResult {
  /** The loss (as reduced) of the pass; NaN when the caller gave the
   * upstream gradient (`backwardFromLogits`, `backwardFromOutputs`). */
  loss: number;
  /** dL/d(initial state) `[B, S]` (a copy). */
  dInitialState: Matrix;
  /** dL/dx `[B T, I]` batch-major, for dense input; null for tokens. */
  dInput: Matrix | null;
  /**
   * Total dL/d(state at step t) `[T B, S]` time-major, in the state's
   * layout, if asked for; else null. Each h part is the total dL/dh_t:
   * the step's own upstream dOut_t (readout or layer above) plus what
   * flows back from step t + 1. The LSTM's C part is the total dL/dC_t,
   * which also counts the path C_t -> h_t = o_t tanh(C_t) at the same
   * step; it is NOT the C part of `dInitialState` / `dFinalState`, which
   * treat h and C as two independent inputs of the next step. From those
   * (dh', dC' at step t): dL/dh_t = dh' + dOut_t and, for the lecture's
   * cell, dL/dC_t = dC' + dL/dh_t o_t (1 - tanh(C_t)^2) (the `LSTM` class
   * doc has the variants).
   */
  stateGradients: Matrix | null;
}

/**
 * A recurrent network with a softmax readout, trained by BPTT. Gradients
 * accumulate (+=) into `params[k].grad`; zero them with `zeroGrad`.
 */
export interface RecurrentModel {
  /** I: input width (the vocabulary for token input). */
  readonly inputSize: number;
  /** H: hidden units (per layer). */
  readonly hiddenSize: number;
  /** K: readout width (the vocabulary). */
  readonly outputSize: number;
  /** S: width of the carried state (RNN H, GRU H L, LSTM 2 H L). */
  readonly stateSize: number;
  /** Element type of every weight. */
  readonly dtype: DType;
  /** The parameters the model uses, with their gradient buffers. */
  readonly params: Parameter[];
  /** Runs B sequences of T steps from `initialState` `[B, S]` (default
   * zeros; copied in). */
  forward(input: SequenceInput, initialState?: Matrix): RecurrentCache;
  /** Summed cross-entropy of the logits against `targets` `[B, T]`. */
  loss(cache: RecurrentCache, targets: ArrayLike<number>): number;
  /** BPTT of the cross-entropy against `targets` `[B, T]`. */
  backward(
    cache: RecurrentCache,
    targets: ArrayLike<number>,
    options?: RecurrentBackwardOptions,
  ): RecurrentBackwardResult;
  /** BPTT from a given dL/dlogits `[T B, K]` (time-major). */
  backwardFromLogits(
    cache: RecurrentCache,
    dLogits: Matrix,
    options?: RecurrentBackwardOptions,
  ): RecurrentBackwardResult;
  /** Sets every gradient to 0. */
  zeroGrad(): void;
}
