/**
 * The Jupyter messaging wire protocol: framing, HMAC signing, construction.
 *
 * Reference: jupyter-client "Messaging in Jupyter", section "The Wire
 * Protocol" (protocol version 5.3). A message on a ZeroMQ socket is a list
 * of frames:
 *
 *   [identity..., "<IDS|MSG>", signature, header, parent_header, metadata,
 *    content, buffer...]
 *
 * The signature is the hex HMAC-SHA256, keyed by the connection file's
 * `key`, over the four JSON frames header..content in that order (binary
 * buffers are not signed, as in jupyter-client).
 *
 * Limits: only `hmac-sha256` is supported; any other scheme throws. Binary
 * buffers are carried through but never interpreted.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const DELIMITER = "<IDS|MSG>";
export const PROTOCOL_VERSION = "5.3";

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export interface Message<C = Record<string, unknown>> {
  /** ZeroMQ routing prefix (frames before the delimiter); often empty. */
  identities: Buffer[];
  header: MessageHeader;
  /** Header of the request this message answers; `{}` when none. */
  parentHeader: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** Raised for a frame list that is not a valid, correctly signed message. */
export class WireError extends Error {
  override name = "WireError";
}

/** Checks the connection file's `signature_scheme`; returns the algorithm. */
export function checkSignatureScheme(scheme: string): "sha256" {
  if (scheme !== "hmac-sha256") {
    throw new RangeError(
      `signature_scheme: expected "hmac-sha256", got ${JSON.stringify(scheme)}`,
    );
  }
  return "sha256";
}

/**
 * Hex HMAC-SHA256 of the JSON frames. An empty key disables signing, as
 * the protocol specifies: the signature is then the empty string.
 */
export function sign(key: string, frames: readonly (string | Buffer)[]) {
  if (key === "") return "";
  const hmac = createHmac("sha256", key);
  for (const frame of frames) hmac.update(frame);
  return hmac.digest("hex");
}

/** Builds a new message with a fresh `msg_id` (and no routing prefix). */
export function createMessage<C extends object>(
  msgType: string,
  content: C,
  session: string,
  parentHeader: Partial<MessageHeader> = {},
): Message<C> {
  return {
    identities: [],
    header: {
      msg_id: randomUUID(),
      session,
      username: "memnets",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parentHeader,
    metadata: {},
    content,
    buffers: [],
  };
}

/** Serializes and signs a message into the frame list to send. */
export function encodeMessage(key: string, msg: Message<object>): Buffer[] {
  const json = [
    JSON.stringify(msg.header),
    JSON.stringify(msg.parentHeader),
    JSON.stringify(msg.metadata),
    JSON.stringify(msg.content),
  ];
  return [
    ...msg.identities,
    Buffer.from(DELIMITER),
    Buffer.from(sign(key, json)),
    ...json.map((s) => Buffer.from(s)),
    ...msg.buffers,
  ];
}

/**
 * Parses a received frame list, verifying its signature (constant-time
 * compare). Throws WireError when the delimiter or a frame is missing, the
 * signature does not match, or a JSON frame does not parse.
 */
export function decodeMessage(key: string, frames: readonly Buffer[]) {
  const delimiter = Buffer.from(DELIMITER);
  const at = frames.findIndex((f) => f.equals(delimiter));
  if (at < 0) throw new WireError("message has no <IDS|MSG> delimiter");
  if (frames.length < at + 6) {
    throw new WireError(
      `message has ${frames.length - at - 1} frames after the delimiter; ` +
        "expected at least 5 (signature, header, parent, metadata, content)",
    );
  }
  const signature = frames[at + 1].toString();
  const json = frames.slice(at + 2, at + 6);
  const expected = sign(key, json);
  if (!signaturesEqual(signature, expected)) {
    throw new WireError("message signature does not match (wrong key?)");
  }

  const parsed = json.map((frame, i) => {
    try {
      return JSON.parse(frame.toString()) as unknown;
    } catch (err) {
      const names = ["header", "parent_header", "metadata", "content"];
      throw new WireError(`${names[i]} frame is not JSON: ${String(err)}`);
    }
  });
  const msg: Message = {
    identities: frames.slice(0, at),
    header: parsed[0] as MessageHeader,
    parentHeader: parsed[1] as Partial<MessageHeader>,
    metadata: parsed[2] as Record<string, unknown>,
    content: parsed[3] as Record<string, unknown>,
    buffers: frames.slice(at + 6),
  };
  if (typeof msg.header?.msg_type !== "string") {
    throw new WireError("header has no msg_type");
  }
  return msg;
}

function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
