import { describe, expect, it } from "vitest";

import { Random } from "../../lib/src/random.js";
import {
  NonFiniteLossError,
  minibatches,
  trainEpochs,
  trainLoop,
} from "../../lib/src/train.js";

describe("trainLoop", () => {
  it("reports every step and the mean loss of every epoch", () => {
    const steps: [number, number][] = [];
    const epochs: [number, number][] = [];
    const result = trainLoop({
      steps: 5,
      stepsPerEpoch: 2,
      step: (i) => 10 - i,
      onStep: (i, loss) => {
        steps.push([i, loss]);
      },
      onEpoch: (e, mean) => {
        epochs.push([e, mean]);
      },
    });
    expect(steps).toEqual([
      [0, 10],
      [1, 9],
      [2, 8],
      [3, 7],
      [4, 6],
    ]);
    // epochs {0, 1}, {2, 3} and the short last one {4}
    expect(epochs).toEqual([
      [0, 9.5],
      [1, 7.5],
      [2, 6],
    ]);
    expect(result).toEqual({
      losses: [10, 9, 8, 7, 6],
      epochLosses: [9.5, 7.5, 6],
      stoppedEarly: false,
    });
  });

  it("passes the epoch of each step to the step function", () => {
    const seen: number[] = [];
    trainLoop({
      steps: 6,
      stepsPerEpoch: 3,
      step: (_i, epoch) => {
        seen.push(epoch);
        return 0;
      },
    });
    expect(seen).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it("stops on a NaN loss with an error naming the step", () => {
    const seen: number[] = [];
    let error: unknown;
    try {
      trainLoop({
        steps: 10,
        stepsPerEpoch: 2,
        step: (i) => (i === 3 ? NaN : 1),
        onStep: (i) => {
          seen.push(i);
        },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const e = error as NonFiniteLossError;
    expect(e.step).toBe(3);
    expect(e.epoch).toBe(1);
    expect(e.loss).toBeNaN();
    expect(e.message).toContain("non-finite loss NaN at step 3");
    // the callbacks never saw the bad step, nor anything after it
    expect(seen).toEqual([0, 1, 2]);
  });

  it("stops on an infinite loss too", () => {
    const run = () => trainLoop({ steps: 3, step: (i) => (i ? -Infinity : 0) });
    expect(run).toThrow(NonFiniteLossError);
    expect(run).toThrow("non-finite loss -Infinity at step 1");
  });

  it("stops early when a callback returns false", () => {
    const result = trainLoop({
      steps: 100,
      step: () => 1,
      onStep: (i) => i < 4,
    });
    expect(result.losses).toHaveLength(5);
    expect(result.stoppedEarly).toBe(true);
  });

  it("rejects bad options and a step that returns no number", () => {
    expect(() => trainLoop({ steps: -1, step: () => 0 })).toThrow(
      "options.steps: expected an integer >= 0, got -1",
    );
    expect(() =>
      trainLoop({ steps: 2, step: () => 0, stepsPerEpoch: 0 }),
    ).toThrow(RangeError);
    const options = { steps: 1, step: () => 0, onBatch: () => {} };
    expect(() => trainLoop(options)).toThrow("options.onBatch: unsupported");
    const noLoss = { steps: 1, step: () => undefined as unknown as number };
    expect(() => trainLoop(noLoss)).toThrow(TypeError);
  });
});

describe("trainEpochs", () => {
  it("visits every example once per epoch in shuffled batches", () => {
    const epochOrders: number[][] = [[], []];
    const sizes: number[] = [];
    const result = trainEpochs({
      epochs: 2,
      count: 10,
      batchSize: 4,
      random: new Random(8),
      step: (batch, _i, epoch) => {
        epochOrders[epoch].push(...batch);
        sizes.push(batch.length);
        return batch.length;
      },
    });
    expect(sizes).toEqual([4, 4, 2, 4, 4, 2]);
    for (const order of epochOrders) {
      expect([...order].sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
      ]);
    }
    expect(epochOrders[0]).not.toEqual(epochOrders[1]);
    expect(result.epochLosses).toEqual([10 / 3, 10 / 3]);
  });

  it("repeats its batches for the same seed", () => {
    const a = minibatches(50, 8, new Random(3)).map((b) => Array.from(b));
    const b = minibatches(50, 8, new Random(3)).map((b) => Array.from(b));
    expect(a).toEqual(b);
  });

  it("names the global step of a NaN loss", () => {
    const run = () =>
      trainEpochs({
        epochs: 3,
        count: 6,
        batchSize: 3,
        random: new Random(1),
        step: (_b, i) => (i === 4 ? NaN : 0.5),
      });
    expect(run).toThrow("non-finite loss NaN at step 4 (epoch 2)");
  });
});
