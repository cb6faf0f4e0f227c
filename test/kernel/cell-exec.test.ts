import { describe, expect, it } from "vitest";
import { stderrSince } from "../../kernel/src/cell-exec.js";

describe("stderrSince: the kernel's stderr written during one cell", () => {
  it("is what was appended to the tail", () => {
    expect(stderrSince("boot\n", "boot\nunexpected error: X\n")).toBe(
      "unexpected error: X\n",
    );
    expect(stderrSince("same", "same")).toBe("");
  });

  it("finds the overlap when the capped tail dropped its start", () => {
    // The tail keeps the last N characters: "abcdef" became "cdef" + new.
    expect(stderrSince("abcdef", "cdefNEW")).toBe("NEW");
  });

  it("returns the whole tail when nothing of the old one is left", () => {
    expect(stderrSince("old text", "all new")).toBe("all new");
  });
});
