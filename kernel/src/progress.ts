/**
 * What `memnets run` shows while it works: one progress bar per notebook on
 * a terminal (cli-progress), plain lines otherwise (CI logs), and a summary
 * table at the end.
 */
import cliProgress from "cli-progress";
import type { RunEvent } from "./runner.js";

interface SummaryRow {
  name: string;
  status: string;
  cells: string;
  durationMs: number;
  message?: string;
}

export class ConsoleProgress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly tty = Boolean(process.stdout.isTTY);

  event(name: string, event: RunEvent): void {
    switch (event.type) {
      case "notebook-start":
        this.start(name, event.codeCells);
        break;
      case "cell-start":
        this.bar?.update({ cell: `cell ${event.cellIndex}` });
        break;
      case "cell-done":
        if (this.bar)
          this.bar.increment(1, { cell: `cell ${event.cellIndex}` });
        else {
          const seconds = (event.durationMs / 1000).toFixed(1);
          console.log(
            `  ${name} cell ${event.cellIndex}: ${event.status} (${seconds} s)`,
          );
        }
        break;
      case "notebook-done":
        this.bar?.stop();
        this.bar = null;
        console.log(
          `${name}: ${event.status} in ${(event.durationMs / 1000).toFixed(1)} s`,
        );
        break;
    }
  }

  invalid(name: string, message: string): void {
    console.log(`${name}: not run: ${message}`);
  }

  summary(rows: SummaryRow[]): void {
    const table = rows.map((row) => ({
      notebook: row.name,
      cells: row.cells,
      time: `${(row.durationMs / 1000).toFixed(1)} s`,
      status: row.status,
    }));
    console.log("");
    console.table(table);
    for (const row of rows) {
      if (row.message) console.log(`${row.name}: ${row.message}`);
    }
  }

  private start(name: string, codeCells: number): void {
    if (!this.tty) {
      console.log(`${name}: ${codeCells} code cells`);
      return;
    }
    this.bar = new cliProgress.SingleBar(
      {
        format: `${name.padEnd(16)} {bar} {value}/{total} {cell} {duration}s`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(codeCells, 0, { cell: "" });
  }
}
