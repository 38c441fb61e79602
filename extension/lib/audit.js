// Audit trail helpers. Pure module: used by background.js (recording) and audit.js (export),
// tested with node:test.

export const AUDIT_CAP = 5000;

export const AUDIT_FIELDS = Object.freeze([
  "at", "appliance", "sessionId", "rowId", "user", "device", "kind", "ok", "status",
  "title", "cause", "source", "runId",
]);

const SOURCES = ["console", "popup", "bulk"];

function str(v, max = 1024) {
  if (v === undefined || v === null) return null;
  const s = String(v);
  return s.length > max ? s.slice(0, max) : s;
}

/**
 * Builds one audit entry from a termination attempt.
 * @param {object} a { at?: Date|string, appliance, ref?: {kind,value}, report, context?: {user,device}, source, runId? }
 */
export function makeAuditEntry({ at, appliance, ref, report, context, source, runId }) {
  const r = report || {};
  const msg = r.message || {};
  const when = at instanceof Date ? at.toISOString() : typeof at === "string" ? at : new Date().toISOString();
  return {
    at: when,
    appliance: str(appliance, 300) || "",
    sessionId: str(r.sessionId) ?? (ref && ref.kind === "hash" ? str(ref.value) : null),
    rowId: str(r.rowId) ?? (ref && ref.kind === "row" ? str(ref.value) : null),
    user: str(context && context.user, 256),
    device: str(context && context.device, 256),
    kind: str(r.kind, 64) || "unexpected",
    ok: r.ok === true,
    status: typeof r.status === "number" ? r.status : null,
    title: str(msg.title) || "",
    cause: str(msg.cause) || "",
    source: SOURCES.includes(source) ? source : "console",
    runId: str(runId, 64),
  };
}

/** Appends entries (oldest first order kept) and evicts the oldest beyond `cap`. Returns a new array. */
export function appendAudit(list, entries, cap = AUDIT_CAP) {
  const base = Array.isArray(list) ? list : [];
  const all = base.concat(entries);
  return all.length > cap ? all.slice(all.length - cap) : all;
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
