// Report helpers (docs/DESIGN.md §2 Report shape). Pure module, tested with node:test.
// The background never formats a Report: `params` travel as they are and the pages / content
// scripts turn them into text with `describeReport` (lib/report-text.js).

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

/** A copy of `params` keeping only string and finite number values (anything else as a string). */
export function plainParams(p) {
  const out = {};
  if (p === null || p === undefined || typeof p !== "object") return out;
  const entries = p instanceof Map ? [...p.entries()] : Object.entries(p);
  for (const [k, v] of entries) {
    if (v === undefined || v === null) continue;
    if (typeof v === "number" && Number.isFinite(v)) out[String(k)] = v;
    else if (typeof v === "bigint") out[String(k)] = v.toString();
    else out[String(k)] = String(v);
  }
  return out;
}

/** A Report for failures that happen outside the core (not configured, wasm failed…). */
export function makeReport(kind, params = {}, extra = {}) {
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
    params: plainParams(params),
    ...extra,
  };
}

/** Copies a Report coming from the wasm (plain object or Map) into a plain, clonable object
 *  with exactly the documented fields. */
export function plainReport(r) {
  if (r === null || r === undefined || (typeof r !== "object" && !(r instanceof Map))) {
    return makeReport("unexpected");
  }
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
    params: plainParams(get(r, "params")),
  };
}

/** Thrown values from the wasm may be Reports (kind set), Errors or strings. */
export function reportFromError(err) {
  if (err && (typeof err === "object" || err instanceof Map) && typeof get(err, "kind") === "string") {
    return plainReport(err);
  }
  const detail = err && typeof err === "object" && "message" in err ? String(err.message) : text(err);
  return makeReport("core_failed", { detail: detail.slice(0, 300) });
}

/** Plain copy of one Session (listActive / lookup). */
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

/**
 * Counts of a bulk run's per-session results (see background/bulk.js for the states).
 * reasons: the failure kinds, most frequent first (the popup names them with describeReport).
 */
export function summarize(results) {
  const out = { dropped: 0, alreadyEnded: 0, failed: 0, invalid: 0, skipped: 0, unknown: 0, notSent: 0, pending: 0, reasons: [] };
  const reasons = new Map();
  for (const r of results) {
    if (r.state === "invalid") out.invalid++;
    else if (r.state === "skipped") out.skipped++;
    else if (r.state === "unknown") out.unknown++;
    else if (r.state === "not_sent") out.notSent++;
    else if (r.state !== "done") out.pending++;
    else if (r.ok) out.dropped++;
    else if (r.kind === "already_ended") out.alreadyEnded++;
    else {
      out.failed++;
      const cur = reasons.get(r.kind) || { kind: r.kind, count: 0 };
      cur.count++;
      reasons.set(r.kind, cur);
    }
  }
  out.reasons = [...reasons.values()].sort((a, b) => b.count - a.count);
  return out;
}

/** Races a promise against a deadline; on expiry resolves with `onTimeout()`. The promise itself
 *  is not cancelled: whoever started it still waits for it to settle. */
export function withDeadline(promise, ms, onTimeout) {
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => resolve(onTimeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
