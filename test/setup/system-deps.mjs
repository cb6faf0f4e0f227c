// Installs the Debian packages that the end-to-end tests need (Chromium for
// the report check, nbconvert for the real-Jupyter check, bubblewrap for the
// grader's sandbox), idempotently.
//
// It installs only what is missing, only as root on a machine with apt-get.
// Elsewhere it says what is missing and why it could not install it; the
// tests that need a missing tool are then skipped with that reason, except
// under CI=true, where they fail (test/helpers/system.ts).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Each tool: the file that proves it is there, and the packages that bring it. */
export const SYSTEM_TOOLS = [
  { name: "chromium", path: "/usr/bin/chromium", packages: ["chromium"] },
  {
    name: "jupyter-nbconvert",
    path: "/usr/bin/jupyter-nbconvert",
    packages: ["jupyter-nbconvert", "python3-nbclient", "jupyter-client"],
  },
  // setpriv and prlimit come with util-linux, which every Debian has.
  { name: "bubblewrap", path: "/usr/bin/bwrap", packages: ["bubblewrap"] },
];

function canInstall() {
  if (process.platform !== "linux") return "not Linux";
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return "not root";
  }
  if (!existsSync("/usr/bin/apt-get")) return "no apt-get (not Debian)";
  return null;
}

export function ensureSystemTools(log = (line) => console.log(line)) {
  const missing = SYSTEM_TOOLS.filter((tool) => !existsSync(tool.path));
  if (missing.length === 0) return [];
  const names = missing.map((tool) => tool.name).join(", ");
  const reason = canInstall();
  if (reason) {
    log(`system-deps: missing ${names}; cannot install (${reason})`);
    return missing.map((tool) => ({ ...tool, reason }));
  }
  const packages = missing.flatMap((tool) => tool.packages);
  log(`system-deps: installing ${packages.join(" ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], {
    env,
    stdio: "inherit",
  });
  if (update.status !== 0) log("system-deps: apt-get update failed");
  try {
    execFileSync("apt-get", ["install", "-y", "-qq", ...packages], {
      env,
      stdio: ["ignore", "ignore", "inherit"],
    });
  } catch {
    log(`system-deps: apt-get install ${packages.join(" ")} failed`);
  }
  return SYSTEM_TOOLS.filter((tool) => !existsSync(tool.path)).map((tool) => ({
    ...tool,
    reason: "apt-get install failed",
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stillMissing = ensureSystemTools();
  for (const tool of stillMissing) {
    console.log(`system-deps: ${tool.name} unavailable: ${tool.reason}`);
  }
}
