import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";

import {
  checkSignatureScheme,
  createMessage,
  decodeMessage,
  DELIMITER,
  encodeMessage,
  sign,
  WireError,
} from "../../kernel/src/wire.js";

const KEY = "0123456789abcdef";

describe("wire protocol", () => {
  it("signs header, parent, metadata and content with HMAC-SHA256", () => {
    const msg = createMessage("execute_request", { code: "1" }, "s1");
    const frames = encodeMessage(KEY, msg);
    expect(frames[0].toString()).toBe(DELIMITER);
    const hmac = createHmac("sha256", KEY);
    for (const f of frames.slice(2, 6)) hmac.update(f);
    expect(frames[1].toString()).toBe(hmac.digest("hex"));
    expect(JSON.parse(frames[2].toString()).msg_type).toBe("execute_request");
    expect(JSON.parse(frames[5].toString())).toEqual({ code: "1" });
  });

  it("round-trips a message with a routing prefix and buffers", () => {
    const msg = createMessage("display_data", { data: {} }, "s1", {
      msg_id: "parent",
    });
    msg.identities = [Buffer.from("peer-a"), Buffer.from("peer-b")];
    msg.buffers = [Buffer.from([1, 2, 3])];
    const back = decodeMessage(KEY, encodeMessage(KEY, msg));
    expect(back.identities.map(String)).toEqual(["peer-a", "peer-b"]);
    expect(back.header).toEqual(msg.header);
    expect(back.parentHeader).toEqual({ msg_id: "parent" });
    expect(back.content).toEqual({ data: {} });
    expect([...back.buffers[0]]).toEqual([1, 2, 3]);
  });

  it("rejects a tampered content frame", () => {
    const frames = encodeMessage(KEY, createMessage("x", { a: 1 }, "s"));
    frames[5] = Buffer.from(JSON.stringify({ a: 2 }));
    expect(() => decodeMessage(KEY, frames)).toThrow(WireError);
  });

  it("rejects a message signed with another key", () => {
    const frames = encodeMessage("other", createMessage("x", {}, "s"));
    expect(() => decodeMessage(KEY, frames)).toThrow(/signature/);
  });

  it("rejects frames without the delimiter or with too few parts", () => {
    const frames = encodeMessage(KEY, createMessage("x", {}, "s"));
    expect(() => decodeMessage(KEY, frames.slice(1))).toThrow(/delimiter/);
    expect(() => decodeMessage(KEY, frames.slice(0, 4))).toThrow(/frames/);
  });

  it("uses an empty signature when the key is empty", () => {
    expect(sign("", ["{}"])).toBe("");
    const frames = encodeMessage("", createMessage("x", {}, "s"));
    expect(decodeMessage("", frames).header.msg_type).toBe("x");
  });

  it("accepts only the hmac-sha256 scheme", () => {
    expect(checkSignatureScheme("hmac-sha256")).toBe("sha256");
    expect(() => checkSignatureScheme("hmac-md5")).toThrow(RangeError);
  });
});
