/**
 * One tslab kernel as a child process, driven over the Jupyter wire protocol.
 *
 * The kernel is started as `node <tslab/bin/tslab> kernel --config-path F`
 * in its own process group (so a kill also reaches anything a cell
 * spawned), with a connection file F in a private temp folder. We connect
 * as the client: Dealer sockets for shell, control and stdin, a Subscriber
 * for iopub, a Request socket for the heartbeat; all on 127.0.0.1.
 *
 * What tslab 1.0.22 really does (read in node_modules/tslab/dist):
 * - jupyter.js routes control messages through the same handler as shell
 *   and has no case for `interrupt_request`: it only warns "unknown
 *   msg_type" (into the running cell's stderr). Its kernelspec
 *   (python/install.py) sets no `interrupt_mode`, i.e. "signal". So we
 *   interrupt with SIGINT; main.js maps SIGINT to executor.interrupt(),
 *   and executor.js runs cells with `breakOnSigint` and races awaited
 *   promises against an interrupt promise.
 * - A kernel that cannot bind a port logs an unhandled rejection and stays
 *   alive; so readiness is a kernel_info round trip, not the process start.
 *
 * Limits: a process that leaves the group (setsid) escapes the final kill.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promises as fs, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import * as zmq from "zeromq";

import {
  createMessage,
  decodeMessage,
  encodeMessage,
  type Message,
} from "./wire.js";

export interface KernelStartOptions {
  /** Working directory of the kernel (relative imports, data files). */
  cwd: string;
  /** Environment of the kernel; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Give up when the kernel does not answer kernel_info by then; 60 s. */
  startTimeoutMs?: number;
  /**
   * "tcp" (default: ports on 127.0.0.1) or "ipc": Unix sockets in the
   * kernel's private connection folder, so that a kernel without a network
   * (in a sandbox of its own) can still be reached.
   */
  transport?: "tcp" | "ipc";
  /** Options for node itself, before tslab's script (e.g. a heap limit). */
  nodeArgs?: string[];
  /** Starts the kernel inside another program (a sandbox); see below. */
  launcher?: KernelLauncher;
}

/**
 * Runs the kernel's command line inside another program, e.g. a sandbox.
 * `prepare` gets the private connection folder before the start (to hand
 * it to the sandbox's user); `wrap` returns the program that runs
 * `kernelArgv` (node, tslab's script and its arguments). The process we
 * start leads its own group, and killing that group must end the kernel.
 */
export interface KernelLauncher {
  prepare?(connDir: string): Promise<void>;
  wrap(
    kernelArgv: string[],
    connDir: string,
  ): { command: string; args: string[] };
}

export interface KernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The kernel process ended while we were waiting on it. */
export class KernelDiedError extends Error {
  override name = "KernelDiedError";
  constructor(
    readonly exit: KernelExit,
    readonly stderr: string,
  ) {
    super(
      "the kernel process exited " +
        (exit.signal ? `on signal ${exit.signal}` : `with code ${exit.code}`),
    );
  }
}

export class KernelStartError extends Error {
  override name = "KernelStartError";
}

type Channel = "shell" | "control";
type IopubListener = (msg: Message) => void;

const require = createRequire(import.meta.url);

/** Resolves tslab's launcher script and version from our node_modules. */
export function resolveTslab(): { bin: string; version: string } {
  const pkgPath = require.resolve("tslab/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as {
    version: string;
  };
  return {
    bin: path.join(path.dirname(pkgPath), "bin", "tslab"),
    version: pkg.version,
  };
}

export class KernelProcess {
  readonly session = randomUUID();
  private readonly pending = new Map<
    string,
    { resolve: (m: Message) => void; reject: (e: Error) => void }
  >();
  private readonly iopubListeners = new Set<IopubListener>();
  private stderrTail = "";
  private exitInfo: KernelExit | null = null;
  private closed = false;
  readonly exited: Promise<KernelExit>;
  /**
   * Our process is exiting (the CLI turns SIGINT and SIGTERM into an exit):
   * kill the kernel's group and remove the folder holding the signing key.
   * Only synchronous work runs in an "exit" handler.
   */
  private readonly onParentExit = () => {
    this.killSync();
    rmSync(this.connDir, { recursive: true, force: true });
  };

  private constructor(
    private readonly child: ChildProcess,
    private readonly key: string,
    readonly connDir: string,
    private readonly endpoints: Record<string, string>,
    private readonly sockets: {
      shell: zmq.Dealer;
      control: zmq.Dealer;
      stdin: zmq.Dealer;
      iopub: zmq.Subscriber;
    },
    readonly tslabVersion: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        const err = new KernelDiedError(this.exitInfo, this.stderrTail);
        for (const waiter of this.pending.values()) waiter.reject(err);
        this.pending.clear();
        process.off("exit", this.onParentExit);
        resolve(this.exitInfo);
      });
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-16384);
    });
    // Drain stdout so a chatty kernel never blocks on a full pipe.
    child.stdout?.resume();
    // Our own process exiting (Ctrl-C in the CLI) must not orphan it.
    process.on("exit", this.onParentExit);
    void this.receiveLoop(sockets.shell);
    void this.receiveLoop(sockets.control);
    void this.iopubLoop();
  }

  /** Starts a kernel and waits until it answers on shell and iopub. */
  static async start(options: KernelStartOptions): Promise<KernelProcess> {
    const transport = options.transport ?? "tcp";
    if (transport !== "tcp" && transport !== "ipc") {
      throw new RangeError(
        `options.transport: expected "tcp" or "ipc", got ${String(options.transport)}`,
      );
    }
    const tslab = resolveTslab();
    const connDir = await fs.mkdtemp(path.join(os.tmpdir(), "memnets-kernel-"));
    const key = randomBytes(32).toString("hex");
    const names = ["shell", "control", "stdin", "iopub", "hb"];
    const ipc = transport === "ipc";
    // With ipc, tslab makes "ipc://<ip>:<port>": a socket file per channel.
    const ports = ipc
      ? Object.fromEntries(names.map((name, i) => [name, i + 1]))
      : await freePorts(names);
    const host = ipc ? path.join(connDir, "kernel") : "127.0.0.1";
    const endpoints = Object.fromEntries(
      names.map((name) => [
        name,
        `${ipc ? "ipc" : "tcp"}://${host}:${ports[name]}`,
      ]),
    );
    const connFile = path.join(connDir, "connection.json");
    const conn = {
      transport: ipc ? "ipc" : "tcp",
      ip: host,
      key,
      signature_scheme: "hmac-sha256",
      kernel_name: "tslab",
      ...Object.fromEntries(
        Object.entries(ports).map(([name, port]) => [`${name}_port`, port]),
      ),
    };
    await fs.writeFile(connFile, JSON.stringify(conn), { mode: 0o600 });

    const kernelArgv = [
      process.execPath,
      ...(options.nodeArgs ?? []),
      tslab.bin,
      "kernel",
      "--config-path",
      connFile,
    ];
    let command = kernelArgv[0];
    let args = kernelArgv.slice(1);
    if (options.launcher) {
      try {
        await options.launcher.prepare?.(connDir);
        ({ command, args } = options.launcher.wrap(kernelArgv, connDir));
      } catch (err) {
        await fs.rm(connDir, { recursive: true, force: true });
        throw err;
      }
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true, // own process group: kill(-pid) reaches all of it
      stdio: ["ignore", "pipe", "pipe"],
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    try {
      await spawned;
    } catch (err) {
      await fs.rm(connDir, { recursive: true, force: true });
      throw new KernelStartError(`cannot start tslab: ${String(err)}`);
    }

    const sockets = {
      shell: new zmq.Dealer({ linger: 0 }),
      control: new zmq.Dealer({ linger: 0 }),
      stdin: new zmq.Dealer({ linger: 0 }),
      // No receive limit: a publisher drops messages for a subscriber whose
      // queue is full, and a cell can print faster than a loaded machine
      // lets us read (the grader's watchdog bounds the total).
      iopub: new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 }),
    };
    for (const [name, socket] of Object.entries(sockets)) {
      socket.connect(endpoints[name]);
    }
    sockets.iopub.subscribe();
    const kernel = new KernelProcess(
      child,
      key,
      connDir,
      endpoints,
      sockets,
      tslab.version,
    );
    try {
      await kernel.waitReady(options.startTimeoutMs ?? 60_000);
    } catch (err) {
      await kernel.shutdown();
      throw err;
    }
    return kernel;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** The last 16 KiB the kernel wrote to its real stderr (diagnostics). */
  get stderr(): string {
    return this.stderrTail;
  }

  onIopub(listener: IopubListener): () => void {
    this.iopubListeners.add(listener);
    return () => this.iopubListeners.delete(listener);
  }

  /**
   * Sends a request; `reply` resolves with the matching reply and rejects
   * with KernelDiedError the moment the process exits.
   */
  send(channel: Channel, msgType: string, content: object) {
    const msg = createMessage(msgType, content, this.session);
    const reply = new Promise<Message>((resolve, reject) => {
      if (!this.alive) {
        reject(new KernelDiedError(this.exitInfo as KernelExit, this.stderr));
        return;
      }
      this.pending.set(msg.header.msg_id, { resolve, reject });
    });
    // Avoid an unhandled rejection if the caller drops `reply`.
    reply.catch(() => {});
    // After shutdown the sockets are closed (and a closed socket throws at
    // once); the reply above has already been rejected.
    if (!this.closed) {
      void this.sockets[channel]
        .send(encodeMessage(this.key, msg))
        .catch(() => {});
    }
    return { msgId: msg.header.msg_id, reply };
  }

  /** Interrupts the running cell the way tslab expects: SIGINT. */
  interrupt(): void {
    if (this.alive) safeKill(this.pid, "SIGINT");
  }

  /** One heartbeat round trip; false when no echo within `timeoutMs`. */
  async heartbeat(timeoutMs = 1000): Promise<boolean> {
    const socket = new zmq.Request({ linger: 0, receiveTimeout: timeoutMs });
    socket.connect(this.endpoints.hb);
    try {
      const ping = randomBytes(8);
      await socket.send(ping);
      const [echo] = await socket.receive();
      return echo.equals(ping);
    } catch {
      return false;
    } finally {
      socket.close();
    }
  }

  /**
   * Kills the whole process group, closes the sockets and removes the
   * connection folder. Safe to call more than once.
   */
  async shutdown(): Promise<void> {
    this.killSync();
    await Promise.race([this.exited, delay(5000)]);
    // Members of the group (a cell's children) are reaped by init, not by
    // us; wait (bounded) until the group is really gone.
    for (let i = 0; i < 100 && groupExists(this.pid); i++) {
      this.killSync();
      await delay(20);
    }
    if (!this.closed) {
      this.closed = true;
      for (const socket of Object.values(this.sockets)) socket.close();
      await fs.rm(this.connDir, { recursive: true, force: true });
    }
  }

  private killSync(): void {
    // The group may outlive its leader (a cell's child), so kill it even
    // when the kernel itself has already exited.
    safeKill(-this.pid, "SIGKILL");
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // iopub is PUB/SUB: messages published before our subscription is
    // connected are lost, so repeat kernel_info until iopub echoes a
    // status for it.
    while (Date.now() < deadline) {
      const { msgId, reply } = this.send("shell", "kernel_info_request", {});
      const seen = new Promise<void>((resolve) => {
        const off = this.onIopub((m) => {
          if (m.parentHeader.msg_id === msgId) {
            off();
            resolve();
          }
        });
      });
      const wait = Math.min(1000, Math.max(0, deadline - Date.now()));
      const ok = await Promise.race([
        Promise.all([reply, seen]).then(() => true),
        delay(wait).then(() => false),
      ]).catch((err: unknown) => {
        throw new KernelStartError(
          `tslab exited during start-up: ${String(err)}\n${this.stderr}`,
        );
      });
      if (ok) return;
    }
    throw new KernelStartError(
      `tslab did not answer within ${timeoutMs} ms\n${this.stderr}`,
    );
  }

  private async receiveLoop(socket: zmq.Dealer): Promise<void> {
    try {
      for await (const frames of socket) {
        const msg = this.tryDecode(frames);
        const id = msg?.parentHeader.msg_id;
        const waiter = id === undefined ? undefined : this.pending.get(id);
        if (msg && waiter && id !== undefined) {
          this.pending.delete(id);
          waiter.resolve(msg);
        }
      }
    } catch {
      // The socket was closed by shutdown(); nothing left to read.
    }
  }

  private async iopubLoop(): Promise<void> {
    try {
      for await (const frames of this.sockets.iopub) {
        const msg = this.tryDecode(frames);
        if (!msg) continue;
        for (const listener of [...this.iopubListeners]) listener(msg);
      }
    } catch {
      // Closed by shutdown().
    }
  }

  private tryDecode(frames: Buffer[]): Message | null {
    try {
      return decodeMessage(this.key, frames);
    } catch {
      // A message that fails verification is dropped, as jupyter-client
      // does; it cannot have come from our kernel.
      return null;
    }
  }
}

/** Reserves `names.length` distinct free TCP ports on 127.0.0.1. */
async function freePorts(names: string[]): Promise<Record<string, number>> {
  // Hold all servers open together so the ports are distinct; a small race
  // with other programs remains, caught by the start-up timeout.
  const servers = await Promise.all(
    names.map(
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(
    servers.map((s) => new Promise((resolve) => s.close(resolve))),
  );
  return Object.fromEntries(names.map((name, i) => [name, ports[i]]));
}

function groupExists(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
