// Message protocol between the content scripts / extension pages and the background.
// Pure module (no browser APIs): imported by the background's router, tested with node:test.
//
// DESIGN.md §3 + docs/DESIGN.md §3: content scripts may send `status`, `drop`, `openOptions`;
// extension pages may send the page types below. Anything else, or a malformed payload ->
// { ok:false, kind:"invalid_request" }. `VALIDATORS[type](msg)` -> normalised copy or null.

export const CONTENT_TYPES = Object.freeze(["status", "drop", "openOptions"]);
export const PAGE_TYPES = Object.freeze([
  "testConnection", "saveSettings", "getSettings", "drop",
  "bulkStart", "bulkState", "auditList", "auditClear", "curl",
  "freshToken", "confirmGet", "confirmAnswer",
]);

export const LIMITS = Object.freeze({
  refValue: 256,
  contextText: 256,
  serverUrl: 2048,
  clientId: 512,
  clientSecret: 4096,
  timeoutMsMin: 1000,
  timeoutMsMax: 300000,
  concurrencyMin: 1,
  concurrencyMax: 16,
  bulkMax: 20000,
  bulkHardMax: 200000,
  bindingKey: 256,
  columnTitles: 2000,
});

export const GENERATIONS = Object.freeze(["auto", "api", "iso"]);
export const TOKEN_AUTH = Object.freeze(["body", "basic"]);
export const REF_KINDS = Object.freeze(["hash", "row"]);

/** The answer to anything that does not pass the checks. */
export function invalidRequest() {
  return { ok: false, kind: "invalid_request" };
}

function isPlainObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function onlyKeys(obj, allowed) {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) return false;
  return true;
}

function isBoundedString(v, max, min = 0) {
  return typeof v === "string" && v.length >= min && v.length <= max;
}

function isIntIn(v, min, max) {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

const ROW_ID = /^[0-9]{1,20}$/;
// Control characters and whitespace never belong in a session reference. The core validates further.
const HAS_SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

/** Validates `{kind, value}`; returns a fresh normalised object or null. */
export function checkRef(ref) {
  if (!isPlainObject(ref) || !onlyKeys(ref, ["kind", "value"])) return null;
  if (!REF_KINDS.includes(ref.kind)) return null;
  if (!isBoundedString(ref.value, LIMITS.refValue, 1)) return null;
  if (HAS_SPACE_OR_CONTROL.test(ref.value)) return null;
  if (ref.kind === "row" && !ROW_ID.test(ref.value)) return null;
  return { kind: ref.kind, value: ref.value };
}

function optText(v, max) {
  return v === undefined || v === null || isBoundedString(v, max);
}

/**
 * A drop's context: what the row shows besides its reference, as the page shows it (never trusted):
 * `user`, `device` (text for the audit trail) and `rowId`, the numeric ID a hash row shows next to
 * its hash (a row id: 1–20 digits), which the background checks with the appliance (list-one)
 * before a confirmed drop.
 */
function checkContext(ctx) {
  if (ctx === undefined || ctx === null) return {};
  if (!isPlainObject(ctx) || !onlyKeys(ctx, ["user", "device", "rowId"])) return null;
  if (!optText(ctx.user, LIMITS.contextText) || !optText(ctx.device, LIMITS.contextText)) return null;
  if (ctx.rowId !== undefined && ctx.rowId !== null && !(typeof ctx.rowId === "string" && ROW_ID.test(ctx.rowId))) return null;
  const out = {};
  if (typeof ctx.user === "string" && ctx.user !== "") out.user = ctx.user;
  if (typeof ctx.device === "string" && ctx.device !== "") out.device = ctx.device;
  if (typeof ctx.rowId === "string") out.rowId = ctx.rowId;
  return out;
}

export const SETTINGS_KEYS = Object.freeze([
  "serverUrl", "clientId", "clientSecret", "generation", "timeoutMs",
  "askBeforeTerminate", "bulkConcurrency", "tokenAuth", "columnTitles",
]);

/** Column roles whose header titles can be extended in the options (API.md §4: configurable). */
export const COLUMN_ROLES = Object.freeze(["session", "id", "user", "device", "action"]);

/**
 * Parses the "extra column titles" setting: one line per role, `role: Title one, Title two`.
 * Blank lines and lines starting with '#' are ignored.
 * @returns {{ ok: true, titles: Record<string,string[]> } | { ok: false, line: number }}
 */
export function parseColumnTitles(text) {
  const titles = {};
  if (typeof text !== "string") return { ok: false, line: 0 };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-z]+)\s*:\s*(.+)$/i.exec(line);
    const role = m ? m[1].toLowerCase() : "";
    if (!m || !COLUMN_ROLES.includes(role)) return { ok: false, line: i + 1 };
    const names = m[2].split(",").map((x) => x.trim()).filter((x) => x && x.length <= 80);
    if (!names.length) return { ok: false, line: i + 1 };
    titles[role] = (titles[role] || []).concat(names).slice(0, 20);
  }
  return { ok: true, titles };
}

/** Validates a (partial) settings object from the options page; returns a normalised copy or null. */
export function checkSettings(s) {
  if (!isPlainObject(s) || !onlyKeys(s, SETTINGS_KEYS)) return null;
  const out = {};
  if (s.serverUrl !== undefined) {
    if (!isBoundedString(s.serverUrl, LIMITS.serverUrl)) return null;
    out.serverUrl = s.serverUrl.trim();
  }
  if (s.clientId !== undefined) {
    if (!isBoundedString(s.clientId, LIMITS.clientId)) return null;
    out.clientId = s.clientId.trim();
  }
  if (s.clientSecret !== undefined) {
    if (!isBoundedString(s.clientSecret, LIMITS.clientSecret)) return null;
    out.clientSecret = s.clientSecret;
  }
  if (s.generation !== undefined) {
    if (!GENERATIONS.includes(s.generation)) return null;
    out.generation = s.generation;
  }
  if (s.timeoutMs !== undefined) {
    if (!isIntIn(s.timeoutMs, LIMITS.timeoutMsMin, LIMITS.timeoutMsMax)) return null;
    out.timeoutMs = s.timeoutMs;
  }
  if (s.askBeforeTerminate !== undefined) {
    if (typeof s.askBeforeTerminate !== "boolean") return null;
    out.askBeforeTerminate = s.askBeforeTerminate;
  }
  if (s.bulkConcurrency !== undefined) {
    if (!isIntIn(s.bulkConcurrency, LIMITS.concurrencyMin, LIMITS.concurrencyMax)) return null;
    out.bulkConcurrency = s.bulkConcurrency;
  }
  if (s.tokenAuth !== undefined) {
    if (!TOKEN_AUTH.includes(s.tokenAuth)) return null;
    out.tokenAuth = s.tokenAuth;
  }
  if (s.columnTitles !== undefined) {
    if (!isBoundedString(s.columnTitles, LIMITS.columnTitles)) return null;
    if (!parseColumnTitles(s.columnTitles).ok) return null;
    out.columnTitles = s.columnTitles;
  }
  return out;
}

const FORBIDDEN_CHAR = /[^\x21-\x7e]|[/\\%?#]/u;

/**
 * Why `value` is not a usable session reference of `kind`, in the terms of the core's
 * `invalid_session_ref` params ({ reason, char?, position?, max? }), or null when it is fine.
 * The core checks again (it is the authority); this lets a bulk run report a bad item as such.
 */
export function refProblem(kind, value) {
  if (typeof value !== "string" || value === "") return { reason: "empty" };
  if (kind === "row") {
    if (value.length > LIMITS.refValue) return { reason: "too_long", max: LIMITS.refValue };
    return ROW_ID.test(value) ? null : { reason: "not_a_row_id" };
  }
  // Same order and counting as the core (src/id.rs): a forbidden character first (its position
  // 1-based, in characters), then the length in bytes, then dot segments.
  const chars = [...value];
  const at = chars.findIndex((c) => FORBIDDEN_CHAR.test(c));
  if (at >= 0) return { reason: "forbidden", char: shownChar(chars[at]), position: at + 1 };
  if (new TextEncoder().encode(value).length > LIMITS.refValue) return { reason: "too_long", max: LIMITS.refValue };
  if (value === "." || value.includes("..")) return { reason: "dot_segment" };
  return null;
}

/** How the core shows a refused character: itself, or U+XXXX for control and whitespace (not space). */
function shownChar(c) {
  return c !== " " && /[\p{Cc}\p{White_Space}]/u.test(c) ? `U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}` : c;
}

function text256(v) {
  return typeof v === "string" ? v.slice(0, LIMITS.contextText) : null;
}

/**
 * One bulk item -> { ok:true, item:{sessionId,rowId,user,device} } | { ok:false, item, problem }
 * where `item` keeps what could be read of the ids (for the run's per-session lines).
 */
export function checkBulkItem(raw) {
  const seen = {
    sessionId: isPlainObject(raw) && typeof raw.sessionId === "string" ? raw.sessionId.slice(0, LIMITS.refValue) : null,
    rowId: isPlainObject(raw) && (typeof raw.rowId === "string" || typeof raw.rowId === "number") ? String(raw.rowId).slice(0, 32) : null,
    user: isPlainObject(raw) ? text256(raw.user) : null,
    device: isPlainObject(raw) ? text256(raw.device) : null,
  };
  if (!isPlainObject(raw) || !onlyKeys(raw, ["sessionId", "rowId", "user", "device"])) {
    return { ok: false, item: seen, problem: { reason: "empty" } };
  }
  let sessionId = null;
  let rowId = null;
  if (raw.sessionId !== undefined && raw.sessionId !== null && raw.sessionId !== "") {
    const p = refProblem("hash", raw.sessionId);
    if (p) return { ok: false, item: seen, problem: p };
    sessionId = raw.sessionId;
  }
  if (raw.rowId !== undefined && raw.rowId !== null && raw.rowId !== "") {
    const r = typeof raw.rowId === "number" ? String(raw.rowId) : raw.rowId;
    const p = refProblem("row", r);
    if (p) return { ok: false, item: seen, problem: p };
    rowId = r;
  }
  if (sessionId === null && rowId === null) return { ok: false, item: seen, problem: { reason: "empty" } };
  if (!optText(raw.user, LIMITS.contextText) || !optText(raw.device, LIMITS.contextText)) {
    return { ok: false, item: seen, problem: { reason: "too_long", max: LIMITS.contextText } };
  }
  return {
    ok: true,
    item: {
      sessionId,
      rowId,
      user: typeof raw.user === "string" ? raw.user : null,
      device: typeof raw.device === "string" ? raw.device : null,
    },
  };
}

function checkBinding(b) {
  if (b === undefined || b === null) return {};
  if (!isPlainObject(b) || !onlyKeys(b, ["rowKey"])) return null;
  if (b.rowKey === undefined) return {};
  return isBoundedString(b.rowKey, LIMITS.bindingKey) ? { rowKey: b.rowKey } : null;
}

const typeOnly = (type) => (msg) => (onlyKeys(msg, ["type"]) ? { type } : null);

/** Per message type: the normalised message, or null when it does not pass. */
export const VALIDATORS = Object.freeze({
  status: typeOnly("status"),
  openOptions: typeOnly("openOptions"),
  getSettings: typeOnly("getSettings"),
  bulkState: typeOnly("bulkState"),
  auditList: typeOnly("auditList"),
  auditClear: typeOnly("auditClear"),
  freshToken: typeOnly("freshToken"),
  drop(msg) {
    if (!onlyKeys(msg, ["type", "ref", "context", "binding"])) return null;
    const ref = checkRef(msg.ref);
    const context = checkContext(msg.context);
    const binding = checkBinding(msg.binding);
    if (!ref || !context || !binding) return null;
    return { type: "drop", ref, context, binding };
  },
  curl(msg) {
    if (!onlyKeys(msg, ["type", "ref"])) return null;
    const ref = checkRef(msg.ref);
    return ref ? { type: "curl", ref } : null;
  },
  testConnection(msg) {
    if (!onlyKeys(msg, ["type", "settings"])) return null;
    if (msg.settings === undefined || msg.settings === null) return { type: "testConnection" };
    const settings = checkSettings(msg.settings);
    return settings ? { type: "testConnection", settings } : null;
  },
  saveSettings(msg) {
    if (!onlyKeys(msg, ["type", "settings"])) return null;
    const settings = checkSettings(msg.settings);
    return settings ? { type: "saveSettings", settings } : null;
  },
  bulkStart(msg) {
    // Per item (docs/DESIGN.md §3): bad items are kept as { ok:false } for the run to report, the
    // rest run; beyond LIMITS.bulkMax items are skipped (reported). Only a message that is not a
    // list at all, or absurdly long, is refused whole.
    if (!onlyKeys(msg, ["type", "sessions", "concurrency"])) return null;
    if (!Array.isArray(msg.sessions) || msg.sessions.length < 1 || msg.sessions.length > LIMITS.bulkHardMax) return null;
    if (msg.concurrency !== undefined && msg.concurrency !== null
      && !isIntIn(msg.concurrency, LIMITS.concurrencyMin, LIMITS.concurrencyMax)) return null;
    const items = msg.sessions.map((raw, i) => (i < LIMITS.bulkMax ? checkBulkItem(raw) : { ok: false, skipped: true, item: checkBulkItem(raw).item }));
    const out = { type: "bulkStart", items };
    if (typeof msg.concurrency === "number") out.concurrency = msg.concurrency;
    return out;
  },
  confirmGet(msg) {
    if (!onlyKeys(msg, ["type", "id"]) || !isIntIn(msg.id, 1, Number.MAX_SAFE_INTEGER)) return null;
    return { type: "confirmGet", id: msg.id };
  },
  confirmAnswer(msg) {
    if (!onlyKeys(msg, ["type", "id", "yes"]) || !isIntIn(msg.id, 1, Number.MAX_SAFE_INTEGER)) return null;
    if (typeof msg.yes !== "boolean") return null;
    return { type: "confirmAnswer", id: msg.id, yes: msg.yes };
  },
});

/**
 * Validates one message for a sender class ("content" | "page").
 * Returns { ok:true, msg } with a fresh normalised message, or { ok:false }.
 */
export function validateMessage(msg, senderClass) {
  const bad = { ok: false };
  if (!isPlainObject(msg) || typeof msg.type !== "string") return bad;
  const allowed = senderClass === "content" ? CONTENT_TYPES : senderClass === "page" ? PAGE_TYPES : [];
  if (!allowed.includes(msg.type) || !Object.hasOwn(VALIDATORS, msg.type)) return bad;
  const out = VALIDATORS[msg.type](msg);
  return out ? { ok: true, msg: out } : bad;
}

function originOf(url) {
  try {
    const o = new URL(url).origin;
    return o && o !== "null" ? o : null;
  } catch {
    return null;
  }
}

/**
 * Classifies a runtime.onMessage / port sender.
 *  - "page": one of our own extension pages (sender.url under runtime.getURL("")).
 *  - "content": our content script in the TOP frame (frameId 0) of a tab whose URL origin equals
 *    the configured server origin.
 *  - "subframe": our content script in a frame of such a tab that is not the top one, or in a
 *    frame of the configured origin inside a tab of another origin (a framed console).
 *  - null: anything else (other extensions, other origins, no server configured).
 */
export function classifySender(sender, { runtimeId, extensionBase, serverOrigin }) {
  if (!sender || typeof sender !== "object") return null;
  if (!runtimeId || sender.id !== runtimeId) return null;
  const url = typeof sender.url === "string" ? sender.url : "";
  if (!url) return null;
  if (extensionBase && url.startsWith(extensionBase)) return "page";
  if (!sender.tab || typeof sender.tab !== "object" || !serverOrigin) return null;
  const senderOrigin = originOf(url);
  const wanted = originOf(serverOrigin);
  if (!senderOrigin || !wanted || senderOrigin !== wanted) return null;
  if (sender.frameId !== 0) return "subframe";
  // The top frame's URL is the tab's URL: when the browser tells it, it must agree.
  if (typeof sender.tab.url === "string" && sender.tab.url && originOf(sender.tab.url) !== wanted) return "subframe";
  return "content";
}

/** Dedupe key for a session reference (per appliance origin). */
export function refKey(origin, ref) {
  return `${origin}\n${ref.kind}:${ref.value}`;
}

/** The key identifying one session inside a bulk run (hash preferred). */
export function bulkKey(item) {
  return item.sessionId ? `hash:${item.sessionId}` : `row:${item.rowId}`;
}

/** Removes duplicates (same session) from a bulk list, keeping the first occurrence. */
export function dedupeBulk(items) {
  const seen = new Set();
  const out = [];
  for (const it of items) {
    const k = bulkKey(it);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(it);
  }
  return out;
}
