/** The benchmark's command-line options, apart from cli.ts for tests. */
import { parseArgs } from "node:util";
import type { BenchOptions } from "./run.js";

export const USAGE =
  "usage: npm run bench -- [--quick] [--only REGEX] [--no-peers] [--out DIR]";

/** Command-line arguments to options; throws RangeError on bad input. */
export function parseBenchArgs(argv: string[]): BenchOptions & {
  out: string;
  help: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      "no-peers": { type: "boolean", default: false },
      out: { type: "string", default: "reports" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  let only: RegExp | undefined;
  if (values.only !== undefined) {
    try {
      only = new RegExp(values.only, "i");
    } catch (err) {
      throw new RangeError(
        `--only expects a regular expression, got ` +
          `${JSON.stringify(values.only)}: ${(err as Error).message}`,
      );
    }
  }
  return {
    quick: values.quick,
    only,
    noPeers: values["no-peers"],
    out: values.out,
    help: values.help,
  };
}
