/**
 * What the stacked gated models share (issue 6): `LSTM` (lstm.ts) and
 * `GRU` (gru.ts) extend `RecurrentStack`, which owns the sizes, the
 * softmax readout logits_t = h_t V + c on the top layer, the scratch per
 * (B, T), the checks, and the order of the passes: layer 0 up to layer
 * L-1 forward, then the readout; backward the readout, then layer L-1
 * down to 0, each layer's dL/dx being the dL/dh_t of the layer below.
 * A subclass supplies one layer's kernels (lstm-cell.ts, gru-cell.ts) to
 * the contract in recurrent-layer.ts.
 *
 * The carried state `[B, S]` holds per layer its pieces of width H (GRU:
 * h; LSTM: h, C), piece k of layer l in columns (l P + k) H .. + H, with
 * P pieces per layer (recurrent.ts).
 *
 * Dimension letters: B sequences, T steps, I inputs, H hidden units per
 * layer, K outputs, L layers, S = P H L the state width.
 *
 * Limits: one pass at a time per model (the scratch of a shape is reused
 * by the next pass of that shape); only the scratch of the last few
 * shapes is kept (workspace-cache.ts).
 */

import { gemm } from "./gemm";
import { type Parameter, parameter } from "./optim";
import type { Random } from "./random";
import type {
  OutputBackwardOptions,
  RecurrentBackwardOptions,
  RecurrentBackwardResult,
  RecurrentCache,
  RecurrentModel,
} from "./recurrent";
import {
  type LayerInput,
  type LayerWorkspace,
  StackWorkspace,
} from "./recurrent-layer";
import {
  addColumnSums,
  addToRows,
  crossEntropySequence,
  transposeInto,
} from "./rnn-bptt";
import {
  checkFinite,
  checkInput,
  checkState,
  checkTokens,
  checkWeightCount,
  logitsOptions,
  modelSize,
  reductionScale,
  reorderRows,
  type SequenceInput,
} from "./rnn-input";
import {
  allocate,
  checkDType,
  checkMatrix,
  checkOptionKeys,
  describeValue,
  type DType,
  type FloatArray,
  Matrix,
} from "./tensor";
import { WorkspaceCache } from "./workspace-cache";

/** The cache of `RecurrentStack.forward`. */
export interface StackCache<W extends LayerWorkspace> extends RecurrentCache {
  /** @internal scratch of this shape. */
  readonly workspace: StackWorkspace<W>;
}

/** Options every stacked model takes. */
export interface StackOptions {
  /** Element type of every weight. Default "float64". */
  dtype?: DType;
  /** Seeded source of the initial weights; required unless initScale 0. */
  random?: Random;
  /** Weights and biases ~ U(-s, s); default s = 1 / sqrt(H) (PyTorch's). */
  initScale?: number;
  /** Stacked layers L >= 1; layer l > 0 reads layer l - 1's h_t. */
  layers?: number;
}

/**
 * The shared part of `LSTM` and `GRU` (module header). Readout fields:
 * V -> `outputWeights` `[H, K]`, c -> `outputBias` `[K]`.
 *
 * Scratch: the model keeps the scratch (and so the caches) of the
 * `WORKSPACE_SHAPES` (4) most recently used input shapes (B, T). A forward
 * pass of a fifth shape releases the oldest, and the backward passes
 * refuse a cache whose scratch was released; the next forward pass of the
 * same shape overwrites the cache.
 */
export abstract class RecurrentStack<
  W extends LayerWorkspace,
> implements RecurrentModel {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  /** Number of stacked layers L. */
  readonly layers: number;
  readonly outputWeights: Matrix;
  readonly outputBias: FloatArray;
  abstract readonly params: Parameter[];
  /** The readout's two parameters (last in `params`). */
  protected readonly readoutParams: Parameter[];
  /** Their gradients, shaped as the weights. */
  protected readonly readoutGrad: { weights: Matrix; bias: FloatArray };
  /** State pieces per layer P (1 for the GRU, 2 for the LSTM). */
  protected abstract readonly pieces: number;
  private readonly workspaces = new WorkspaceCache<StackWorkspace<W>>();

  constructor(
    inputSize: number,
    hiddenSize: number,
    outputSize: number,
    options: StackOptions,
    known: readonly string[],
    gates: number,
  ) {
    checkOptionKeys("options", options, known);
    const I = (this.inputSize = modelSize("inputSize", inputSize));
    const H = (this.hiddenSize = modelSize("hiddenSize", hiddenSize));
    const K = (this.outputSize = modelSize("outputSize", outputSize));
    const L = (this.layers = modelSize("options.layers", options.layers ?? 1));
    // Per layer at most (I_l + H + 2) G H: the weights, the bias(es) and
    // the LSTM's peepholes; checked before anything is allocated.
    const cells = (I + H + 2 + (L - 1) * (2 * H + 2)) * gates * H;
    checkWeightCount(
      "inputSize, hiddenSize, outputSize, options.layers",
      cells + H * K + K,
      this.constructor.name,
    );
    const dtype = checkDType("options.dtype", options.dtype ?? "float64");
    this.outputWeights = Matrix.zeros(hiddenSize, outputSize, dtype);
    this.outputBias = allocate(dtype, outputSize);
    this.readoutParams = [
      parameter("outputWeights", this.outputWeights),
      parameter("outputBias", this.outputBias),
    ];
    this.readoutGrad = {
      weights: new Matrix(hiddenSize, outputSize, this.readoutParams[0].grad),
      bias: this.readoutParams[1].grad,
    };
  }

  /** Element type of the weights. */
  get dtype(): DType {
    return this.outputWeights.dtype;
  }

  /** Width S of the carried state: P H L. */
  get stateSize(): number {
    return this.pieces * this.hiddenSize * this.layers;
  }

  /** Input width of layer l: I for layer 0, H above. */
  layerInputSize(l: number): number {
    return l === 0 ? this.inputSize : this.hiddenSize;
  }

  // -------------------------------------------------------------------------
  // One layer, supplied by the subclass.

  /** Scratch of layer l for (B, T). */
  protected abstract newLayerWorkspace(l: number, B: number, T: number): W;
  /** Layer l over all steps from the state in `ws.initialState`. */
  protected abstract forwardLayer(l: number, ws: W, x: LayerInput): void;
  /**
   * BPTT of layer l from `ws.dOutputs` and `ws.carry`: accumulates its
   * weight gradients, writes dL/dx into `dX` `[T B, I_l]` if given and
   * its columns of `dStates` `[T B, S]` if given.
   */
  protected abstract backwardLayer(
    l: number,
    ws: W,
    x: LayerInput,
    dX: Matrix | null,
    dStates: Matrix | null,
  ): void;

  // -------------------------------------------------------------------------
  // Forward and backward, side by side.

  /**
   * Runs the model over `input` (B sequences of T steps) from
   * `initialState` `[B, S]` (default zeros; copied in). Returns the cache
   * (see `RecurrentCache`).
   */
  forward(input: SequenceInput, initialState?: Matrix): StackCache<W> {
    const { batch: B, steps: T } = checkInput(
      input,
      this.inputSize,
      this.dtype,
    );
    if (initialState !== undefined) {
      checkState("initialState", initialState, B, this.stateSize, this.dtype);
    }
    const ws = this.workspace(B, T, "x" in input);
    ws.layers.forEach((layer, l) =>
      layer.initialState.forEach((piece, k) => {
        if (initialState === undefined) piece.data.fill(0);
        else this.copyPiece(initialState, l, k, piece, true);
      }),
    );

    // Layers bottom up, each reading the h_t of the one below.
    let x = this.layerZeroInput(ws, input, true);
    ws.layers.forEach((layer, l) => {
      this.forwardLayer(l, layer, x);
      x = { tokens: null, x: layer.outputs };
    });

    // Readout for all steps: one [T B, H] x [H, K] product.
    const top = ws.layers[this.layers - 1];
    gemm(top.outputs, this.outputWeights, ws.logits);
    addToRows(ws.logits.data, this.outputBias);
    ws.layers.forEach((layer, l) =>
      layer.finalState.forEach((piece, k) =>
        this.copyPiece(ws.finalState, l, k, piece, false),
      ),
    );
    return {
      batch: B,
      steps: T,
      outputs: top.outputs,
      logits: ws.logits,
      finalState: ws.finalState,
      input,
      workspace: ws,
    };
  }

  /**
   * Summed cross-entropy of the cache's logits against `targets` `[B, T]`
   * (class ids in [0, K), row-major), natural log; no gradient.
   */
  loss(cache: RecurrentCache, targets: ArrayLike<number>): number {
    const { batch: B, steps: T, workspace: ws } = this.checkCache(cache);
    checkTokens("targets", targets, B * T, this.outputSize);
    return crossEntropySequence(ws.logits, targets, B, T, null);
  }

  /**
   * Backpropagation through time of the summed (or mean) cross-entropy
   * against `targets` `[B, T]` (row-major ids in [0, K)). Accumulates (+=)
   * into every `params[k].grad`; returns the loss, dL/d(initial state)
   * `[B, S]` and, for dense input, dL/dx.
   */
  backward(
    cache: RecurrentCache,
    targets: ArrayLike<number>,
    options: RecurrentBackwardOptions = {},
  ): RecurrentBackwardResult {
    const c = this.checkCache(cache);
    const { batch: B, steps: T, workspace: ws } = c;
    checkTokens("targets", targets, B * T, this.outputSize);
    const scale = reductionScale(options, B * T);
    const wantStates = stateFlag(options.stateGradients);
    const sum = crossEntropySequence(
      ws.logits,
      targets,
      B,
      T,
      ws.dLogits,
      scale,
    );
    this.readoutBackward(ws);
    return { ...this.backpropagate(c, null, wantStates), loss: sum * scale };
  }

  /**
   * Backpropagation through time from a given dL/dlogits `[T B, K]`
   * (time-major, like `cache.logits`, all finite), for a loss other than
   * the built-in one. dLogits is used as given: `options.reduction` throws
   * (scale dLogits for a mean).
   */
  backwardFromLogits(
    cache: RecurrentCache,
    dLogits: Matrix,
    options: RecurrentBackwardOptions = {},
  ): RecurrentBackwardResult {
    const c = this.checkCache(cache);
    const { batch: B, steps: T, workspace: ws } = c;
    checkMatrix("dLogits", dLogits, T * B, this.outputSize, this.dtype);
    checkFinite("dLogits", dLogits);
    logitsOptions(options);
    const wantStates = stateFlag(options.stateGradients);
    ws.dLogits.data.set(dLogits.data);
    this.readoutBackward(ws);
    return { ...this.backpropagate(c, null, wantStates), loss: NaN };
  }

  /**
   * Backpropagation through time of a loss on the top layer's h_t and on
   * the final state, bypassing the readout (its gradients get nothing):
   * `dOutputs` `[T B, H]` is dL/dh_t (time-major, like `cache.outputs`),
   * `options.dFinalState` `[B, S]` dL/d(final state), e.g. for a loss on
   * the LSTM's C_T; both all finite.
   */
  backwardFromOutputs(
    cache: RecurrentCache,
    dOutputs: Matrix,
    options: OutputBackwardOptions = {},
  ): RecurrentBackwardResult {
    const c = this.checkCache(cache);
    const { batch: B, steps: T, workspace: ws } = c;
    checkMatrix("dOutputs", dOutputs, T * B, this.hiddenSize, this.dtype);
    checkFinite("dOutputs", dOutputs);
    checkOptionKeys("options", options, ["dFinalState", "stateGradients"]);
    const dFinal = options.dFinalState ?? null;
    if (dFinal !== null) {
      checkState("options.dFinalState", dFinal, B, this.stateSize, this.dtype);
    }
    const wantStates = stateFlag(options.stateGradients);
    ws.layers[this.layers - 1].dOutputs.data.set(dOutputs.data);
    return { ...this.backpropagate(c, dFinal, wantStates), loss: NaN };
  }

  /** Readout: dV += h^T dlogits, dc += column sums, dh_t = dlogits V^T. */
  private readoutBackward(ws: StackWorkspace<W>): void {
    const top = ws.layers[this.layers - 1];
    const g = this.readoutGrad;
    // gemm packs a transposed B operand slowly: transpose V once here.
    transposeInto(this.outputWeights, ws.outputT);
    gemm(top.outputs, ws.dLogits, g.weights, { transA: true, beta: 1 });
    addColumnSums(ws.dLogits.data, g.bias);
    gemm(ws.dLogits, ws.outputT, top.dOutputs);
  }

  /** The layers top down, from the top layer's dOutputs. */
  private backpropagate(
    cache: StackCache<W>,
    dFinal: Matrix | null,
    wantStates: boolean,
  ) {
    const { batch: B, steps: T, workspace: ws, input } = cache;
    const dStates = wantStates
      ? Matrix.zeros(T * B, this.stateSize, this.dtype)
      : null;
    const dInputTM =
      "x" in input ? Matrix.zeros(T * B, this.inputSize, this.dtype) : null;
    ws.layers.forEach((layer, l) =>
      layer.carry.forEach((piece, k) => {
        if (dFinal === null) piece.data.fill(0);
        else this.copyPiece(dFinal, l, k, piece, true);
      }),
    );
    for (let l = this.layers - 1; l >= 0; l--) {
      const below = ws.layers[l - 1];
      const x = below
        ? { tokens: null, x: below.outputs }
        : this.layerZeroInput(ws, input, false);
      const dX = below ? below.dOutputs : dInputTM;
      this.backwardLayer(l, ws.layers[l], x, dX, dStates);
    }
    const dInitialState = Matrix.zeros(B, this.stateSize, this.dtype);
    ws.layers.forEach((layer, l) =>
      layer.carry.forEach((piece, k) =>
        this.copyPiece(dInitialState, l, k, piece, false),
      ),
    );
    const dInput = dInputTM
      ? reorderRows(dInputTM, dInputTM.clone(), B, T, true)
      : null;
    return { dInitialState, dInput, stateGradients: dStates };
  }

  /** Sets every gradient to 0. */
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  // -------------------------------------------------------------------------
  // State pieces, input, scratch, checks, initial weights.

  /**
   * Copies piece k of layer l between the state matrix `state` `[B, S]`
   * and `piece` `[B, H]`: into the piece with `toPiece`, else out of it.
   */
  private copyPiece(
    state: Matrix,
    l: number,
    k: number,
    piece: Matrix,
    toPiece: boolean,
  ): void {
    const H = this.hiddenSize;
    const S = state.cols;
    const col = (l * this.pieces + k) * H;
    for (let b = 0; b < state.rows; b++) {
      const at = b * S + col;
      if (toPiece) piece.data.set(state.data.subarray(at, at + H), b * H);
      else state.data.set(piece.data.subarray(b * H, b * H + H), at);
    }
  }

  /** Layer 0's input; `reorder` copies dense input into time-major rows. */
  private layerZeroInput(
    ws: StackWorkspace<W>,
    input: SequenceInput,
    reorder: boolean,
  ): LayerInput {
    if (!("x" in input)) return { tokens: input.tokens, x: null };
    const X = ws.denseInput as Matrix;
    if (reorder) reorderRows(input.x, X, ws.batch, ws.steps);
    return { tokens: null, x: X };
  }

  /** Scratch for (B, T), made on first use; the last few shapes kept. */
  private workspace(B: number, T: number, dense: boolean): StackWorkspace<W> {
    const ws = this.workspaces.get(B, T, () => {
      const layers = Array.from({ length: this.layers }, (_, l) =>
        this.newLayerWorkspace(l, B, T),
      );
      const sizes = {
        hidden: this.hiddenSize,
        output: this.outputSize,
        state: this.stateSize,
      };
      return new StackWorkspace(B, T, layers, sizes, this.dtype);
    });
    if (dense && !ws.denseInput) {
      ws.denseInput = Matrix.zeros(T * B, this.inputSize, this.dtype);
    }
    return ws;
  }

  private checkCache(cache: RecurrentCache): StackCache<W> {
    const ws = (cache as StackCache<W> | null)?.workspace;
    this.workspaces.check(cache, ws instanceof StackWorkspace ? ws : null);
    return cache as StackCache<W>;
  }
}

function stateFlag(value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `options.stateGradients: expected a boolean, got ${describeValue(value)}`,
    );
  }
  return value;
}
