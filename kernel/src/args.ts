/** Parsing of the command line's values, kept apart so tests can import it. */

/** `-p name=value` pairs to a parameter object; values parse as JSON when they can. */
export function parseParameters(pairs: string[]): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new RangeError(
        `-p expects NAME=VALUE, got ${JSON.stringify(pair)}`,
      );
    }
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // Not JSON: keep it as a string, as papermill does for `-p`.
    }
    parameters[name] = value;
  }
  return parameters;
}

export function seconds(
  text: string | undefined,
  name: string,
  fallback: number,
) {
  if (text === undefined) return fallback * 1000;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `--${name} expects a positive number of seconds, got ${text}`,
    );
  }
  return value * 1000;
}

/** A whole number >= 1 from `--name`, or `fallback` when not given. */
export function whole(
  text: string | undefined,
  name: string,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`--${name} expects a whole number >= 1, got ${text}`);
  }
  return value;
}
