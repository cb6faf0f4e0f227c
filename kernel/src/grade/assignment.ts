/**
 * What the grader runs for one submission (issue 9): the student's cells,
 * then every check of the instructor version, visible and hidden, as the
 * instructor wrote it.
 *
 * The notebook sent to the kernel is
 *
 * 1. a preamble written by the grader, run before any student code: it
 *    keeps the library's exports as they are at that moment and a record
 *    of the built-ins and library modules the checks compute with, in an
 *    object stored as a read-only, non-configurable property of the global
 *    object under a name with a random suffix (`memnetsGrading_<nonce>`);
 * 2. the submission's code cells, except those whose metadata marks them
 *    as check cells (a check runs from the instructor version, so editing
 *    or deleting one changes nothing);
 * 3. one cell per check of the instructor version, visible ones first:
 *    the check's own source inside a block that binds every library name
 *    the assignment imports to the preamble's copies, and `check` to a
 *    function that compares the record, runs the test, compares again,
 *    and throws when anything failed. A student cell that redefines
 *    `check` or `expectClose` is shadowed there; one that assigns over the
 *    library's exports or a built-in is found by the comparison.
 *
 * The verdict is read by the grader from the kernel's execute_reply for
 * each check cell (status "ok" or not), and the points come from the
 * instructor version's metadata: nothing the submission prints, displays
 * or writes in its metadata counts.
 *
 * Student code runs in the same process as the checks and could rewrite
 * the kernel itself so that failing cells report "ok". Two canaries, cells
 * shaped like the checks whose test must fail (one under the id of a
 * visible check, one under a random id), go at random places among them;
 * a canary that "passes" gives the submission zero. A rewrite that tells
 * canaries from checks is not caught (README, threat model).
 */
import { randomInt } from "node:crypto";
import { createRequire } from "node:module";

import { releaseNotebook, type CheckInfo } from "../homework/release.js";
import { sourceText, type Notebook } from "../notebook.js";

/** An instructor version that the grader cannot use. */
export class AssignmentError extends Error {
  override name = "AssignmentError";
}

export interface AssignmentCheck extends CheckInfo {
  /** The check cell's source in the instructor version. */
  source: string;
}

export interface Assignment {
  /** The file name without .ipynb, as releases record it. */
  name: string;
  path: string;
  checks: AssignmentCheck[];
  maxScore: number;
  /** Local name -> export name of every value imported from "memnets". */
  libraryNames: Map<string, string>;
  /** The released source of each visible check, to spot edited ones. */
  releasedChecks: Map<string, string>;
  /**
   * The instructor's helper cells before the last check (neither solution
   * nor check), without their imports, and the names they declare that
   * the checks use: the grader rebuilds these for the checks, so that a
   * student's own `dot` or `sigmoid` does not change what a check computes.
   */
  setup: { code: string; names: string[] };
}

/** One cell of the notebook the grader runs. */
export interface GradingCell {
  role: "preamble" | "student" | "setup" | "check" | "canary";
  code: string;
  /** For a student cell: its index in the submission. */
  sourceIndex?: number;
  /** For a check cell: the check's id. */
  checkId?: string;
}

const IMPORT =
  /^\s*import\s*(type\s+)?\{([^}]*)\}\s*from\s*(["'])([^"']+)\3\s*;?[^\S\n]*\n?/gm;
const OTHER_IMPORT = /^\s*import\b(?!\s*\()/m;
const require = createRequire(import.meta.url);

/** Reads an instructor version; throws AssignmentError naming the cell. */
export function loadAssignment(
  nb: Notebook,
  name: string,
  file: string,
): Assignment {
  let release;
  try {
    release = releaseNotebook(nb, name);
  } catch (err) {
    throw new AssignmentError(`${file}: ${(err as Error).message}`);
  }
  const byId = new Map<string, string>();
  const names = new Map<string, string>();
  nb.cells.forEach((cell, k) => {
    if (cell.cell_type !== "code") return;
    const text = sourceText(cell.source);
    for (const spec of memnetsImports(text)) {
      if (!spec.typeOnly) names.set(spec.local, spec.imported);
    }
    const id = (cell.metadata?.memnets as { homework?: { check?: unknown } })
      ?.homework?.check;
    if (typeof id !== "string") return;
    const rest = text.replace(IMPORT, (whole, _t, _n, _q, from: string) =>
      from === "memnets" ? "" : whole,
    );
    if (OTHER_IMPORT.test(rest)) {
      throw new AssignmentError(
        `${file}: cell ${k + 1}: a check cell may import only named exports ` +
          `from "memnets" (the grader rebinds them)`,
      );
    }
    byId.set(id, text);
  });
  const checks = release.allChecks.map((c) => ({
    ...c,
    source: byId.get(c.id) as string,
  }));
  const setup = helperCells(
    nb,
    checks.map((c) => c.source),
  );
  const releasedChecks = new Map<string, string>();
  for (const cell of release.notebook.cells) {
    const id = (cell.metadata?.memnets as { homework?: { check?: unknown } })
      ?.homework?.check;
    if (typeof id === "string") {
      releasedChecks.set(id, normalise(sourceText(cell.source)));
    }
  }
  return {
    name,
    path: file,
    checks,
    maxScore: checks.reduce((s, c) => s + c.points, 0),
    libraryNames: names,
    releasedChecks,
    setup,
  };
}

/** A top-level declaration at the start of a line (Prettier's layout). */
const DECLARATION =
  /^(?:export\s+)?(?:async\s+)?(?:function\s*\*?\s*([\w$]+)|(?:const|let|var|class)\s+([\w$]+))/gm;

/** See `Assignment.setup`. */
function helperCells(
  nb: Notebook,
  checkSources: string[],
): { code: string; names: string[] } {
  const role = (cell: Notebook["cells"][number]) =>
    (cell.metadata?.memnets as { homework?: Record<string, unknown> })
      ?.homework;
  let last = -1;
  nb.cells.forEach((c, k) => {
    if (role(c)?.check !== undefined) last = k;
  });
  const parts: string[] = [];
  const declared: string[] = [];
  nb.cells.slice(0, last).forEach((cell) => {
    const hw = role(cell);
    if (cell.cell_type !== "code" || hw?.solution || hw?.check !== undefined) {
      return;
    }
    const body = sourceText(cell.source).replace(IMPORT, "").trim();
    if (body === "") return;
    parts.push(body);
    for (const m of body.matchAll(DECLARATION)) declared.push(m[1] ?? m[2]);
  });
  const used = (name: string) =>
    checkSources.some((src) =>
      new RegExp(`\\b${name.replace(/\$/g, "\\$")}\\b`).test(src),
    );
  return { code: parts.join("\n\n"), names: declared.filter(used) };
}

interface ImportSpec {
  imported: string;
  local: string;
  typeOnly: boolean;
}

/** The named imports from "memnets" in a cell's text. */
function memnetsImports(text: string): ImportSpec[] {
  const specs: ImportSpec[] = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[4] !== "memnets") continue;
    for (const part of m[2].split(",")) {
      const item = part.trim();
      if (!item) continue;
      const typeOnly = Boolean(m[1]) || /^type\s/.test(item);
      const [imported, local = imported] = item
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .map((s) => s.trim());
      specs.push({ imported, local, typeOnly });
    }
  }
  return specs;
}

function normalise(text: string): string {
  return text.replace(/\r\n/g, "\n").trim();
}

/** The library's runtime exports: name -> "class" | "value". */
let exportKinds: Map<string, "class" | "value"> | null = null;
function libraryExports(): Map<string, "class" | "value"> {
  if (exportKinds) return exportKinds;
  const lib = require("memnets") as Record<string, unknown>;
  exportKinds = new Map();
  for (const [key, value] of Object.entries(lib)) {
    const isClass =
      typeof value === "function" &&
      /^class\b/.test(Function.prototype.toString.call(value));
    exportKinds.set(key, isClass ? "class" : "value");
  }
  return exportKinds;
}

/** True if a submission cell's metadata marks it as a check cell. */
export function isCheckCell(metadata: unknown): boolean {
  const hw = (metadata as { memnets?: { homework?: { check?: unknown } } })
    ?.memnets?.homework;
  return hw?.check !== undefined;
}

/**
 * The cells to run for `submission`, and notes for the feedback (edited
 * or missing check cells). `nonce` makes the grader's names unguessable.
 */
export function gradingCells(
  submission: Notebook,
  assignment: Assignment,
  nonce: string,
): { cells: GradingCell[]; notes: string[] } {
  const g = `memnetsGrading_${nonce}`;
  const cells: GradingCell[] = [
    { role: "preamble", code: preamble(g, integrityMarker(nonce)) },
  ];
  const notes: string[] = [];
  const seen = new Set<string>();
  submission.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const text = sourceText(cell.source);
    if (isCheckCell(cell.metadata)) {
      const id = (cell.metadata.memnets as { homework: { check: unknown } })
        .homework.check;
      const known = assignment.checks.find((c) => c.id === id);
      const released =
        typeof id === "string" ? assignment.releasedChecks.get(id) : undefined;
      if (typeof id === "string") seen.add(id);
      if (known?.hidden) return;
      if (released === undefined) {
        notes.push(
          `cell ${index + 1}: a check cell not in the assignment (not run)`,
        );
      } else if (normalise(text) !== released) {
        notes.push(
          `cell ${index + 1}: check "${String(id)}" was edited; the original ran`,
        );
      }
      return;
    }
    if (text.trim() === "") return;
    cells.push({ role: "student", code: text, sourceIndex: index });
  });
  for (const id of assignment.releasedChecks.keys()) {
    if (!seen.has(id)) {
      notes.push(
        `check "${id}" was missing from the submission; the original ran`,
      );
    }
  }
  const kinds = libraryExports();
  const bound = [...assignment.libraryNames].filter(
    ([local, name]) => local !== "check" && kinds.has(name),
  );
  const pattern = bound
    .map(([local, name]) => (local === name ? local : `${name}: ${local}`))
    .join(", ");
  const setupNames = assignment.setup.names;
  const s = `memnetsSetup_${nonce}`;
  const rebind = [
    ...(bound.length ? [`  const { ${pattern} } = ${g}.lib;`] : []),
    ...bound
      .filter(([, name]) => kinds.get(name) === "class")
      .map(([local, name]) => `  type ${local} = import("memnets").${name};`),
  ];
  if (setupNames.length > 0) {
    // After the student's cells, so that helpers may call their functions;
    // inside a function, so that the student's own names are shadowed.
    cells.push({
      role: "setup",
      code: [
        lockedGlobal(s),
        `  const ${g} = ${graderObject(g)};`,
        ...rebind,
        assignment.setup.code,
        `  return Object.freeze({ ${setupNames.join(", ")} });`,
        `})() });`,
      ].join("\n"),
    });
  }
  const setupLine =
    setupNames.length > 0
      ? [
          `  const { ${setupNames.join(", ")} } = (globalThis as any)[${JSON.stringify(s)}];`,
        ]
      : [];
  const checkCells: GradingCell[] = [];
  // Every visible check before any hidden one: student code that watches
  // the cells it is called from has seen no hidden check's source while a
  // visible check (whose messages the student reads) can still fail.
  const ordered = [
    ...assignment.checks.filter((c) => !c.hidden),
    ...assignment.checks.filter((c) => c.hidden),
  ];
  for (const c of ordered) {
    const imports: string[] = [];
    const body = c.source.replace(IMPORT, (whole) => {
      imports.push(whole.trimEnd());
      return "";
    });
    const lines = [
      ...imports,
      "{",
      `  const ${g} = ${graderObject(g)};`,
      ...rebind,
      ...setupLine,
      `  const check = ${g}.check(${JSON.stringify(c.id)});`,
      body.trimEnd(),
      "}",
    ];
    checkCells.push({ role: "check", code: lines.join("\n"), checkId: c.id });
  }
  for (const id of canaryIds(assignment)) {
    const a = randomInt(1, 1_000_000);
    const code = [
      "{",
      `  const ${g} = ${graderObject(g)};`,
      `  const { expectEqual } = ${g}.lib;`,
      `  const check = ${g}.check(${JSON.stringify(id)});`,
      `  check(${JSON.stringify(id)}, 1, () => {`,
      `    expectEqual("value", ${a}, ${a + randomInt(1, 1000)});`,
      "  });",
      "}",
    ].join("\n");
    const at = randomInt(0, checkCells.length + 1);
    checkCells.splice(at, 0, { role: "canary", code, checkId: id });
  }
  cells.push(...checkCells);
  return { cells, notes };
}

/**
 * How a grader cell reaches the preamble's object: a property of the
 * global object that cannot be written or redefined (a top-level `const`
 * would live in tslab's table of declarations, which cells can rewrite).
 */
function graderObject(g: string): string {
  return (
    `(globalThis as any)[${JSON.stringify(g)}] as {\n` +
    `    lib: typeof import("memnets");\n` +
    `    check: (id: string) => (id: string, points: number, test: () => unknown) => void;\n` +
    `  }`
  );
}

/**
 * The opening of a cell that stores `(() => { ... })()` as a property of
 * the global object that no later cell can write, redefine or list; the
 * cell ends with `})() });`.
 */
function lockedGlobal(name: string): string {
  return (
    `void Object.defineProperty(globalThis, ${JSON.stringify(name)}, ` +
    `{ enumerable: false, writable: false, configurable: false, value: (() => {`
  );
}

/** What a check cell's error says when the guard found a change. */
export function integrityMarker(nonce: string): string {
  return `memnets-integrity-${nonce}`;
}

/** Built-ins the checks compute with, watched by the guard. */
const GUARDED = [
  "Object",
  "Function",
  "Array",
  "Number",
  "Boolean",
  "String",
  "Symbol",
  "BigInt",
  "Math",
  "JSON",
  "Reflect",
  "Proxy",
  "Error",
  "TypeError",
  "RangeError",
  "RegExp",
  "Date",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Promise",
  "ArrayBuffer",
  "DataView",
  "Float64Array",
  "Float32Array",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "isFinite",
  "isNaN",
  "parseFloat",
  "parseInt",
];

/**
 * The grader's first cell. It keeps the library's exports, and a record
 * of every own property of the built-ins the checks use (and of their
 * prototypes) and of each module of the library. `check(id)` returns the
 * check function a check cell calls: it compares that record before and
 * after the test and throws an error carrying `marker` at the first
 * change, so a submission that patched `Math.abs` or a module of the
 * library is caught, not believed.
 */
function preamble(g: string, marker: string): string {
  return [
    `Object.defineProperty(globalThis, "globalThis", { writable: false, configurable: false });`,
    // tslab runs every cell through vm.runInThisContext, looked up on the
    // module each time, with the require and declarations in __tslab__,
    // and answers through its handler class: a cell that replaced them
    // could rewrite or skip the grader's cells. (tslab's module objects
    // themselves stay writable: it sets a field of one per cell.)
    `{`,
    `  const vm = require("vm");`,
    `  Object.freeze(vm);`,
    `  Object.freeze(vm.Script.prototype);`,
    `  const tslab = "__tsl" + "ab__";`,
    `  Object.freeze((globalThis as any)[tslab]);`,
    `  Object.defineProperty(globalThis, tslab, { writable: false, configurable: false });`,
    `  for (const [file, mod] of Object.entries(require.cache)) {`,
    `    if (!/[\\/]tslab[\\/]dist[\\/]/.test(file) || !mod?.exports) continue;`,
    `    for (const v of Object.values(mod.exports)) {`,
    `      if (typeof v === "function" && v.prototype) Object.freeze(v.prototype);`,
    `    }`,
    `  }`,
    `}`,
    lockedGlobal(g),
    `  const lib = require("memnets");`,
    `  const libDir = require("path").dirname(require.resolve("memnets"));`,
    `  const copy: Record<string, unknown> = {};`,
    `  for (const key of Object.keys(lib)) copy[key] = lib[key];`,
    `  const keysOf = Reflect.ownKeys;`,
    `  const describe = Reflect.getOwnPropertyDescriptor;`,
    `  const same = Object.is;`,
    `  const names: string[] = ${JSON.stringify(GUARDED)};`,
    `  const values = names.map((n) => (globalThis as any)[n]);`,
    `  const roots: [string, any][] = [];`,
    `  names.forEach((n, i) => {`,
    `    roots.push([n, values[i]]);`,
    `    const v = values[i];`,
    `    if (typeof v === "function" && v.prototype) roots.push([n + ".prototype", v.prototype]);`,
    `  });`,
    `  const proto = Object.getPrototypeOf;`,
    `  const typed = proto(Float64Array);`,
    `  const arrayIterator = proto([][Symbol.iterator]());`,
    `  roots.push(`,
    `    ["TypedArray", typed], ["TypedArray.prototype", typed.prototype],`,
    `    ["Iterator.prototype", proto(arrayIterator)], ["ArrayIterator", arrayIterator],`,
    `    ["MapIterator", proto(new Map()[Symbol.iterator]())],`,
    `    ["SetIterator", proto(new Set()[Symbol.iterator]())],`,
    `    ["StringIterator", proto(""[Symbol.iterator]())],`,
    `    ["Generator.prototype", proto(function* () {}).prototype],`,
    `  );`,
    `  for (const [file, mod] of Object.entries(require.cache)) {`,
    `    if (!file.startsWith(libDir) || !mod?.exports) continue;`,
    `    roots.push(["memnets/" + file.slice(libDir.length + 1), mod.exports]);`,
    `  }`,
    // The comparison uses only what was taken here and indexed loops:
    // nothing a later cell can replace (an iterator, Map.prototype.get).
    `  const keys = roots.map(([, obj]) => keysOf(obj));`,
    `  const descs = roots.map(([, obj], i) => keys[i].map((k) => describe(obj, k)));`,
    `  const changed = (): string | null => {`,
    `    for (let i = 0; i < names.length; i++) {`,
    `      if (!same((globalThis as any)[names[i]], values[i])) return "globalThis." + names[i];`,
    `    }`,
    `    for (let r = 0; r < roots.length; r++) {`,
    `      const obj = roots[r][1];`,
    `      const now = keysOf(obj);`,
    `      const was = keys[r];`,
    `      if (now.length !== was.length) return roots[r][0] + " (a property added or removed)";`,
    `      for (let i = 0; i < was.length; i++) {`,
    `        const a = describe(obj, was[i]);`,
    `        const b = descs[r][i];`,
    `        const moved = a === undefined || !same(now[i], was[i]);`,
    `        if (moved || !same(a.value, b.value) || a.get !== b.get || a.set !== b.set) {`,
    `          return roots[r][0] + "." + String(was[i]);`,
    `        }`,
    `      }`,
    `    }`,
    `    return null;`,
    `  };`,
    `  const guard = () => {`,
    `    const what = changed();`,
    `    if (what === null) return;`,
    `    throw new Error(${JSON.stringify(marker)} + ": " + what + " was changed");`,
    `  };`,
    `  const run = (id: string) => (got: string, _points: number, test: () => unknown) => {`,
    `    guard();`,
    `    if (got !== id) throw new Error("the check cell ran check(" + JSON.stringify(got) + ")");`,
    `    const returned = test();`,
    `    guard();`,
    `    if (returned instanceof Promise) throw new Error("checks must be synchronous");`,
    `  };`,
    `  return Object.freeze({ lib: Object.freeze(copy), check: run });`,
    `})() });`,
  ].join("\n");
}

/** A visible check's id and a random one. */
function canaryIds(assignment: Assignment): string[] {
  const visible = assignment.checks.filter((c) => !c.hidden);
  const ids = [`check-${randomInt(1e9, 1e10).toString(36)}`];
  if (visible.length > 0) {
    ids.push(visible[randomInt(0, visible.length)].id);
  }
  return ids;
}
