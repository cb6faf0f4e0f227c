/**
 * `memnets release [ASSIGNMENT.ipynb ...] [--out DIR]` (issue 8): writes the
 * student version of each instructor notebook (default: every
 * `notebooks/homework/*.ipynb`) to DIR (default
 * `reports/homework/release`).
 *
 * Safety: every notebook is read and released in memory before anything is
 * written, so a malformed one stops the run with nothing half done; each
 * file is written atomically; a file already in DIR is replaced only if it
 * is an earlier release (metadata `memnets.homework.released`), so neither
 * an instructor version nor a student's work is ever overwritten, even when
 * DIR is the instructors' own folder.
 */

import { promises as fs } from "node:fs";
import path from "node:path";

import { writeFileAtomic } from "../atomic.js";
import { type Notebook, readNotebook } from "../notebook.js";
import {
  cellsDigest,
  type Release,
  type ReleaseRecord,
  releaseNotebook,
  ReleaseError,
} from "./release.js";

/** The instructor versions of the project, sorted. */
export async function homeworkNotebooks(root: string): Promise<string[]> {
  const dir = path.join(root, "notebooks", "homework");
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith(".ipynb"));
  return names.sort().map((n) => path.join(dir, n));
}

/** One written release. */
export interface Written {
  source: string;
  target: string;
  release: Release;
}

/**
 * Releases `sources` into `outDir`; returns what it wrote. Throws (a
 * ReleaseError naming the file) before writing anything if any source is
 * malformed, two share a name, a target exists and is not an untouched
 * release, or `outDir` is the folder of a source or `instructorDir`.
 */
export async function releaseFiles(
  sources: string[],
  outDir: string,
  instructorDir?: string,
): Promise<Written[]> {
  const folders = [...sources.map((s) => path.dirname(s)), instructorDir];
  for (const folder of folders) {
    if (folder !== undefined && path.resolve(folder) === path.resolve(outDir)) {
      throw new ReleaseError(
        `--out ${outDir}: is a folder of instructor versions; choose another`,
      );
    }
  }
  const planned: Written[] = [];
  const names = new Map<string, string>();
  for (const source of sources) {
    const name = path.basename(source, ".ipynb");
    const other = names.get(name);
    if (other !== undefined) {
      throw new ReleaseError(
        `${other} and ${source} would both be released as ${name}.ipynb`,
      );
    }
    names.set(name, source);
    let release: Release;
    try {
      release = releaseNotebook(await readNotebook(source), name);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // readNotebook's own errors already name the file.
      throw new ReleaseError(
        message.includes(source) ? message : `${source}: ${message}`,
      );
    }
    const target = path.join(outDir, `${name}.ipynb`);
    await refuseForeign(target, sources);
    planned.push({ source, target, release });
  }
  await fs.mkdir(outDir, { recursive: true });
  for (const w of planned) {
    await writeFileAtomic(
      w.target,
      JSON.stringify(w.release.notebook, null, 1) + "\n",
    );
  }
  return planned;
}

/** Throws unless `target` is absent or an earlier release (not a source). */
async function refuseForeign(target: string, sources: string[]): Promise<void> {
  let text: string;
  try {
    text = await fs.readFile(target, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const resolved = await fs.realpath(target);
  for (const s of sources) {
    if ((await fs.realpath(s)) === resolved) {
      throw new ReleaseError(
        `${target}: is the instructor version itself; choose another --out`,
      );
    }
  }
  let untouched = false;
  try {
    const nb = JSON.parse(text) as Notebook;
    const memnets = nb.metadata?.memnets as
      { homework?: ReleaseRecord } | undefined;
    const record = memnets?.homework;
    untouched =
      record?.released === true &&
      typeof record.cellsSha256 === "string" &&
      Array.isArray(nb.cells) &&
      cellsDigest(nb.cells) === record.cellsSha256;
  } catch {
    untouched = false;
  }
  if (!untouched) {
    throw new ReleaseError(
      `${target}: exists and is not an untouched release (a student's ` +
        `work, or another file); not replacing it (move it, or choose ` +
        `another --out)`,
    );
  }
}
