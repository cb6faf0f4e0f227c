/**
 * What `memnets run` shows while it works: one progress bar per notebook on
 * a terminal (cli-progress), plain lines otherwise (CI logs), and a summary
 * table at the end.
 *
 * Cells are counted among the code cells that run ("cell 3/18"); the
 * number after `#` is the cell's position in the executed notebook.
 */
import cliProgress from "cli-progress";
import type { RunEvent } from "./runner.js";

export interface SummaryRow {
  name: string;
  status: string;
  cells: string;
  durationMs: number;
  message?: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class ConsoleProgress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly tty = Boolean(process.stdout.isTTY);
  private total = 0;
  private done = 0;

  event(name: string, event: RunEvent): void {
    switch (event.type) {
      case "notebook-start":
        this.total = event.codeCells;
        this.done = 0;
        this.start(name);
        break;
      case "cell-start":
        this.bar?.update({ cell: this.label(event.cellIndex, 1) });
        break;
      case "cell-done": {
        const label = this.label(event.cellIndex, 1);
        this.done++;
        if (this.bar) this.bar.update(this.done, { cell: label });
        else {
          const time = seconds(event.durationMs);
          console.log(`  ${name} ${label}: ${event.status} (${time})`);
        }
        break;
      }
      case "notebook-done":
        this.bar?.stop();
        this.bar = null;
        console.log(`${name}: ${event.status} in ${seconds(event.durationMs)}`);
        break;
    }
  }

  invalid(name: string, message: string): void {
    console.log(`${name}: not run: ${message}`);
  }

  summary(rows: SummaryRow[]): void {
    console.log("\n" + summaryTable(rows));
    for (const row of rows) {
      if (row.message) console.log(`${row.name}: ${row.message}`);
    }
  }

  private label(cellIndex: number, ahead: number): string {
    return `cell ${this.done + ahead}/${this.total} (#${cellIndex})`;
  }

  private start(name: string): void {
    if (!this.tty) {
      console.log(`${name}: ${this.total} code cells`);
      return;
    }
    this.bar = new cliProgress.SingleBar(
      {
        format: `${name.padEnd(16)} {bar} {value}/{total} {cell} {duration}s`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.total, 0, { cell: "" });
  }
}

/** A plain text table: notebook, cells, time, status. */
export function summaryTable(rows: SummaryRow[]): string {
  const table = [
    ["notebook", "cells", "time", "status"],
    ...rows.map((r) => [r.name, r.cells, seconds(r.durationMs), r.status]),
  ];
  const widths = table[0].map((_, col) =>
    Math.max(...table.map((row) => row[col].length)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, col) => cell.padEnd(widths[col]))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [line(table[0]), rule, ...table.slice(1).map(line)].join("\n");
}
