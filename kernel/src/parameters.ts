/**
 * Papermill-style parameters for tslab notebooks.
 *
 * Reference: papermill's "parameters" / "injected-parameters" cell tags.
 * A code cell tagged `parameters` declares defaults (`let epochs = 100;`).
 * The runner inserts a code cell tagged `injected-parameters` right after
 * it, assigning each override as `name = <JSON literal>;`. tslab keeps a
 * cell's `let` bindings visible to later cells (it re-declares them from
 * the previous cells' declarations), so a plain assignment works.
 *
 * Overrides come from two places, later wins: the notebook's
 * `metadata.memnets.quick` (when `quick` is set), then explicit ones.
 * Only names declared with `let` or `var` at the top level of the
 * parameters cell may be overridden (a `const` cannot be reassigned).
 */
import ts from "typescript";

import {
  hasTag,
  sourceText,
  type CodeCell,
  type Notebook,
} from "./notebook.js";

/** A parameter override that cannot be applied; raised before any run. */
export class ParameterError extends Error {
  override name = "ParameterError";
}

export interface Injection {
  /** A new notebook (the source is not touched) with the injected cell. */
  notebook: Notebook;
  /** The overrides applied, after merging quick and explicit ones. */
  applied: Record<string, unknown>;
  /** Index of the injected cell, or -1 when nothing was injected. */
  injectedIndex: number;
}

/**
 * Top-level names declared with `let`/`var` in `code`; `const` names are
 * returned separately so the error can say why they cannot be set.
 */
export function declaredNames(code: string): {
  mutable: string[];
  constant: string[];
} {
  const file = ts.createSourceFile(
    "parameters.ts",
    code,
    ts.ScriptTarget.ES2022,
  );
  const mutable: string[] = [];
  const constant: string[] = [];
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const decl of list.declarations) {
      if (!ts.isIdentifier(decl.name)) continue; // destructuring: skip
      (isConst ? constant : mutable).push(decl.name.text);
    }
  }
  return { mutable, constant };
}

/**
 * Merges the overrides and injects them after the `parameters` cell.
 * Throws ParameterError for an unknown name, a missing parameters cell,
 * a bad `memnets.quick` or a value JSON cannot express.
 */
export function injectParameters(
  source: Notebook,
  quick: boolean,
  explicit: Record<string, unknown>,
): Injection {
  const notebook = structuredClone(source);
  const applied = { ...(quick ? quickOverrides(source) : {}), ...explicit };
  const names = Object.keys(applied);
  if (names.length === 0) return { notebook, applied, injectedIndex: -1 };

  const index = notebook.cells.findIndex(
    (c) => c.cell_type === "code" && hasTag(c, "parameters"),
  );
  if (index < 0) {
    throw new ParameterError(
      `parameters ${names.join(", ")} given, but the notebook has no code ` +
        'cell tagged "parameters"',
    );
  }
  const declared = declaredNames(sourceText(notebook.cells[index].source));
  for (const name of names) {
    if (declared.mutable.includes(name)) continue;
    const why = declared.constant.includes(name)
      ? "is declared with const; declare it with let"
      : "is not declared with let or var in the parameters cell";
    throw new ParameterError(
      `unknown parameter "${name}": it ${why} (cell ${index} declares: ` +
        `${declared.mutable.join(", ") || "nothing"})`,
    );
  }

  const cell: CodeCell = {
    cell_type: "code",
    execution_count: null,
    metadata: { tags: ["injected-parameters"] },
    outputs: [],
    source: [
      ...names.map((n) => `${n} = ${jsonLiteral(n, applied[n])};\n`),
      // tslab prints a cell's last expression value; an assignment is one.
      "void 0; // (keeps tslab from echoing the last value)\n",
    ],
  };
  if (notebook.nbformat_minor >= 5) cell.id = uniqueId(notebook);
  notebook.cells.splice(index + 1, 0, cell);
  return { notebook, applied, injectedIndex: index + 1 };
}

function quickOverrides(nb: Notebook): Record<string, unknown> {
  const memnets = nb.metadata.memnets as Record<string, unknown> | undefined;
  const quick = memnets?.quick;
  if (quick === undefined) return {};
  if (typeof quick !== "object" || quick === null || Array.isArray(quick)) {
    throw new ParameterError(
      "metadata.memnets.quick: expected an object of name -> value, got " +
        JSON.stringify(quick),
    );
  }
  return quick as Record<string, unknown>;
}

function jsonLiteral(name: string, value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new ParameterError(
      `parameter "${name}": expected a JSON value, got ${typeof value}`,
    );
  }
  return text;
}

function uniqueId(nb: Notebook): string {
  const taken = new Set(nb.cells.map((c) => c.id));
  let id = "injected-parameters";
  for (let i = 2; taken.has(id); i++) id = `injected-parameters-${i}`;
  return id;
}
