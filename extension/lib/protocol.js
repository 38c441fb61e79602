// Message protocol between the content scripts / extension pages and the background.
// Pure module (no browser APIs): imported by background.js, tested with node:test.
//
// DESIGN.md §3: content scripts may send `status`, `drop`, `openOptions`; extension pages may send
// the page types below. Anything else, or a malformed payload -> { ok:false, kind:"invalid_request" }.

export const CONTENT_TYPES = Object.freeze(["status", "drop", "openOptions"]);
export const PAGE_TYPES = Object.freeze([
  "testConnection", "saveSettings", "getSettings", "listActive", "drop",
  "bulkStart", "bulkState", "auditList", "auditClear", "curl",
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
  listLimitMax: 200000,
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

function checkContext(ctx) {
  if (ctx === undefined || ctx === null) return {};
  if (!isPlainObject(ctx) || !onlyKeys(ctx, ["user", "device"])) return null;
  if (!optText(ctx.user, LIMITS.contextText) || !optText(ctx.device, LIMITS.contextText)) return null;
  const out = {};
  if (typeof ctx.user === "string" && ctx.user !== "") out.user = ctx.user;
  if (typeof ctx.device === "string" && ctx.device !== "") out.device = ctx.device;
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

function checkBulkSession(item) {
  if (!isPlainObject(item) || !onlyKeys(item, ["sessionId", "rowId", "user", "device"])) return null;
  let sessionId = null;
  let rowId = null;
  if (item.sessionId !== undefined && item.sessionId !== null && item.sessionId !== "") {
    if (!checkRef({ kind: "hash", value: item.sessionId })) return null;
    sessionId = item.sessionId;
  }
  if (item.rowId !== undefined && item.rowId !== null && item.rowId !== "") {
    const r = typeof item.rowId === "number" && Number.isSafeInteger(item.rowId) && item.rowId >= 0
      ? String(item.rowId) : item.rowId;
    if (typeof r !== "string" || !ROW_ID.test(r)) return null;
    rowId = r;
  }
  if (sessionId === null && rowId === null) return null;
  if (!optText(item.user, LIMITS.contextText) || !optText(item.device, LIMITS.contextText)) return null;
  return {
    sessionId,
    rowId,
    user: typeof item.user === "string" ? item.user : null,
    device: typeof item.device === "string" ? item.device : null,
  };
}

/**
 * Validates one message for a sender class ("content" | "page").
 * Returns { ok:true, msg } with a fresh normalised message, or { ok:false }.
 */
export function validateMessage(msg, senderClass) {
  const bad = { ok: false };
  if (!isPlainObject(msg) || typeof msg.type !== "string") return bad;
  const allowed = senderClass === "content" ? CONTENT_TYPES : senderClass === "page" ? PAGE_TYPES : [];
  if (!allowed.includes(msg.type)) return bad;
  const type = msg.type;
  switch (type) {
    case "status":
    case "openOptions":
    case "getSettings":
    case "bulkState":
    case "auditList":
    case "auditClear":
      return onlyKeys(msg, ["type"]) ? { ok: true, msg: { type } } : bad;
    case "drop": {
      if (!onlyKeys(msg, ["type", "ref", "context"])) return bad;
      const ref = checkRef(msg.ref);
      const context = checkContext(msg.context);
      if (!ref || !context) return bad;
      return { ok: true, msg: { type, ref, context } };
    }
    case "curl": {
      if (!onlyKeys(msg, ["type", "ref"])) return bad;
      const ref = checkRef(msg.ref);
      return ref ? { ok: true, msg: { type, ref } } : bad;
    }
    case "listActive": {
      // cached: true = may be answered from the list fetched by the previous listActive (a few
      // seconds old at most, none of our drops since), without a new download.
      if (!onlyKeys(msg, ["type", "limit", "cached"])) return bad;
      if (msg.limit !== undefined && !isIntIn(msg.limit, 1, LIMITS.listLimitMax)) return bad;
      if (msg.cached !== undefined && typeof msg.cached !== "boolean") return bad;
      const out = { type };
      if (msg.limit !== undefined) out.limit = msg.limit;
      if (msg.cached === true) out.cached = true;
      return { ok: true, msg: out };
    }
    case "testConnection": {
      if (!onlyKeys(msg, ["type", "settings"])) return bad;
      if (msg.settings === undefined || msg.settings === null) return { ok: true, msg: { type } };
      const settings = checkSettings(msg.settings);
      return settings ? { ok: true, msg: { type, settings } } : bad;
    }
    case "saveSettings": {
      if (!onlyKeys(msg, ["type", "settings"])) return bad;
      const settings = checkSettings(msg.settings);
      return settings ? { ok: true, msg: { type, settings } } : bad;
    }
    case "bulkStart": {
      if (!onlyKeys(msg, ["type", "sessions", "concurrency"])) return bad;
      if (!Array.isArray(msg.sessions) || msg.sessions.length < 1 || msg.sessions.length > LIMITS.bulkMax) return bad;
      if (msg.concurrency !== undefined && msg.concurrency !== null
        && !isIntIn(msg.concurrency, LIMITS.concurrencyMin, LIMITS.concurrencyMax)) return bad;
      const sessions = [];
      for (const item of msg.sessions) {
        const s = checkBulkSession(item);
        if (!s) return bad;
        sessions.push(s);
      }
      const out = { type, sessions };
      if (typeof msg.concurrency === "number") out.concurrency = msg.concurrency;
      return { ok: true, msg: out };
    }
    default:
      return bad;
  }
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
 * Classifies a runtime.onMessage sender.
 *  - "page": one of our own extension pages (sender.url under runtime.getURL("")).
 *  - "content": our content script in a tab whose URL origin equals the configured server origin.
 *  - null: anything else (other extensions, other origins, no server configured).
 */
export function classifySender(sender, { runtimeId, extensionBase, serverOrigin }) {
  if (!sender || typeof sender !== "object") return null;
  if (!runtimeId || sender.id !== runtimeId) return null;
  const url = typeof sender.url === "string" ? sender.url : "";
  if (!url) return null;
  if (extensionBase && url.startsWith(extensionBase)) return "page";
  if (!sender.tab || !serverOrigin) return null;
  const senderOrigin = originOf(url);
  const wanted = originOf(serverOrigin);
  if (!senderOrigin || !wanted) return null;
  return senderOrigin === wanted ? "content" : null;
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
