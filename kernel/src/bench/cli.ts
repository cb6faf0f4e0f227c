/**
 * `npm run bench` (node kernel/dist/bench/cli.js): runs the benchmark,
 * prints the table, writes bench.json and bench.html into the output
 * folder and refreshes its index.html.
 *
 *   --quick        fewer repeats, smaller and fewer shapes (CI)
 *   --only REGEX   rows whose "group case implementation" matches
 *   --no-peers     our rows only
 *   --out DIR      output folder (default reports)
 *
 * Exits 1 when one of our rows failed; a missed target or a missing peer
 * is reported, not an error.
 */
import path from "node:path";
import { writeFileAtomic } from "../atomic.js";
import { writeIndex } from "../lessons.js";
import { renderBenchHtml } from "./html.js";
import { parseBenchArgs, USAGE } from "./options.js";
import { runBench } from "./run.js";
import { formatFigure, renderTable, rowLabel } from "./table.js";
import type { RowResult } from "./types.js";

function progressLine(row: RowResult): string {
  const what = `${row.group} ${row.name} ${rowLabel(row)}`;
  const figure = row.summary
    ? `${formatFigure(row.summary.median)} ${row.unit.label}`
    : `${row.status}`;
  return `  ${what}: ${figure}\n`;
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  process.stderr.write(`benchmark (${options.quick ? "quick" : "full"})\n`);
  const report = await runBench({
    ...options,
    onRow: (row) => process.stderr.write(progressLine(row)),
  });
  process.stdout.write(renderTable(report) + "\n");

  const out = path.resolve(options.out);
  await writeFileAtomic(
    path.join(out, "bench.json"),
    JSON.stringify(report, null, 2) + "\n",
  );
  await writeFileAtomic(path.join(out, "bench.html"), renderBenchHtml(report));
  await writeIndex(out);
  process.stdout.write(`\nwrote ${path.join(out, "bench.json")}, bench.html\n`);

  const broken = report.rows.filter((r) => r.ours && r.status === "failed");
  for (const row of broken) {
    process.stderr.write(`our row failed: ${row.name}: ${row.reason}\n`);
  }
  return broken.length ? 1 : 0;
}

// A 2-thread GEMM may keep a worker alive: exit explicitly when done.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
