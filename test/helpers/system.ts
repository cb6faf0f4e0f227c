/**
 * Whether a system tool that a test needs is present. Absent tools make the
 * test skip with the reason, except under CI=true, where an absent tool is
 * a failure: CI installs them (test/setup/system-deps.mjs), so a missing one
 * means the install step broke.
 */
import { existsSync } from "node:fs";

export function missingTool(path: string): string | null {
  if (existsSync(path)) return null;
  const reason = `${path} is not installed (run: node test/setup/system-deps.mjs as root)`;
  if (process.env.CI === "true") {
    throw new Error(`CI=true requires ${path}: ${reason}`);
  }
  return reason;
}
