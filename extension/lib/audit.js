// Audit trail helpers. Pure module: used by the background (recording) and audit.js (display,
// export), tested with node:test.
//
// An entry records one termination attempt. It is written BEFORE the DELETE leaves
// (`state: "sending"`, no outcome yet) and completed after (`state: "done"`, the outcome): see
// docs/CONTRACT-V2.md §D. Entries hold the outcome as data (kind, status, params, serverMessage),
// never texts: the title and cause are formatted from _locales when shown or exported. Reports reach
// this module already scrubbed by the background (scrubReport); the export keeps only AUDIT_FIELDS.

/** Cap of the stored trail, in bytes of JSON (under the 10 MiB storage.local quota). */
export const AUDIT_MAX_BYTES = 4 * 1024 * 1024;

/** Entry count cap of the first background (a number passed to appendAudit still means entries). */
export const AUDIT_CAP = 5000;

/** Fields of an exported entry (CSV columns, JSON keys), in this order. */
export const AUDIT_FIELDS = Object.freeze([
  "at", "id", "state", "appliance", "sessionId", "rowId", "user", "device", "kind", "ok", "status",
  "title", "cause", "serverMessage", "source", "runId",
]);

const SOURCES = ["console", "popup", "bulk", "confirm"];
const STATES = ["sending", "done"];

function str(v, max = 1024) {
  if (v === undefined || v === null) return null;
  const s = String(v);
  return s.length > max ? s.slice(0, max) : s;
}

/** The Report's params kept for the catalogue: strings (capped) and finite numbers, at most 8. */
function plainParams(p) {
  const out = {};
  if (!p || typeof p !== "object") return out;
  let n = 0;
  for (const [k, v] of Object.entries(p)) {
    if (n >= 8 || !/^[A-Za-z0-9_]{1,32}$/.test(k)) continue;
    if (typeof v === "string") out[k] = v.slice(0, 256);
    else if (typeof v === "number" && Number.isFinite(v)) out[k] = v;
    else continue;
    n++;
  }
  return out;
}

/**
 * One audit entry.
 * @param {object} a { at?: Date|string, id?, state?: "sending"|"done", appliance, ref?: {kind,value},
 *   report?: Report (absent while sending), context?: {user,device}, source, runId? }
 */
export function makeAuditEntry({ at, id, state, appliance, ref, report, context, source, runId }) {
  const r = report || {};
  const when = at instanceof Date ? at.toISOString() : typeof at === "string" ? at : new Date().toISOString();
  const st = STATES.includes(state) ? state : report ? "done" : "sending";
  return {
    at: when,
    id: str(id, 64),
    state: st,
    appliance: str(appliance, 300) || "",
    sessionId: str(r.sessionId) ?? (ref && ref.kind === "hash" ? str(ref.value) : null),
    rowId: str(r.rowId) ?? (ref && ref.kind === "row" ? str(ref.value) : null),
    user: str(context && context.user, 256),
    device: str(context && context.device, 256),
    kind: st === "sending" ? null : str(r.kind, 64) || "unexpected",
    ok: r.ok === true,
    status: typeof r.status === "number" ? r.status : null,
    params: plainParams(r.params),
    serverMessage: str(r.serverMessage, 300),
    source: SOURCES.includes(source) ? source : "console",
    runId: str(runId, 64),
  };
}

/** The write-ahead entry completed with the outcome (a new object; `at` and `id` kept). */
export function settleAuditEntry(entry, report) {
  const done = makeAuditEntry({
    at: entry.at,
    id: entry.id,
    state: "done",
    appliance: entry.appliance,
    ref: entry.sessionId ? { kind: "hash", value: entry.sessionId } : entry.rowId ? { kind: "row", value: entry.rowId } : null,
    report: report || { kind: "unexpected" },
    context: { user: entry.user, device: entry.device },
    source: entry.source,
    runId: entry.runId,
  });
  if (!done.sessionId) done.sessionId = entry.sessionId;
  if (!done.rowId) done.rowId = entry.rowId;
  return done;
}

function sizeOf(e) {
  return JSON.stringify(e).length + 1;
}

/**
 * Adds entries (oldest first order kept): an entry whose `id` is already there replaces it in
 * place (a write-ahead record completed); then the oldest are evicted until the trail fits.
 * `limits` is `{ maxBytes, maxEntries }` or, as before, a number of entries.
 */
export function appendAudit(list, entries, limits = {}) {
  const { maxBytes = AUDIT_MAX_BYTES, maxEntries = Infinity } = typeof limits === "number" ? { maxEntries: limits } : limits;
  const all = Array.isArray(list) ? list.slice() : [];
  const at = new Map();
  all.forEach((e, i) => e && e.id != null && at.set(e.id, i));
  for (const e of [].concat(entries)) {
    if (e && e.id != null && at.has(e.id)) all[at.get(e.id)] = e;
    else {
      if (e && e.id != null) at.set(e.id, all.length);
      all.push(e);
    }
  }
  let start = Math.max(0, all.length - maxEntries);
  let bytes = 2;
  for (let i = all.length - 1; i >= start; i--) {
    bytes += sizeOf(all[i]);
    if (bytes > maxBytes) {
      start = i + 1;
      break;
    }
  }
  return start ? all.slice(start) : all;
}

/**
 * The texts of an entry: `describe(entry)` -> { title, cause } (from describeReport and _locales),
 * or the texts stored by versions that stored them.
 */
function texts(e, describe) {
  if (typeof e.title === "string" || typeof e.cause === "string") return { title: e.title || "", cause: e.cause || "" };
  return describe ? describe(e) : { title: "", cause: "" };
}

/** The exported form of an entry: exactly AUDIT_FIELDS, texts filled in. */
export function exportEntry(e, describe) {
  const { title, cause } = texts(e, describe);
  const out = {};
  for (const f of AUDIT_FIELDS) {
    if (f === "title") out.title = title;
    else if (f === "cause") out.cause = cause;
    else out[f] = e[f] === undefined ? null : e[f];
  }
  return out;
}

// A spreadsheet evaluates a cell that starts with one of these (after leading whitespace); the
// full-width forms are read as the same by some spreadsheet programs.
const TRIGGER = "=+\\-@\uFF1D\uFF0B\uFF0D\uFF20";
// A cell splits at a separator when the program guesses another one (pt-BR Excel splits at ";",
// a paste splits at tabs and line ends): what follows a separator is a cell start as well.
const AFTER_SEPARATOR = new RegExp(`([,;\\t\\r\\n][ \\t\\r\\n]*)(?=[${TRIGGER}])`, "g");
const AT_START = new RegExp(`^(?=[ \\t\\r\\n]*[${TRIGGER}]|[\\t\\r])`);

/** Makes a cell value inert: a "'" before every place a spreadsheet could start a formula. */
export function neutralize(s) {
  return s.replace(AT_START, "'").replace(AFTER_SEPARATOR, "$1'");
}

/** One CSV field: always quoted (RFC 4180), formulas neutralised. */
export function csvField(v) {
  if (v === undefined || v === null) return '""';
  const s = typeof v === "boolean" ? (v ? "true" : "false") : String(v);
  return '"' + neutralize(s).replace(/"/g, '""') + '"';
}

/** CSV text (header row + one line per entry, CRLF line ends). */
export function toCSV(entries, describe, fields = AUDIT_FIELDS) {
  const lines = [fields.map(csvField).join(",")];
  for (const e of entries) {
    const x = exportEntry(e, describe);
    lines.push(fields.map((f) => csvField(x[f])).join(","));
  }
  return lines.join("\r\n") + "\r\n";
}

export function toJSON(entries, describe) {
  return JSON.stringify(entries.map((e) => exportEntry(e, describe)), null, 2) + "\n";
}
