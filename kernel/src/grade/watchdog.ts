/**
 * Watches a submission's kernel from outside (issue 9): every `intervalMs`
 * it reads the process tree under the process we started, and stops the
 * run (through `onViolation`, once) at the first of
 *
 * - a process the kernel started (submissions may not start processes);
 * - resident memory of the whole tree above the limit;
 * - the sandbox's home (a tmpfs of fixed size) full;
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
      this.checkProcesses(tree);
      this.checkMemory(tree);
      await this.checkDisk(tree);
    } finally {
      this.busy = false;
    }
  }

  /** The kernel: the first `node` in the tree (under bwrap and setpriv). */
  private kernel(tree: ProcInfo[]): ProcInfo | undefined {
    return this.sandboxed ? tree.find((p) => p.comm === "node") : tree[0];
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
    const kernel = this.kernel(tree);
    if (!kernel) return;
    const extra = processTree(kernel.pid, tree).slice(1);
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

  private async checkDisk(tree: ProcInfo[]): Promise<void> {
    const size = this.limits.diskBytes;
    const kernel = this.kernel(tree);
    if (size === null || !kernel) return;
    try {
      // The kernel's own view of its home, from outside its mount namespace.
      const s = await fs.statfs(`/proc/${kernel.pid}/root${SANDBOX_HOME}`);
      const used = (s.blocks - s.bfree) * s.bsize;
      // Full to the last MiB: the tmpfs refuses further writes by itself.
      if (used >= size - MIB) {
        this.fail(`filled its ${mb(size)} MB of disk space`);
      }
    } catch {
      // The process went away between the listing and the statfs.
    }
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
