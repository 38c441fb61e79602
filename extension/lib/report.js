// Report helpers (DESIGN.md §2 Report shape). Pure module, tested with node:test.

export function get(obj, key) {
  if (obj instanceof Map) return obj.get(key);
  return obj == null ? undefined : obj[key];
}

function textOrNull(v) {
  if (v === undefined || v === null) return null;
  return typeof v === "bigint" ? v.toString() : String(v);
}

function text(v) {
  return v === undefined || v === null ? "" : String(v);
}

/** A Report-like object for failures that happen outside the core (not configured, wasm failed…). */
export function makeReport(kind, message, extra = {}) {
  return {
    ok: false,
    kind,
    status: null,
    next: "report",
    sessionId: null,
    rowId: null,
    generation: null,
    attempts: 0,
    tokenRenewed: false,
    serverMessage: null,
    message: { title: text(message && message.title), cause: text(message && message.cause), fix: text(message && message.fix) },
    ...extra,
  };
}

/**
 * Copies a Report coming from the wasm (plain object or Map) into a plain, clonable object
 * with exactly the documented fields.
 */
export function plainReport(r, fallbackMessage) {
  if (r === null || r === undefined || (typeof r !== "object" && !(r instanceof Map))) {
    return makeReport("unexpected", fallbackMessage || { title: "", cause: text(r), fix: "" });
  }
  const m = get(r, "message");
  const status = get(r, "status");
  const attempts = get(r, "attempts");
  return {
    ok: get(r, "ok") === true,
    kind: text(get(r, "kind")) || "unexpected",
    status: typeof status === "number" ? status : null,
    next: text(get(r, "next")) || "report",
    sessionId: textOrNull(get(r, "sessionId")),
    rowId: textOrNull(get(r, "rowId")),
    generation: textOrNull(get(r, "generation")),
    attempts: typeof attempts === "number" ? attempts : 0,
    tokenRenewed: get(r, "tokenRenewed") === true,
    serverMessage: textOrNull(get(r, "serverMessage")),
    message: m
      ? { title: text(get(m, "title")), cause: text(get(m, "cause")), fix: text(get(m, "fix")) }
      : (fallbackMessage ? { ...fallbackMessage } : { title: "", cause: "", fix: "" }),
  };
}

/** Thrown errors from the wasm may be Report-shaped objects, Errors or strings. */
export function reportFromError(err, fallbackMessage) {
  if (err && (typeof err === "object" || err instanceof Map) && get(err, "kind") !== undefined && get(err, "message") !== undefined) {
    return plainReport(err, fallbackMessage);
  }
  const detail = err && typeof err === "object" && "message" in err ? String(err.message) : text(err);
  const msg = fallbackMessage ? { ...fallbackMessage } : { title: "", cause: "", fix: "" };
  if (detail) msg.cause = msg.cause ? `${msg.cause} (${detail})` : detail;
  return makeReport("unexpected", msg);
}

/** Plain copy of one listActive session. */
export function plainSession(s) {
  return {
    id: textOrNull(get(s, "id")),
    user: textOrNull(get(s, "user")),
    originIp: textOrNull(get(s, "originIp")),
    credential: textOrNull(get(s, "credential")),
    device: textOrNull(get(s, "device")),
    protocol: textOrNull(get(s, "protocol")),
    proxy: textOrNull(get(s, "proxy")),
    sessionId: textOrNull(get(s, "sessionId")),
    start: textOrNull(get(s, "start")),
    end: textOrNull(get(s, "end")),
    time: textOrNull(get(s, "time")),
  };
}

/** Counts of a bulk run's results. */
export function summarize(results) {
  const out = { dropped: 0, alreadyEnded: 0, failed: 0, reasons: [] };
  const reasons = new Map();
  for (const r of results) {
    if (r.ok) out.dropped++;
    else if (r.kind === "already_ended") out.alreadyEnded++;
    else {
      out.failed++;
      const title = (r.message && r.message.title) || r.kind;
      const cur = reasons.get(title) || { title, kind: r.kind, count: 0 };
      cur.count++;
      reasons.set(title, cur);
    }
  }
  out.reasons = [...reasons.values()].sort((a, b) => b.count - a.count);
  return out;
}

/** Races a promise against a deadline; on expiry resolves with `onTimeout()`. */
export function withDeadline(promise, ms, onTimeout) {
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
