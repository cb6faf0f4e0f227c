/**
 * Atomic file replacement for generated files (executed notebooks, reports).
 *
 * A reader never sees a half-written file: the content goes to a temporary
 * file in the same folder (so the rename stays on one file system), is
 * flushed, and is then renamed over the target in one step. A process that
 * exits mid-write (Ctrl-C in the CLI) removes its temporary files.
 */
import { randomBytes } from "node:crypto";
import { promises as fs, rmSync } from "node:fs";
import path from "node:path";

const inFlight = new Set<string>();

process.on("exit", () => {
  for (const tmp of inFlight) rmSync(tmp, { force: true });
});

export async function writeFileAtomic(
  target: string,
  content: string | Uint8Array,
): Promise<void> {
  const dir = path.dirname(target);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(
    dir,
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  inFlight.add(tmp);
  try {
    const handle = await fs.open(tmp, "w");
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  } finally {
    inFlight.delete(tmp);
  }
}
