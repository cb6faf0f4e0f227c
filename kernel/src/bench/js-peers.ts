/**
 * The JavaScript peers, loaded on first use: tfjs (cpu and wasm backends;
 * optional dependencies) and mathjs (a dependency of lib). A peer that is
 * not installed makes its rows "skipped" with the import error as reason.
 *
 * The packages are imported by a computed name and typed by the few calls
 * used here, so the kernel builds even where the optional ones are absent.
 */
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** Thrown by a row's setup when its peer cannot run here. */
export class PeerUnavailable extends Error {
  override name = "PeerUnavailable";
}

/** A tfjs tensor, as far as the benchmark uses one. */
export interface TfTensor {
  dataSync(): ArrayLike<number>;
  dispose(): void;
}

/** The part of @tensorflow/tfjs-core the benchmark calls. */
export interface Tfjs {
  version_core: string;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor2d(
    values: Float32Array,
    shape: [number, number],
    dtype: "float32",
  ): TfTensor;
  matMul(a: TfTensor, b: TfTensor, transA: boolean, transB: boolean): TfTensor;
  env(): { getAsync(flag: string): Promise<unknown> };
}

/** The part of mathjs the benchmark calls. */
export interface MathJs {
  version: string;
  multiply(a: number[][], b: number[][]): unknown;
}

/** Versions and settings of the peers that loaded, for bench.json. */
export const peerInfo: Record<string, Record<string, unknown>> = {};

const dynamicImport = (name: string): Promise<unknown> => import(name);

function reasonOf(name: string, err: unknown): string {
  const message = err instanceof Error ? err.message.split("\n")[0] : err;
  return `${name} not loadable: ${String(message)}`;
}

let tfjsCore: Promise<Tfjs> | undefined;

async function loadTfjsCore(): Promise<Tfjs> {
  const tf = (await dynamicImport("@tensorflow/tfjs-core")) as Tfjs;
  await dynamicImport("@tensorflow/tfjs-backend-cpu");
  const wasm = (await dynamicImport("@tensorflow/tfjs-backend-wasm")) as {
    setWasmPaths(prefix: string): void;
    version_wasm?: string;
  };
  // The .wasm files are read from node_modules, never fetched.
  const wasmFile =
    require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm");
  wasm.setWasmPaths(path.dirname(wasmFile) + path.sep);
  peerInfo.tfjs = { core: tf.version_core, wasm: wasm.version_wasm };
  return tf;
}

/**
 * tfjs with `backend` ("cpu" or "wasm") active. Throws PeerUnavailable
 * when the packages are missing or the backend does not start.
 */
export async function tfjsWith(backend: "cpu" | "wasm"): Promise<Tfjs> {
  tfjsCore ??= loadTfjsCore();
  let tf: Tfjs;
  try {
    tf = await tfjsCore;
  } catch (err) {
    throw new PeerUnavailable(reasonOf("@tensorflow/tfjs-core", err));
  }
  const ok = await tf.setBackend(backend).catch(() => false);
  if (!ok) {
    throw new PeerUnavailable(`tfjs backend ${backend} did not initialize`);
  }
  await tf.ready();
  if (backend === "wasm" && !("wasmSimd" in peerInfo.tfjs)) {
    const env = tf.env();
    peerInfo.tfjs.wasmSimd = await env.getAsync("WASM_HAS_SIMD_SUPPORT");
    peerInfo.tfjs.wasmThreads = await env.getAsync(
      "WASM_HAS_MULTITHREAD_SUPPORT",
    );
  }
  return tf;
}

let mathjs: Promise<MathJs> | undefined;

/** mathjs, or PeerUnavailable naming why not. */
export async function loadMathjs(): Promise<MathJs> {
  mathjs ??= (dynamicImport("mathjs") as Promise<MathJs>).then((math) => {
    peerInfo.mathjs = { version: math.version };
    return math;
  });
  try {
    return await mathjs;
  } catch (err) {
    throw new PeerUnavailable(reasonOf("mathjs", err));
  }
}
