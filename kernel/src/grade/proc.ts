/**
 * The process table as Linux shows it in /proc: who is whose child, and
 * how much memory each holds. The grader's watchdog reads it to find a
 * sandboxed kernel, the processes a submission starts, and their memory.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The command name (at most 15 characters, as the kernel keeps it). */
  comm: string;
  /** Resident memory in bytes. */
  rssBytes: number;
}

const PAGE = 4096;

/** One process from /proc/PID/stat, or null if it is gone. */
export function readProc(pid: number): ProcInfo | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is the state (field 3 of stat); ppid is field 4, rss field 24.
  return {
    pid,
    ppid: Number(fields[1]),
    comm: text.slice(open + 1, close),
    rssBytes: Number(fields[21]) * PAGE,
  };
}

/** Every process visible in /proc. */
export function processTable(): ProcInfo[] {
  const table: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProc(Number(name));
    if (info) table.push(info);
  }
  return table;
}

/**
 * `root` and its descendants, parents before children (breadth first);
 * empty when `root` is gone.
 */
export function processTree(
  root: number,
  table: ProcInfo[] = processTable(),
): ProcInfo[] {
  const children = new Map<number, ProcInfo[]>();
  let rootInfo: ProcInfo | undefined;
  for (const p of table) {
    if (p.pid === root) rootInfo = p;
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  if (!rootInfo) return [];
  const out = [rootInfo];
  for (let i = 0; i < out.length; i++) {
    for (const child of children.get(out[i].pid) ?? []) out.push(child);
  }
  return out;
}
