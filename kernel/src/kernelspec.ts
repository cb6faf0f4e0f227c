/**
 * Registers the tslab kernel with Jupyter (a kernelspec), pointing at this
 * project's own tslab, so JupyterLab, Jupyter Notebook, VS Code and
 * `jupyter nbconvert` can run the lessons.
 *
 * tslab's own `tslab install` expects a global `tslab` on the PATH; ours
 * writes absolute paths to node and to the local tslab instead, so a plain
 * `npm ci` is enough.
 */
import { existsSync, promises as fs } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { writeFileAtomic } from "./atomic.js";

export interface KernelspecOptions {
  /** Install under PREFIX/share/jupyter/kernels (default: the user's data dir). */
  prefix?: string;
  /** Kernel name; the notebooks ask for "tslab" (default). */
  name?: string;
  /** Replace an existing kernel.json that differs from ours. */
  force?: boolean;
}

/** Jupyter's per-user data folder, as jupyter_core computes it. */
export function userJupyterDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === "darwin") {
    return path.join(os.homedir(), "Library", "Jupyter");
  }
  if (process.platform === "win32") {
    return path.join(process.env.APPDATA ?? os.homedir(), "jupyter");
  }
  const xdg =
    process.env.XDG_DATA_HOME ?? path.join(os.homedir(), ".local", "share");
  return path.join(xdg, "jupyter");
}

/** The kernel.json content that starts this project's tslab. */
export function kernelSpec(): object {
  const require = createRequire(import.meta.url);
  const tslabBin = path.join(
    path.dirname(require.resolve("tslab/package.json")),
    "bin",
    "tslab",
  );
  return {
    argv: [
      process.execPath,
      tslabBin,
      "kernel",
      "--config-path",
      "{connection_file}",
    ],
    display_name: "TypeScript",
    language: "typescript",
  };
}

/** Writes the kernelspec; returns its folder. Refuses to overwrite a different one. */
export async function installKernel(
  options: KernelspecOptions = {},
): Promise<string> {
  const name = options.name ?? "tslab";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new RangeError(
      `name must be letters, digits, '.', '_' or '-', got ${JSON.stringify(name)}`,
    );
  }
  const base = options.prefix
    ? path.join(path.resolve(options.prefix), "share", "jupyter")
    : userJupyterDataDir();
  const dir = path.join(base, "kernels", name);
  const file = path.join(dir, "kernel.json");
  const content = JSON.stringify(kernelSpec(), null, 2) + "\n";
  if (existsSync(file) && !options.force) {
    const current = await fs.readFile(file, "utf8");
    if (current !== content) {
      throw new Error(
        `${file} exists and starts another kernel; move it away or pass --force`,
      );
    }
    return dir;
  }
  await writeFileAtomic(file, content);
  return dir;
}
