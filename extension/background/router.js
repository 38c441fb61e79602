// The router: a table of handlers, message type -> { from, validate, handle, secret? }.
//   from      the sender classes allowed: "content" (top frame of a console tab) and/or "page"
//   validate  (raw message) -> normalised message | null (lib/protocol.js VALIDATORS)
//   handle    (message, { sender, senderClass, cfg }) -> answer
//   secret    true only for freshToken: its answer carries the token to an extension page; every
//             other answer is scrubbed of the token and the client secret (docs/DESIGN.md §3).
// A content script in a frame that is not the top one gets `not_top_frame` for a content type,
// `invalid_request` for anything else; every other refusal is `invalid_request`.
import { classifySender, invalidRequest } from "../lib/protocol.js";
import { makeReport } from "../lib/report.js";
import { scrubReport } from "../lib/scrub.js";

function isPlainObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * @param {object} d
 * @param {string} d.runtimeId
 * @param {string} d.extensionBase   runtime.getURL("")
 * @param {{get: () => Promise<object>}} d.config
 * @param {Record<string, object>} d.routes
 * @param {() => string[]} d.secrets
 */
export function makeRouter({ runtimeId, extensionBase, config, routes, secrets }) {
  return async function route(raw, sender) {
    let cfg = null;
    try {
      cfg = await config.get();
    } catch (err) {
      console.error("Session Drop: cannot load settings", err);
    }
    const senderClass = classifySender(sender, {
      runtimeId,
      extensionBase,
      serverOrigin: cfg && cfg.server ? cfg.server.origin : null,
    });
    if (!senderClass) return invalidRequest();
    if (!isPlainObject(raw) || typeof raw.type !== "string" || !Object.hasOwn(routes, raw.type)) return invalidRequest();
    const r = routes[raw.type];
    if (senderClass === "subframe") return r.from.includes("content") ? makeReport("not_top_frame") : invalidRequest();
    if (!r.from.includes(senderClass)) return invalidRequest();
    const msg = r.validate(raw);
    if (!msg) return invalidRequest();
    const answer = await r.handle(msg, { sender, senderClass, cfg });
    return r.secret ? answer : scrubReport(answer, secrets());
  };
}
