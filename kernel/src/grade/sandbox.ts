/**
 * The sandbox a submission's kernel runs in (issue 9), built from
 * Debian's bubblewrap, util-linux's setpriv and prlimit:
 *
 *   prlimit --nproc --data --fsize --cpu --core=0 --
 *     bwrap --unshare-{pid,net,ipc,uts,cgroup} --die-with-parent
 *           --new-session --clearenv  (a new root, see below)  --
 *       setpriv --reuid U --regid U --clear-groups (no capabilities) --
 *         node --max-old-space-size ... tslab kernel --config-path ...
 *
 * The new root holds only /usr (and the /bin, /lib symlinks into it),
 * node's own folder if it is elsewhere, the project's node_modules and the
 * library, read-only; the kernel's connection folder (ZeroMQ over ipc
 * sockets: there is no network); /proc and a minimal /dev; and a private
 * writable home, a tmpfs of fixed size that is also its working directory
 * and TMPDIR. The instructor's notebooks, the other submissions and the
 * grader's output are not in it.
 *
 * As root, bubblewrap sets up the mounts and setpriv then drops to a user
 * id of its own (no such user needs to exist), so the process limit counts
 * only that user's processes and no capability is left. As another user,
 * bubblewrap makes a user namespace instead and the process limit is left
 * out (it would count every process of that user); the watchdog still
 * stops a submission at its first extra process.
 *
 * Memory is limited by RLIMIT_DATA, not RLIMIT_AS: V8 reserves large
 * address ranges (pointer cage, WebAssembly guard regions) without
 * committing them, which RLIMIT_AS counts and RLIMIT_DATA does not.
 */
import { spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  promises as fs,
  readlinkSync,
  realpathSync,
  rmSync,
} from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";
import path from "node:path";

import type { KernelLauncher } from "../kernel-process.js";

export interface SandboxLimits {
  /** Resident memory of everything in the sandbox, in MiB. */
  memoryMb: number;
  /** Size of the private home (tmpfs), in MiB; also the largest file. */
  diskMb: number;
  /** Processes and threads of the sandbox's user (root only). */
  processes: number;
  /** CPU seconds of the kernel: a backstop behind the wall-clock limits. */
  cpuSeconds: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  memoryMb: 2048,
  diskMb: 64,
  processes: 128,
  cpuSeconds: 1800,
};

/** The sandbox's home: working directory, HOME and TMPDIR. */
export const SANDBOX_HOME = "/home/student";

/** Where the sandbox's user ids start (root only); one per slot. */
export const SANDBOX_UID_BASE = 61000;

const require = createRequire(import.meta.url);

export interface SandboxOptions {
  limits: SandboxLimits;
  /** The user id the kernel runs as (root only). */
  uid: number;
  /** The project: node_modules (tslab, memnets) is found from here. */
  projectRoot: string;
}

/** True when this process can switch to the sandbox's own user. */
export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** The read-only paths the kernel needs (bound at the same place). */
function readOnlyPaths(projectRoot: string): string[] {
  const paths = [path.join(projectRoot, "node_modules")];
  // The library may be a workspace folder that node_modules links to.
  const lib = path.dirname(
    realpathSync(require.resolve("memnets/package.json")),
  );
  if (!lib.startsWith(paths[0] + path.sep)) paths.push(lib);
  const node = realpathSync(process.execPath);
  if (!node.startsWith("/usr/")) paths.push(path.dirname(path.dirname(node)));
  return paths;
}

/** bwrap arguments that create `dir`'s missing ancestors, readable by all. */
function ancestors(dirs: string[], made: Set<string>): string[] {
  const args: string[] = [];
  for (const dir of dirs) {
    const parts = path.resolve(dir).split(path.sep).filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = "/" + parts.slice(0, i).join("/");
      if (made.has(p) || p === "/usr" || p.startsWith("/usr/")) continue;
      made.add(p);
      // bwrap would make them mode 0700, closed to the sandbox's user.
      args.push("--perms", "0755", "--dir", p);
    }
  }
  return args;
}

/** The bwrap arguments for the system folders: /usr and its symlinks. */
function systemArgs(): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const dir of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    if (!existsSync(dir)) continue;
    const stat = lstatSync(dir);
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push("--ro-bind", dir, dir);
  }
  return args;
}

/** The full command line that runs `kernelArgv` in the sandbox. */
export function sandboxCommand(
  kernelArgv: string[],
  connDir: string,
  options: SandboxOptions,
): { command: string; args: string[] } {
  const { limits, projectRoot } = options;
  const root = isRoot();
  const mib = 1024 * 1024;
  const ro = readOnlyPaths(projectRoot);
  const made = new Set<string>();
  const bwrap = [
    "--unshare-pid",
    "--unshare-net",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    ...(root ? [] : ["--unshare-user"]),
    "--hostname",
    "sandbox",
    "--die-with-parent",
    "--new-session",
    ...systemArgs(),
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    ...ancestors([...ro, connDir], made),
    ...ro.flatMap((p) => ["--ro-bind", p, p]),
    "--bind",
    connDir,
    connDir,
    ...ancestors([SANDBOX_HOME], made),
    "--size",
    String(limits.diskMb * mib),
    "--perms",
    "1777",
    "--tmpfs",
    SANDBOX_HOME,
    "--perms",
    "1777",
    "--dir",
    `${SANDBOX_HOME}/.tmp`,
    // Module resolution from the home finds the project's packages.
    "--symlink",
    ro[0],
    `${SANDBOX_HOME}/node_modules`,
    "--chdir",
    SANDBOX_HOME,
    "--clearenv",
    "--setenv",
    "PATH",
    "/usr/bin:/bin",
    "--setenv",
    "HOME",
    SANDBOX_HOME,
    "--setenv",
    "TMPDIR",
    `${SANDBOX_HOME}/.tmp`,
    "--setenv",
    "LANG",
    "C.UTF-8",
  ];
  const drop = root
    ? [
        "--cap-add",
        "CAP_SETUID",
        "--cap-add",
        "CAP_SETGID",
        "--",
        "setpriv",
        `--reuid=${options.uid}`,
        `--regid=${options.uid}`,
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--",
      ]
    : ["--"];
  const prlimit = [
    ...(root ? [`--nproc=${limits.processes}`] : []),
    // Headroom above the watchdog's limit: the watchdog names the cause,
    // the rlimit is the hard stop if it is too slow.
    `--data=${(limits.memoryMb + 256) * mib}`,
    `--fsize=${limits.diskMb * mib}`,
    `--cpu=${limits.cpuSeconds}`,
    "--core=0",
    "--",
  ];
  return {
    command: "prlimit",
    args: [...prlimit, "bwrap", ...bwrap, ...drop, ...kernelArgv],
  };
}

/** A KernelLauncher for `KernelProcess.start` that runs it sandboxed. */
export function sandboxLauncher(options: SandboxOptions): KernelLauncher {
  return {
    async prepare(connDir) {
      if (!isRoot()) return;
      // The kernel makes its sockets here and reads the connection file,
      // through the group of its own: the folder stays root's, so that
      // `closeConnDir` can take the right to write back once it started.
      const gid = options.uid;
      chownSync(connDir, 0, gid);
      await fs.chmod(connDir, 0o770);
      for (const name of await fs.readdir(connDir)) {
        chownSync(path.join(connDir, name), 0, gid);
        await fs.chmod(path.join(connDir, name), 0o640);
      }
    },
    wrap: (kernelArgv, connDir) => sandboxCommand(kernelArgv, connDir, options),
  };
}

/**
 * After the kernel has made its sockets: no more files in its connection
 * folder, which is on the host's disk (as root; otherwise the kernel owns
 * the folder and the watchdog measures it instead).
 */
export async function closeConnDir(connDir: string): Promise<void> {
  if (isRoot()) await fs.chmod(connDir, 0o750);
}

/**
 * Whether the sandbox works here: null if a trivial program runs in it,
 * else the reason (a missing program, user namespaces refused, ...).
 */
export function probeSandbox(projectRoot: string): string | null {
  for (const program of [
    "bwrap",
    "prlimit",
    ...(isRoot() ? ["setpriv"] : []),
  ]) {
    const found = spawnSync("sh", ["-c", `command -v ${program}`]);
    if (found.status !== 0) {
      return `${program} is not installed (Debian: apt-get install ${
        program === "bwrap" ? "bubblewrap" : "util-linux"
      })`;
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "memnets-probe-"));
  try {
    const { command, args } = sandboxCommand(
      [process.execPath, "-e", "require('memnets')"],
      dir,
      { limits: DEFAULT_LIMITS, uid: SANDBOX_UID_BASE, projectRoot },
    );
    const run = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
    if (run.status === 0) return null;
    const why = (run.stderr || run.error?.message || "").trim();
    return `a test program failed in the sandbox (exit ${run.status}): ${why}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
