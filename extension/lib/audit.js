// Audit trail helpers. Pure module: used by background/audit.js (recording) and audit.js (export),
// tested with node:test.
//
// An entry is written BEFORE its DELETE leaves (`state: "sending"`) and completed after it
// (`state: "done"`, the outcome): docs/CONTRACT-V2.md §D. Entries carry the Report's kind, status,
// server message and params, never formatted text: the audit page formats with describeReport.

/** The trail is capped by the size of its JSON (oldest evicted first), well under the 10 MiB
 *  storage.local quota. */
export const AUDIT_MAX_BYTES = 4 * 1024 * 1024;

export const AUDIT_FIELDS = Object.freeze([
  "at", "appliance", "sessionId", "rowId", "user", "device", "kind", "ok", "status",
  "title", "cause", "source", "runId",
]);

/** Every field of a stored entry (AUDIT_FIELDS are those exported; title/cause are filled by the
 *  audit page from kind/params/serverMessage). */
export const ENTRY_FIELDS = Object.freeze([
  "id", "state", "at", "doneAt", "appliance", "sessionId", "rowId", "user", "device", "kind", "ok",
  "status", "serverMessage", "params", "source", "runId",
]);

const SOURCES = ["console", "popup", "bulk"];

function str(v, max = 1024) {
  if (v === undefined || v === null) return null;
  const s = String(v);
  return s.length > max ? s.slice(0, max) : s;
}

function params(p) {
  const out = {};
  if (!p || typeof p !== "object") return out;
  for (const [k, v] of Object.entries(p)) {
    if (typeof v === "number" && Number.isFinite(v)) out[str(k, 64)] = v;
    else if (typeof v === "string") out[str(k, 64)] = str(v, 300);
  }
  return out;
}

/**
 * The write-ahead record of one termination attempt, before its DELETE is sent.
 * @param {object} a { id, at?: Date|string, appliance, ref?: {kind,value}, sessionId?, rowId?, context?: {user,device}, source, runId? }
 */
export function makeSendingEntry({ id, at, appliance, ref, sessionId, rowId, context, source, runId }) {
  const when = at instanceof Date ? at.toISOString() : typeof at === "string" ? at : new Date().toISOString();
  return {
    id: str(id, 64),
    state: "sending",
    at: when,
    doneAt: null,
    appliance: str(appliance, 300) || "",
    sessionId: str(sessionId) ?? (ref && ref.kind === "hash" ? str(ref.value) : null),
    rowId: str(rowId) ?? (ref && ref.kind === "row" ? str(ref.value) : null),
    user: str(context && context.user, 256),
    device: str(context && context.device, 256),
    kind: null,
    ok: false,
    status: null,
    serverMessage: null,
    params: {},
    source: SOURCES.includes(source) ? source : "console",
    runId: str(runId, 64),
  };
}

/** The same record completed with the outcome of its DELETE (a new object). */
export function completeEntry(entry, report, at) {
  const r = report || {};
  const when = at instanceof Date ? at.toISOString() : typeof at === "string" ? at : new Date().toISOString();
  return {
    ...entry,
    state: "done",
    doneAt: when,
    sessionId: str(r.sessionId) ?? entry.sessionId,
    rowId: str(r.rowId) ?? entry.rowId,
    kind: str(r.kind, 64) || "unexpected",
    ok: r.ok === true,
    status: typeof r.status === "number" ? r.status : null,
    serverMessage: str(r.serverMessage, 300),
    params: params(r.params),
  };
}

/** Size in bytes of an entry's JSON (UTF-8), as counted against AUDIT_MAX_BYTES. */
export function entryBytes(entry) {
  return new TextEncoder().encode(JSON.stringify(entry)).length + 1;
}

/**
 * Keeps the newest entries whose JSON fits in `maxBytes`; `list` is oldest first. Returns
 * { kept, evicted } (new arrays).
 */
export function capByBytes(list, maxBytes = AUDIT_MAX_BYTES) {
  const base = Array.isArray(list) ? list : [];
  let total = 2;
  let i = base.length;
  while (i > 0) {
    const b = entryBytes(base[i - 1]);
    if (total + b > maxBytes) break;
    total += b;
    i--;
  }
  return { kept: base.slice(i), evicted: base.slice(0, i) };
}

// Cells starting with these characters are evaluated as formulas by spreadsheet programs; the
// appliance returns free text (user names, messages), so neutralise them with a leading quote.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field, RFC 4180 quoting. */
export function csvField(v) {
  if (v === undefined || v === null) return "";
  let s = typeof v === "boolean" ? (v ? "true" : "false") : String(v);
  if (FORMULA_START.test(s)) s = "'" + s;
  if (/[",\r\n]/.test(s) || s !== s.trim()) return '"' + s.replace(/"/g, '""') + '"';
  return s;
}

/** CSV text (header row + one line per entry, CRLF line ends). */
export function toCSV(entries, fields = AUDIT_FIELDS) {
  const lines = [fields.map(csvField).join(",")];
  for (const e of entries) lines.push(fields.map((f) => csvField(e[f])).join(","));
  return lines.join("\r\n") + "\r\n";
}

export function toJSON(entries) {
  return JSON.stringify(entries, AUDIT_FIELDS, 2) + "\n";
}
