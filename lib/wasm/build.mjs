// Builds lib/dist/gemm.wasm and lib/dist/gemm-relaxed.wasm from the
// AssemblyScript sources in lib/wasm/ (issue 3). Run by `npm run build`
// before tsc; the CommonJS lib loads a module synchronously from its own
// directory at run time. gemm-relaxed.wasm uses relaxed SIMD's fused
// multiply-add (see kernels.ts); gemm.wasm is the fallback for a runtime
// without relaxed SIMD.
//
// Flags: SIMD for the kernels; an imported shared memory so that a worker
// thread can instantiate the same module over the same memory (threads: 2);
// the stub runtime, since the kernels never allocate; no abort import.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "..", "dist");

const common = [
  path.join(here, "gemm.ts"),
  "-O3",
  "--noAssert",
  "--runtime",
  "stub",
  "--use",
  "abort=",
  "--enable",
  "simd",
  "--enable",
  "threads",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "2",
  "--maximumMemory",
  "65536",
];

mkdirSync(dist, { recursive: true });
await build([...common, "--outFile", path.join(dist, "gemm.wasm")]);
await build([
  ...common,
  "--enable",
  "relaxed-simd",
  "--outFile",
  path.join(dist, "gemm-relaxed.wasm"),
]);

async function build(args) {
  const { error, stderr } = await asc.main(args, {
    // Write to a temporary name and rename, so a reader never sees half a
    // module.
    writeFile(name, contents, baseDir) {
      const file = path.resolve(baseDir, name);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, contents);
      renameSync(tmp, file);
    },
  });
  if (error) {
    console.error(stderr.toString());
    console.error(`lib/wasm/build.mjs: ${error.message}`);
    process.exit(1);
  }
}
