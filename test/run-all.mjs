// The test command (`npm test`): system packages, build, static checks, the
// vitest suite, and one plain closing line `N passed, N failed` that counts
// every vitest test plus each static check (type check, format, lint).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureSystemTools } from "./setup/system-deps.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const node = process.execPath;
const bin = (pkg, file) => path.join(root, "node_modules", pkg, file);
const resultsFile = path.join(root, ".vitest-results.json");

function run(title, args) {
  console.log(`\n== ${title}`);
  const result = spawnSync(node, args, { cwd: root, stdio: "inherit" });
  return result.status === 0;
}

ensureSystemTools();

let passed = 0;
let failed = 0;
const count = (ok) => (ok ? passed++ : failed++);

// A failed build leaves nothing worth testing: stop there.
// The same steps as `npm run build`: the wasm kernels, then TypeScript.
const built =
  run("build: wasm", [path.join(root, "lib", "wasm", "build.mjs")]) &&
  run("build", [bin("typescript", "bin/tsc"), "-b", "lib", "kernel"]);
if (!built) {
  console.log("\n0 passed, 1 failed");
  process.exit(1);
}
count(run("type check", [bin("typescript", "bin/tsc"), "-p", "tsconfig.json"]));
count(run("format", [bin("prettier", "bin/prettier.cjs"), "--check", "."]));
count(run("lint", [bin("eslint", "bin/eslint.js"), "."]));

let skipped = 0;
rmSync(resultsFile, { force: true });
const extra = process.argv.slice(2);
const vitestOk = run("vitest", [
  bin("vitest", "vitest.mjs"),
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${resultsFile}`,
  ...extra,
]);
if (existsSync(resultsFile)) {
  const report = JSON.parse(readFileSync(resultsFile, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  // A suite that failed to load has no tests to count: count it as one.
  failed += report.testResults.filter(
    (suite) => suite.status === "failed" && suite.assertionResults.length === 0,
  ).length;
  skipped = report.numPendingTests + report.numTodoTests;
} else {
  failed++;
}
if (!vitestOk && failed === 0) failed++;

const tail = skipped ? `, ${skipped} skipped` : "";
console.log(`\n${passed} passed, ${failed} failed${tail}`);
process.exit(failed === 0 ? 0 : 1);
