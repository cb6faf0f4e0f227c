import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { type DisplayMessage, setDisplaySink } from "../../lib/src/display.js";
import {
  attempt,
  check,
  CHECK_MIME,
  CheckFailure,
  checkResults,
  expectClose,
  expectEqual,
  expectThrows,
  expectTrue,
  isNotImplemented,
  showScore,
} from "../../lib/src/homework.js";
import { Matrix } from "../../lib/src/tensor.js";

let shown: DisplayMessage[] = [];
beforeEach(() => {
  shown = [];
  setDisplaySink((m) => shown.push(m));
});
afterEach(() => setDisplaySink(null));

const stub = () => {
  throw new Error("not implemented");
};
const failure = (body: () => void) => {
  try {
    body();
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a failure");
};

describe("check", () => {
  it("shows and records a pass, a failure with its reason, and a stub", () => {
    check("t.pass", 2, () => expectTrue(1 + 1 === 2, "arithmetic"));
    check("t.fail", 3, () => expectClose("x", 1.5, 2));
    check("t.stub", 1, stub);
    const byId = Object.fromEntries(checkResults().map((r) => [r.id, r]));
    expect(byId["t.pass"]).toEqual({
      id: "t.pass",
      points: 2,
      earned: 2,
      passed: true,
      message: "",
    });
    expect(byId["t.fail"].earned).toBe(0);
    expect(byId["t.fail"].message).toBe(
      "x: expected 2, got 1.5 (tolerance 1e-12 + 1e-9 x |expected|)",
    );
    expect(byId["t.stub"].message).toBe("not implemented yet");
    expect(shown.map((m) => m.data["text/plain"])).toEqual([
      "\u2714 passed: t.pass (2 / 2 points)",
      "\u2718 failed: t.fail (0 / 3 points)\n  x: expected 2, got 1.5 (tolerance 1e-12 + 1e-9 x |expected|)",
      "\u2718 failed: t.stub (0 / 1 points)\n  not implemented yet",
    ]);
    expect(shown[1].data[CHECK_MIME]).toEqual(byId["t.fail"]);
  });

  it("names other errors by class, replaces a re-run, refuses async tests", () => {
    check("t.type", 1, () => {
      void (null as unknown as { x: number }).x;
    });
    expect(checkResults().find((r) => r.id === "t.type")!.message).toMatch(
      /^TypeError: /,
    );
    check("t.type", 1, () => undefined);
    expect(checkResults().filter((r) => r.id === "t.type")).toHaveLength(1);
    expect(checkResults().find((r) => r.id === "t.type")!.passed).toBe(true);
    check("t.async", 1, (async () => undefined) as unknown as () => void);
    expect(checkResults().find((r) => r.id === "t.async")!.message).toMatch(
      /checks must be synchronous/,
    );
  });

  it("refuses a bad id, points or test, naming them", () => {
    expect(() => check("a b", 1, () => undefined)).toThrow(/^id: /);
    expect(() => check("ok", 0, () => undefined)).toThrow(
      /^points: expected a finite number > 0, got 0$/,
    );
    expect(() => check("ok", 1, 5 as never)).toThrow(
      /^test: expected a function/,
    );
  });

  it("showScore sums the points of every check run", () => {
    check("s.a", 4, () => undefined);
    check("s.b", 6, stub);
    shown = [];
    showScore();
    const table = shown[0].data["text/markdown"] as string;
    expect(table).toMatch(/\| s\.a \| passed \| 4 \/ 4 \|/);
    expect(table).toMatch(/\| s\.b \| failed \| 0 \/ 6 \|/);
    const all = checkResults();
    const earned = all.reduce((s, r) => s + r.earned, 0);
    const total = all.reduce((s, r) => s + r.points, 0);
    expect(table).toContain(`**${earned} / ${total}**`);
  });
});

describe("attempt", () => {
  it("returns the body's value, notes a stub, rethrows anything else", () => {
    expect(attempt("demo", () => 42)).toBe(42);
    expect(attempt("demo", stub)).toBeUndefined();
    expect(shown[0].data["text/plain"]).toBe(
      "demo: skipped, a function it uses is not implemented yet",
    );
    expect(() =>
      attempt("demo", () => {
        throw new RangeError("bad");
      }),
    ).toThrow(RangeError);
    expect(isNotImplemented(new Error("not implemented"))).toBe(true);
    expect(isNotImplemented(new Error("not implemented here"))).toBe(false);
  });
});

describe("expect helpers", () => {
  it("expectClose compares numbers, nested arrays, typed arrays and matrices", () => {
    expectClose(
      "m",
      [
        [1, 2],
        [3, 4],
      ],
      Matrix.fromRows([
        [1, 2],
        [3, 4 + 1e-13],
      ]),
    );
    expectClose("v", new Float32Array([0.5]), [0.5]);
    expectClose("loose", 1.01, 1, { rtol: 0.02 });
    expect(
      failure(() =>
        expectClose(
          "m",
          [
            [1, 2],
            [3, 5],
          ],
          [
            [1, 2],
            [3, 4],
          ],
        ),
      ).message,
    ).toBe("m[1][1]: expected 4, got 5 (tolerance 1e-12 + 1e-9 x |expected|)");
    expect(
      failure(() => expectClose("v", [1, 2, 3], [[1, 2, 3]])).message,
    ).toBe("v: expected shape [1, 3], got [3]");
    expect(failure(() => expectClose("n", NaN, NaN))).toBeInstanceOf(
      CheckFailure,
    );
    expect(
      failure(() => expectClose("r", [[1], [2, 3]], [[1], [2]])).message,
    ).toMatch(/r\[1\]: rows of different lengths/);
    expect(failure(() => expectClose("s", "1", 1)).message).toMatch(
      /s: expected numbers, got string "1"/,
    );
  });

  it("expectEqual compares deeply and names the first difference", () => {
    expectEqual(
      "n",
      [NaN, -0, { a: [1, 2] }],
      [NaN, 0, { a: new Int32Array([1, 2]) }],
    );
    expect(failure(() => expectEqual("x", [NaN], [Infinity])).message).toBe(
      "x[0]: expected Infinity, got NaN",
    );
    expect(failure(() => expectEqual("x", NaN, null)).message).toBe(
      "x: expected null, got NaN",
    );
    expect(failure(() => expectEqual("o", { a: undefined }, {})).message).toBe(
      "o.a: not expected",
    );
    expect(
      failure(() => expectEqual("o", { b: 1 }, { a: 1, b: 1 })).message,
    ).toBe("o.a: missing");
    const long = Array.from({ length: 300 }, (_, i) => i);
    const other = long.slice();
    other[250] = -1;
    expect(failure(() => expectEqual("p", other, long)).message).toBe(
      "p[250]: expected 250, got -1",
    );
    expect(
      failure(() =>
        expectEqual(
          "f",
          () => 1,
          () => 1,
        ),
      ).message,
    ).toMatch(/f: cannot compare function/);
  });

  it("expectClose takes equal infinities and refuses bad tolerances and holes", () => {
    expectClose("i", [Infinity, -Infinity], [Infinity, -Infinity]);
    expect(failure(() => expectClose("i", -Infinity, Infinity))).toBeInstanceOf(
      CheckFailure,
    );
    expect(() => expectClose("t", 1, 1, { rtol: NaN })).toThrow(
      /tolerance.rtol: expected a finite number >= 0, got NaN/,
    );
    expect(() => expectClose("t", 1, 1, { atol: Infinity })).toThrow(
      /tolerance.atol/,
    );
    // eslint-disable-next-line no-sparse-arrays
    expect(failure(() => expectClose("h", [1, 2], [1, ,])).message).toMatch(
      /h \(expected\)\[1\]: expected numbers, got undefined/,
    );
  });

  it("expectThrows wants a RegExp, ignores its state, and refuses async code", () => {
    expect(() => expectThrows("t", () => 1, "bad" as never)).toThrow(
      /pattern: expected a RegExp, got string "bad"/,
    );
    const sticky = /bad/g;
    const thrower = () => {
      throw new Error("bad");
    };
    expectThrows("t", thrower, sticky);
    expectThrows("t", thrower, sticky); // a /g pattern would fail the second time
    expect(
      failure(() => expectThrows("t", async () => thrower())).message,
    ).toMatch(/returned a Promise; expectThrows checks synchronous code/);
  });

  it("expectTrue and expectThrows say what differed", () => {
    expectEqual("e", new Int32Array([1, 2]), [1, 2]);
    expect(failure(() => expectEqual("e", [1, 2], [1, 3])).message).toBe(
      "e[1]: expected 3, got 2",
    );
    expect(failure(() => expectTrue(false, "must hold")).message).toBe(
      "must hold",
    );
    expectThrows(
      "t",
      () => {
        throw new RangeError("x is bad");
      },
      /bad/,
    );
    expect(failure(() => expectThrows("t", () => 1)).message).toBe(
      "t: expected an error, but nothing was thrown",
    );
    expect(
      failure(() =>
        expectThrows(
          "t",
          () => {
            throw new Error("other");
          },
          /bad/,
        ),
      ).message,
    ).toMatch(/t: threw "other", expected a message matching \/bad\//);
    // A stub is not the error a student was asked to throw.
    expect(isNotImplemented(failure(() => expectThrows("t", stub)))).toBe(true);
  });
});
