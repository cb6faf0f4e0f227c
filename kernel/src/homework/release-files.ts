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
import { readNotebook } from "../notebook.js";
import { type Release, releaseNotebook, ReleaseError } from "./release.js";

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
 * malformed, two share a name, or a target exists and is not a release.
 */
export async function releaseFiles(
  sources: string[],
  outDir: string,
): Promise<Written[]> {
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
      throw new ReleaseError(`${source}: ${message}`);
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
  let released = false;
  try {
    const nb = JSON.parse(text) as {
      metadata?: { memnets?: { homework?: { released?: unknown } } };
    };
    released = nb.metadata?.memnets?.homework?.released === true;
  } catch {
    released = false;
  }
  if (!released) {
    throw new ReleaseError(
      `${target}: exists and is not a released assignment; not replacing it (move it, or choose another --out)`,
    );
  }
}
