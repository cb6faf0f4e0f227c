/**
 * Watches a submission's kernel from outside (issue 9): every `intervalMs`
 * it reads the process tree under the process we started, and stops the
 * run (through `onViolation`, once) at the first of
 *
 * - a process other than the sandbox's two and the kernel (submissions
 *   may not start processes; an orphan re-parented to the sandbox's init
 *   counts too, and the kernel is known by its process id, not its name,
 *   which a submission can change);
 * - resident memory of the whole tree above the limit;
 * - the sandbox's home (a tmpfs of fixed size) full, or more than 1 MiB
 *   written into the kernel's connection folder (on the host's disk);
 * - more output than the limit (counted by the grader, see `addOutput`);
 * - a cell running longer than its limit, or the whole run over its time.
 *
 * The reason is a sentence for the student's feedback.
 */
import { promises as fs } from "node:fs";

import { processTree, type ProcInfo } from "./proc.js";
import { SANDBOX_HOME } from "./sandbox.js";

export interface WatchLimits {
  memoryBytes: number;
  /** Size of the sandbox's home; null without a sandbox (not watched). */
  diskBytes: number | null;
  outputBytes: number;
  cellTimeoutMs: number;
  /** Epoch ms by which the whole run must be over. */
  deadline: number;
  /** The kernel's connection folder, if the kernel can write into it. */
  connDir?: string;
}

const MIB = 1024 * 1024;

export class Watchdog {
  violation: string | null = null;
  peakMemoryBytes = 0;
  private outputBytes = 0;
  private cellLabel = "";
  private cellStarted = 0;
  private timer: NodeJS.Timeout;
  private busy = false;
  /** The processes that belong: the sandbox's two and the kernel. */
  private allowed: Set<number> | null = null;
  private kernelPid: number | null = null;

  constructor(
    private readonly rootPid: number,
    private readonly sandboxed: boolean,
    private readonly limits: WatchLimits,
    private readonly onViolation: (reason: string) => void,
    intervalMs = 100,
  ) {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  /** A new cell starts now; `label` names it in a timeout's reason. */
  startCell(label: string): void {
    this.cellLabel = label;
    this.cellStarted = Date.now();
  }

  /** Output the kernel sent (stream text, display data), in bytes. */
  addOutput(bytes: number): void {
    this.outputBytes += bytes;
    if (this.outputBytes > this.limits.outputBytes) {
      this.fail(
        `printed or displayed more than ${mb(this.limits.outputBytes)} MB of output`,
      );
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round of checks now (also run at the end of a submission). */
  async tick(): Promise<void> {
    if (this.busy || this.violation) return;
    this.busy = true;
    try {
      this.checkTime();
      const tree = processTree(this.rootPid);
      if (tree.length === 0) return;
      this.learnKernel(tree);
      this.checkProcesses(tree);
      this.checkMemory(tree);
      await this.checkDisk();
      await this.checkConnDir();
    } finally {
      this.busy = false;
    }
  }

  /**
   * Takes the kernel's process id the first time the tree is seen (the
   * watchdog starts when the kernel has answered, before any student
   * code): without the sandbox the root itself; in it, the one child of
   * the sandbox's init (under prlimit/bwrap and bwrap's init).
   */
  private learnKernel(tree: ProcInfo[]): void {
    if (this.allowed) return;
    if (!this.sandboxed) {
      this.kernelPid = this.rootPid;
      this.allowed = new Set([this.rootPid]);
      return;
    }
    const init = tree.find((p) => p.ppid === this.rootPid);
    const kernels = init ? tree.filter((p) => p.ppid === init.pid) : [];
    if (!init || kernels.length !== 1) return;
    this.kernelPid = kernels[0].pid;
    this.allowed = new Set([this.rootPid, init.pid, kernels[0].pid]);
  }

  private checkTime(): void {
    const now = Date.now();
    if (now > this.limits.deadline) {
      this.fail("ran longer than the time allowed for a whole submission");
    } else if (
      this.cellStarted > 0 &&
      now - this.cellStarted > this.limits.cellTimeoutMs
    ) {
      this.fail(
        `${this.cellLabel} ran longer than ${this.limits.cellTimeoutMs / 1000} s ` +
          `(an endless loop?)`,
      );
    }
  }

  private checkProcesses(tree: ProcInfo[]): void {
    const allowed = this.allowed;
    if (!allowed) return;
    const extra = tree.filter((p) => !allowed.has(p.pid));
    if (extra.length > 0) {
      const names = [...new Set(extra.map((p) => p.comm))].join(", ");
      this.fail(`started another process (${names}); submissions may not`);
    }
  }

  private checkMemory(tree: ProcInfo[]): void {
    const rss = tree.reduce((s, p) => s + p.rssBytes, 0);
    if (rss > this.peakMemoryBytes) this.peakMemoryBytes = rss;
    if (rss > this.limits.memoryBytes) {
      this.fail(`used more than ${mb(this.limits.memoryBytes)} MB of memory`);
    }
  }

  private async checkDisk(): Promise<void> {
    const size = this.limits.diskBytes;
    if (size === null || this.kernelPid === null) return;
    try {
      // The kernel's own view of its home, from outside its mount namespace.
      const s = await fs.statfs(`/proc/${this.kernelPid}/root${SANDBOX_HOME}`);
      const used = (s.blocks - s.bfree) * s.bsize;
      // Full to the last MiB: the tmpfs refuses further writes by itself.
      if (used >= size - MIB) {
        this.fail(`filled its ${mb(size)} MB of disk space`);
      }
    } catch {
      // The process went away between the listing and the statfs.
    }
  }

  private async checkConnDir(): Promise<void> {
    const dir = this.limits.connDir;
    if (dir === undefined) return;
    let total = 0;
    try {
      const names = await fs.readdir(dir);
      // Sockets and the connection file: a handful of entries, no bytes.
      if (names.length > 64) {
        this.fail("wrote files into the kernel's connection folder");
        return;
      }
      for (const name of names) {
        total += (await fs.lstat(`${dir}/${name}`)).size;
      }
    } catch {
      return; // removed at the end of the run
    }
    if (total > MIB)
      this.fail("wrote files into the kernel's connection folder");
  }

  private fail(reason: string): void {
    if (this.violation) return;
    this.violation = reason;
    this.stop();
    this.onViolation(reason);
  }
}

function mb(bytes: number): string {
  return String(Math.round(bytes / MIB));
}
