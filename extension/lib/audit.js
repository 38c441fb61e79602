// Audit trail helpers. Pure module: used by the background (recording) and audit.js (display,
// export), tested with node:test.
//
// An entry records one termination attempt. It is written BEFORE the DELETE leaves
// (`state: "sending"`, no outcome yet) and completed after (`state: "done"`, the outcome): see
// docs/DESIGN.md §3. Entries hold the outcome as data (kind, status, params, serverMessage),
// never texts: the title and cause are formatted from _locales when shown or exported. Reports reach
// this module already scrubbed by the background (scrubReport); the export keeps only AUDIT_FIELDS.

/** Cap of the stored trail, in bytes of JSON (under the 10 MiB storage.local quota). */
export const AUDIT_MAX_BYTES = 4 * 1024 * 1024;

/** Fields of an exported entry (CSV columns, JSON keys), in this order. */
export const AUDIT_FIELDS = Object.freeze([
  "at", "id", "state", "appliance", "sessionId", "rowId", "user", "device", "kind", "ok", "status",
  "title", "cause", "serverMessage", "source", "runId",
]);

/** Every field of a stored entry (AUDIT_FIELDS are those exported; title/cause are filled by the
 *  audit page from kind/params/serverMessage). */
export const ENTRY_FIELDS = Object.freeze([
  "id", "state", "at", "doneAt", "appliance", "sessionId", "rowId", "user", "device", "kind", "ok",
  "status", "serverMessage", "params", "source", "runId",
]);

const SOURCES = ["console", "popup", "bulk", "confirm"];

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
