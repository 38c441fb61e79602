// Session Drop background (Chrome: module service worker; Firefox: module background script).
// The only place with secrets and network. Listeners are registered synchronously at the top level;
// there is no top-level await (a service worker refuses it): the wasm init starts at load and every
// handler awaits `ready`.

import init, { DropClient, checkServerUrl } from "./wasm/session_drop.js";
import {
  validateMessage, classifySender, invalidRequest, refKey, dedupeBulk, LIMITS, parseColumnTitles,
} from "./lib/protocol.js";
import { DEFAULTS, mergeSettings, STORED_KEYS, sanitizeStored, uiLang } from "./lib/settings.js";
import { makeAuditEntry, appendAudit, AUDIT_CAP } from "./lib/audit.js";
import { get, makeReport, plainReport, reportFromError, plainSession, summarize, withDeadline } from "./lib/report.js";
import { parseServerUrl } from "./lib/url.js";
import { CONTENT_SCRIPT } from "./lib/content-scripts.js";

// The wasm core starts loading before anything else, even before the first use of an extension
// API (Firefox builds each API namespace on first use): when a drop message wakes a stopped
// background, the core is what the DELETE waits for longest.
// The path is explicit (not the glue's `import.meta.url` default): the packaged background.js is
// one bundled file at the package root (xtask dist), the sources are separate modules.
let wasmError = null;
const ready = init({ module_or_path: new URL("./wasm/session_drop_bg.wasm", import.meta.url) }).then(
  () => true,
  (err) => {
    wasmError = err;
    console.error("Session Drop: the wasm core failed to load", err);
    return false;
  },
);

const api = globalThis.browser ?? globalThis.chrome;
// The core speaks the language of the extension's own strings (the locale the browser picked from
// _locales), so that a page never mixes languages; the UI language is the fallback.
const LANG = uiLang(api.i18n.getMessage("coreLang") || api.i18n.getUILanguage());
const EXT_BASE = api.runtime.getURL("");
const LIST_LIMIT_DEFAULT = 20000;
/** runtime.connect name of the content script's request port. */
const PORT_NAME = "session-drop";

function t(key, subs) {
  return api.i18n.getMessage(key, subs) || key;
}

// ---------------------------------------------------------------------------------------------
// Wasm core
// ---------------------------------------------------------------------------------------------

function coreFailed() {
  const detail = wasmError && wasmError.message ? wasmError.message : String(wasmError ?? "");
  return makeReport("unexpected", {
    title: t("errCoreTitle"),
    cause: t("errCoreCause", [detail || "?"]),
    fix: t("errCoreFix"),
  });
}

function unexpectedMessage() {
  return { title: t("errUnexpectedTitle"), cause: t("errUnexpectedCause"), fix: t("errUnexpectedFix") };
}

function notConfigured() {
  return makeReport("not_configured", {
    title: t("errNotConfiguredTitle"),
    cause: t("errNotConfiguredCause"),
    fix: t("errNotConfiguredFix"),
  });
}

function noPermission(origin) {
  return makeReport("no_permission", {
    title: t("errNoPermissionTitle"),
    cause: t("errNoPermissionCause", [origin]),
    fix: t("errNoPermissionFix"),
  });
}

function deadlineReport() {
  return makeReport("timeout", {
    title: t("errDeadlineTitle"),
    cause: t("errDeadlineCause"),
    fix: t("errDeadlineFix"),
  });
}

function invalidServerUrl(check) {
  const m = check && check.message;
  if (m && typeof m === "object" && (m.title || m.cause)) {
    return makeReport("invalid_config", { title: m.title || t("errServerUrlTitle"), cause: m.cause || "", fix: m.fix || t("errServerUrlFix") });
  }
  return makeReport("invalid_config", {
    title: t("errServerUrlTitle"),
    cause: typeof m === "string" && m ? m : t("errServerUrlCause"),
    fix: t("errServerUrlFix"),
  });
}

/** checkServerUrl through the core when it loaded, else the JS approximation. */
function checkUrl(url, wasmOk) {
  if (wasmOk) {
    try {
      const r = checkServerUrl(url, LANG);
      const m = get(r, "message");
      return {
        ok: get(r, "ok") === true,
        base: get(r, "base") ?? null,
        origin: get(r, "origin") ?? null,
        matchPattern: get(r, "matchPattern") ?? null,
        message: m && typeof m === "object"
          ? { title: String(get(m, "title") ?? ""), cause: String(get(m, "cause") ?? ""), fix: String(get(m, "fix") ?? "") }
          : m ?? null,
      };
    } catch (err) {
      return { ok: false, message: err && err.message ? err.message : String(err) };
    }
  }
  const p = parseServerUrl(url);
  return p.ok ? { ok: true, base: p.base, origin: p.origin, matchPattern: p.matchPattern } : { ok: false, message: null };
}

// ---------------------------------------------------------------------------------------------
// Storage: settings (storage.local), secrets (IndexedDB vault), managed, preset
// ---------------------------------------------------------------------------------------------

const DB_NAME = "session-drop";
const STORE = "vault";
const VAULT_KEY = "credentials";
// A snapshot of what the configuration is made of (saved settings, managed policy, preset, vault
// credentials) in storage.session: in memory only, trusted extension contexts only (never content
// scripts), gone when the browser or the extension restarts. A restarted background reads it in
// one call made at load instead of storage.local + storage.managed + preset.json + IndexedDB
// (Firefox's storage.local is IndexedDB too). Dropped on every change of those sources.
const CONFIG_SNAPSHOT = "configSnapshot";

// storage.session is for trusted contexts only: Chrome's default, made explicit before anything
// secret is written there (Firefox never exposes it to content scripts).
const sessionLocked = (async () => {
  try {
    await api.storage.session.setAccessLevel?.({ accessLevel: "TRUSTED_CONTEXTS" });
  } catch {
    // not supported: the default already excludes content scripts
  }
})();

// Read at load, in parallel with the wasm init: the configuration snapshot and the client state
// (token + remembered generation), for the first config and the first client of this instance.
const bootSession = api.storage.session.get(["clientState", CONFIG_SNAPSHOT]).catch(() => ({}));
let snapshotPrefetch = bootSession;
let snapshotGeneration = 0;

function openVault() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("IndexedDB blocked"));
  });
}

async function vaultGet() {
  const db = await openVault();
  try {
    return await new Promise((resolve, reject) => {
      const r = db.transaction(STORE, "readonly").objectStore(STORE).get(VAULT_KEY);
      r.onsuccess = () => resolve(r.result ?? null);
      r.onerror = () => reject(r.error);
    });
  } finally {
    db.close();
  }
}

async function vaultPut(value) {
  const db = await openVault();
  try {
    await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(value, VAULT_KEY);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("aborted"));
    });
  } finally {
    db.close();
  }
}

async function readManaged() {
  try {
    const m = await api.storage.managed.get(null);
    return m && typeof m === "object" ? m : {};
  } catch {
    return {}; // Firefox without a managed storage manifest, or no policy
  }
}

let presetPromise = null;
function readPreset() {
  presetPromise ??= fetch(api.runtime.getURL("preset.json"))
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null)
    .then((p) => (p && typeof p === "object" && !Array.isArray(p) ? p : null));
  return presetPromise;
}

async function fingerprint(parts) {
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---------------------------------------------------------------------------------------------
// Effective configuration and the client (re-created when anything changes)
// ---------------------------------------------------------------------------------------------

/** A promise made once and shared, made again after `reset()` or after it rejects. */
function shared(make) {
  let current = null;
  return {
    get() {
      if (!current) {
        const p = make();
        current = p;
        p.catch(() => {
          if (current === p) current = null;
        });
      }
      return current;
    },
    reset() {
      current = null;
    },
  };
}

const sharedConfig = shared(() => loadConfig());
const sharedClient = shared(() => createClient());
// The last session list (see handleListActive): { fp, at, total, activeCount, raw, plain }.
let listCache = null;
let listCacheTimer = null;
let clientStatePrefetch = bootSession;

function invalidate() {
  sharedConfig.reset();
  sharedClient.reset();
  forgetList();
}

function getConfig() {
  return sharedConfig.get();
}

function hasPermission(matchPattern) {
  return api.permissions.contains({ origins: [matchPattern] }).catch(() => false);
}

/** The settings, managed policy or vault changed: the snapshot no longer applies. */
function dropSnapshot() {
  snapshotGeneration++;
  snapshotPrefetch = null;
  api.storage.session.remove(CONFIG_SNAPSHOT).catch(() => {});
}

/**
 * -> { saved, managed, preset, vault }. The first configuration of this instance comes from the
 * snapshot read at load when there is one; any later one (something changed) from the stores,
 * which then replace the snapshot.
 */
async function readConfigSources() {
  const generation = snapshotGeneration;
  const prefetched = snapshotPrefetch;
  snapshotPrefetch = null;
  if (prefetched) {
    const snap = (await prefetched)?.[CONFIG_SNAPSHOT];
    if (generation === snapshotGeneration && snap && typeof snap === "object" && snap.version === 1) return snap;
  }
  let vaultOk = true;
  const [local, managed, preset, vault] = await Promise.all([
    api.storage.local.get("settings"),
    readManaged(),
    readPreset(),
    vaultGet().catch((err) => {
      console.error("Session Drop: cannot read the credential vault", err);
      vaultOk = false;
      return null;
    }),
  ]);
  const saved = local && local.settings && typeof local.settings === "object" ? local.settings : null;
  const sources = { version: 1, saved, managed, preset, vault };
  if (vaultOk && generation === snapshotGeneration) {
    sessionLocked
      .then(() => generation === snapshotGeneration && api.storage.session.set({ [CONFIG_SNAPSHOT]: sources }))
      .catch(() => {});
  }
  return sources;
}

async function loadConfig() {
  const { saved: savedOrNull, managed, preset, vault } = await readConfigSources();
  const saved = savedOrNull ?? undefined;
  const { settings, managedKeys, fromPreset } = mergeSettings({ saved, preset, vault, managed });
  const fpOf = (base) => fingerprint([base, settings.clientId, settings.clientSecret, settings.tokenAuth]);
  // The permission and the fingerprint need only the server's pattern and base: start them from
  // the JS reading of the URL now, while the core may still be loading; the core's check (the
  // authority, same rules) decides below and they are redone only if it disagrees.
  const early = settings.serverUrl ? parseServerUrl(settings.serverUrl) : null;
  const earlyPermission = early && early.ok ? hasPermission(early.matchPattern) : null;
  const earlyBase = early && early.ok ? early.base : "";
  const earlyFp = fpOf(earlyBase);
  const wasmOk = await ready;
  const check = settings.serverUrl ? checkUrl(settings.serverUrl, wasmOk) : null;
  const server = check && check.ok && check.origin && check.matchPattern ? check : null;
  const base = server ? server.base : "";
  const [permission, fp] = await Promise.all([
    !server ? false : earlyPermission && early.matchPattern === server.matchPattern ? earlyPermission : hasPermission(server.matchPattern),
    base === earlyBase ? earlyFp : fpOf(base),
  ]);
  return {
    settings,
    managedKeys,
    fromPreset,
    saved: saved ?? null,
    presetServerUrl: preset && typeof preset.serverUrl === "string" ? preset.serverUrl : "",
    server,
    check,
    permission,
    configured: !!(server && settings.clientId && settings.clientSecret),
    fingerprint: fp,
  };
}

function clientOptions(s) {
  return {
    serverUrl: s.serverUrl,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    generation: s.generation,
    timeoutMs: s.timeoutMs,
    tokenAuth: s.tokenAuth,
    lang: LANG,
  };
}

function getClient() {
  return sharedClient.get();
}

/** -> { client, cfg } or { error: Report-like } */
async function createClient() {
  const cfg = await getConfig();
  if (!(await ready)) return { error: coreFailed(), cfg };
  if (!cfg.configured) return { error: notConfigured(), cfg };
  let client;
  try {
    client = new DropClient(clientOptions(cfg.settings));
  } catch (err) {
    return { error: reportFromError(err, unexpectedMessage()), cfg };
  }
  try {
    // The first client of this worker uses the read started at load (saves a round trip when cold).
    const pending = clientStatePrefetch;
    clientStatePrefetch = null;
    const { clientState } = (await pending) ?? (await api.storage.session.get("clientState"));
    if (clientState && clientState.fp === cfg.fingerprint && clientState.state) client.restoreState(clientState.state);
  } catch (err) {
    console.warn("Session Drop: could not restore the client state", err);
  }
  return { client, cfg };
}

/** Client ready to talk to the appliance, or a Report-like error. */
async function usableClient() {
  const entry = await getClient();
  if (entry.error) return entry;
  if (!entry.cfg.permission) return { error: noPermission(entry.cfg.server.origin), cfg: entry.cfg };
  return entry;
}

function plainState(st) {
  const token = get(st, "token");
  return {
    token: token
      ? { accessToken: String(get(token, "accessToken") ?? ""), expiresAtMs: Number(get(token, "expiresAtMs") ?? 0) }
      : null,
    generation: get(st, "generation") ?? null,
  };
}

// Coalesced: many drops finishing together write storage.session once; an unchanged state (the
// same token and generation, i.e. almost every drop of a bulk run) is not written again.
let pendingState = null;
let stateTimer = null;
let lastStateJson = null;
function persistClientState(entry) {
  let json;
  try {
    pendingState = { fp: entry.cfg.fingerprint, state: plainState(entry.client.state()) };
    json = JSON.stringify(pendingState);
  } catch {
    return;
  }
  if (json === lastStateJson && !stateTimer) {
    pendingState = null;
    return;
  }
  lastStateJson = json;
  if (stateTimer) return;
  stateTimer = setTimeout(() => {
    stateTimer = null;
    const value = pendingState;
    pendingState = null;
    if (value) api.storage.session.set({ clientState: value }).catch(() => {});
  }, 0);
}

function callDeadline(cfg, factor) {
  return cfg.settings.timeoutMs * factor + 1000;
}

// ---------------------------------------------------------------------------------------------
// Audit trail (storage.local "audit", capped, oldest evicted)
// ---------------------------------------------------------------------------------------------

let auditCache = null;
let auditPending = [];
let auditTimer = null;
let auditChain = Promise.resolve();

function recordAudit(entry) {
  auditPending.push(entry);
  if (auditTimer) return;
  // During a bulk run, batch the writes (the list is rewritten whole each time).
  const delay = currentRun && currentRun.running ? 1000 : 0;
  auditTimer = setTimeout(() => {
    auditTimer = null;
    flushAudit();
  }, delay);
}

function flushAudit() {
  auditChain = auditChain
    .then(async () => {
      if (!auditCache) {
        const got = await api.storage.local.get("audit");
        auditCache = Array.isArray(got.audit) ? got.audit : [];
      }
      if (!auditPending.length) return;
      const batch = auditPending;
      auditPending = [];
      auditCache = appendAudit(auditCache, batch, AUDIT_CAP);
      await api.storage.local.set({ audit: auditCache });
    })
    .catch((err) => console.error("Session Drop: audit write failed", err));
  return auditChain;
}

// ---------------------------------------------------------------------------------------------
// Drop (deduplicated while in flight)
// ---------------------------------------------------------------------------------------------

const inflight = new Map();

function dropVia(entry, ref, context, source, runId) {
  const key = refKey(entry.cfg.server.origin, ref);
  const existing = inflight.get(key);
  if (existing) return existing;
  const p = runDrop(entry, ref, context, source, runId).finally(() => {
    if (inflight.get(key) === p) inflight.delete(key);
  });
  inflight.set(key, p);
  return p;
}

async function runDrop(entry, ref, context, source, runId) {
  const { client, cfg } = entry;
  forgetList(); // a list fetched before this drop may still show the session
  let report;
  try {
    report = plainReport(
      await withDeadline(client.drop({ kind: ref.kind, value: ref.value }), callDeadline(cfg, 7), deadlineReport),
      unexpectedMessage(),
    );
  } catch (err) {
    report = reportFromError(err, unexpectedMessage());
  }
  persistClientState(entry);
  recordAudit(makeAuditEntry({ appliance: cfg.server.origin, ref, report, context, source, runId }));
  return report;
}

async function handleDrop(ref, context, source) {
  const entry = await usableClient();
  if (entry.error) return entry.error;
  return dropVia(entry, ref, context, source, null);
}

// ---------------------------------------------------------------------------------------------
// Bulk runs
// ---------------------------------------------------------------------------------------------

let currentRun = null;
let runPersistTimer = null;
let keepAliveTimer = null;

function runView(run) {
  return {
    id: run.id,
    appliance: run.appliance,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    running: run.running,
    interrupted: run.interrupted,
    total: run.total,
    done: run.done,
    concurrency: run.concurrency,
    error: run.error,
    results: run.results,
    summary: summarize(run.results),
  };
}

function persistRunNow() {
  if (runPersistTimer) {
    clearTimeout(runPersistTimer);
    runPersistTimer = null;
  }
  if (!currentRun) return Promise.resolve();
  return api.storage.session.set({ bulkRun: runView(currentRun) }).catch(() => {});
}

function schedulePersistRun() {
  if (runPersistTimer) return;
  runPersistTimer = setTimeout(() => {
    runPersistTimer = null;
    persistRunNow();
  }, 250);
}

function newRunId() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const rnd = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, "0")).join("");
  return `run-${stamp}-${rnd}`;
}

function resultLine(item, report) {
  return {
    sessionId: report.sessionId ?? item.sessionId,
    rowId: report.rowId ?? item.rowId,
    user: item.user,
    device: item.device,
    ok: report.ok,
    kind: report.kind,
    status: report.status,
    message: report.message,
  };
}

async function ensureToken(entry) {
  try {
    const st = plainState(entry.client.state());
    if (st.token && st.token.accessToken && st.token.expiresAtMs - Date.now() > 60000) return null;
  } catch {
    // fall through: fetch a token
  }
  let report;
  try {
    report = plainReport(
      await withDeadline(entry.client.testConnection(), callDeadline(entry.cfg, 2), deadlineReport),
      unexpectedMessage(),
    );
  } catch (err) {
    report = reportFromError(err, unexpectedMessage());
  }
  persistClientState(entry);
  return report.ok ? null : report;
}

async function handleBulkStart({ sessions, concurrency }) {
  if (currentRun && currentRun.running) {
    return makeReport("bulk_running", { title: t("errBulkRunningTitle"), cause: t("errBulkRunningCause"), fix: t("errBulkRunningFix") });
  }
  const entry = await usableClient();
  if (entry.error) return entry.error;
  const { cfg } = entry;
  const items = dedupeBulk(sessions);
  let conc = cfg.managedKeys.includes("bulkConcurrency")
    ? cfg.settings.bulkConcurrency
    : concurrency ?? cfg.settings.bulkConcurrency ?? 4;
  conc = Math.min(LIMITS.concurrencyMax, Math.max(LIMITS.concurrencyMin, conc | 0 || 4));
  const run = {
    id: newRunId(),
    appliance: cfg.server.origin,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    running: true,
    interrupted: false,
    total: items.length,
    done: 0,
    concurrency: conc,
    error: null,
    results: [],
  };
  currentRun = run;
  await persistRunNow();
  executeRun(run, items, entry).catch((err) => console.error("Session Drop: bulk run failed", err));
  return { ok: true, run: runView(run) };
}

async function executeRun(run, items, entry) {
  keepAliveTimer ??= setInterval(() => api.runtime.getPlatformInfo().catch(() => {}), 20000);
  try {
    const failure = await ensureToken(entry);
    if (failure) {
      run.error = failure.message;
      for (const item of items) {
        const ref = item.sessionId ? { kind: "hash", value: item.sessionId } : { kind: "row", value: item.rowId };
        run.results.push(resultLine(item, failure));
        run.done++;
        recordAudit(makeAuditEntry({
          appliance: run.appliance, ref, report: failure, context: item, source: "bulk", runId: run.id,
        }));
      }
      return;
    }
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++];
        const ref = item.sessionId ? { kind: "hash", value: item.sessionId } : { kind: "row", value: item.rowId };
        let report;
        try {
          report = await dropVia(entry, ref, { user: item.user, device: item.device }, "bulk", run.id);
        } catch (err) {
          report = reportFromError(err, unexpectedMessage());
        }
        run.results.push(resultLine(item, report));
        run.done++;
        schedulePersistRun();
      }
    };
    await Promise.all(Array.from({ length: Math.min(run.concurrency, items.length) }, worker));
  } finally {
    await flushAudit();
    run.running = false;
    run.finishedAt = new Date().toISOString();
    await persistRunNow();
    if (keepAliveTimer) {
      clearInterval(keepAliveTimer);
      keepAliveTimer = null;
    }
  }
}

async function handleBulkState() {
  if (currentRun) return { ok: true, run: runView(currentRun) };
  await runRestored;
  if (currentRun) return { ok: true, run: runView(currentRun) };
  try {
    const { bulkRun } = await api.storage.session.get("bulkRun");
    return { ok: true, run: bulkRun ?? null };
  } catch {
    return { ok: true, run: null };
  }
}

// A run stored as running by a previous background instance was cut short (worker stopped).
async function restoreRun() {
  try {
    const { bulkRun } = await api.storage.session.get("bulkRun");
    if (currentRun || !bulkRun || !bulkRun.running) return;
    bulkRun.running = false;
    bulkRun.interrupted = true;
    bulkRun.finishedAt = new Date().toISOString();
    await api.storage.session.set({ bulkRun });
  } catch {
    // storage.session unavailable: nothing to restore
  }
}

// ---------------------------------------------------------------------------------------------
// Other handlers
// ---------------------------------------------------------------------------------------------

// The last list, whole, kept a few seconds: the popup asks for its first page (`limit`) to paint
// at once, then for the rest with `cached: true`, answered from here instead of a second download
// of the appliance's list (tens of MB on a big appliance). Forgotten at any drop and at any
// configuration change; the sessions are copied to plain objects only when sent.
const LIST_CACHE_MS = 15000;

function forgetList() {
  listCache = null;
  if (listCacheTimer) {
    clearTimeout(listCacheTimer);
    listCacheTimer = null;
  }
}

function listAnswer(c, limit) {
  const n = Math.min(limit, c.raw.length);
  while (c.plain.length < n) c.plain.push(plainSession(c.raw[c.plain.length]));
  return { ok: true, total: c.total, activeCount: c.activeCount, sessions: c.plain.slice(0, n) };
}

async function handleListActive(limit, cached) {
  const entry = await usableClient();
  if (entry.error) return entry.error;
  const want = limit ?? LIST_LIMIT_DEFAULT;
  if (cached && listCache && listCache.fp === entry.cfg.fingerprint && Date.now() - listCache.at < LIST_CACHE_MS) {
    return listAnswer(listCache, want);
  }
  let res;
  try {
    res = await withDeadline(
      // At least the default count, so that a follow-up `cached` request can be answered.
      entry.client.listActive({ limit: Math.max(want, LIST_LIMIT_DEFAULT) }),
      callDeadline(entry.cfg, 5),
      deadlineReport,
    );
  } catch (err) {
    return reportFromError(err, unexpectedMessage());
  }
  persistClientState(entry);
  if (get(res, "ok") === true) {
    const list = get(res, "sessions");
    const raw = Array.isArray(list) ? list : [];
    forgetList();
    listCache = {
      fp: entry.cfg.fingerprint,
      at: Date.now(),
      total: Number(get(res, "total") ?? raw.length),
      activeCount: Number(get(res, "activeCount") ?? raw.length),
      raw,
      plain: [],
    };
    listCacheTimer = setTimeout(forgetList, LIST_CACHE_MS);
    return listAnswer(listCache, want);
  }
  return plainReport(res, unexpectedMessage());
}

async function handleTestConnection(formSettings) {
  if (!(await ready)) return coreFailed();
  const cfg = await getConfig();
  if (!formSettings) {
    const entry = await usableClient();
    if (entry.error) return entry.error;
    return testWith(entry);
  }
  // Test what the form holds (not saved yet). Managed values still win; an empty secret means "the stored one".
  const s = { ...cfg.settings };
  for (const [k, v] of Object.entries(formSettings)) {
    if (cfg.managedKeys.includes(k)) continue;
    if (k === "clientSecret" && v === "") continue;
    s[k] = v;
  }
  const check = s.serverUrl ? checkUrl(s.serverUrl, true) : null;
  if (!check) return notConfigured();
  if (!check.ok) return invalidServerUrl(check);
  if (!s.clientId || !s.clientSecret) return notConfigured();
  let permission = false;
  try {
    permission = await api.permissions.contains({ origins: [check.matchPattern] });
  } catch {
    permission = false;
  }
  if (!permission) return noPermission(check.origin);
  const fp = await fingerprint([check.base, s.clientId, s.clientSecret, s.tokenAuth]);
  if (fp === cfg.fingerprint && s.generation === cfg.settings.generation && s.timeoutMs === cfg.settings.timeoutMs) {
    const entry = await usableClient();
    if (!entry.error) return testWith(entry);
  }
  let client;
  try {
    client = new DropClient(clientOptions(s));
  } catch (err) {
    return reportFromError(err, unexpectedMessage());
  }
  return testWith({ client, cfg: { ...cfg, settings: s, fingerprint: fp } }, false);
}

async function testWith(entry, persist = true) {
  let report;
  try {
    report = plainReport(
      await withDeadline(entry.client.testConnection(), callDeadline(entry.cfg, 2), deadlineReport),
      unexpectedMessage(),
    );
  } catch (err) {
    report = reportFromError(err, unexpectedMessage());
  }
  if (persist) persistClientState(entry);
  return report;
}

function settingsView(cfg) {
  const s = cfg.settings;
  const managed = {};
  for (const k of cfg.managedKeys) managed[k] = true;
  return {
    ok: true,
    settings: {
      serverUrl: s.serverUrl,
      clientId: s.clientId,
      generation: s.generation,
      timeoutMs: s.timeoutMs,
      askBeforeTerminate: s.askBeforeTerminate,
      bulkConcurrency: s.bulkConcurrency,
      tokenAuth: s.tokenAuth,
    },
    hasSecret: !!s.clientSecret,
    managed,
    fromPreset: cfg.fromPreset,
    configured: cfg.configured,
    permission: cfg.permission,
    matchPattern: cfg.server ? cfg.server.matchPattern : null,
    origin: cfg.server ? cfg.server.origin : null,
    lang: LANG,
  };
}

/** The options' extra column titles, parsed for the content script (an invalid value gives none). */
function columnTitlesOf(cfg) {
  const parsed = parseColumnTitles((cfg && cfg.settings.columnTitles) || "");
  return parsed.ok ? parsed.titles : {};
}

async function handleGetSettings() {
  return settingsView(await getConfig());
}

async function handleSaveSettings(input) {
  const wasmOk = await ready;
  const cfg = await getConfig();
  const locked = new Set(cfg.managedKeys);
  // Start from what is saved (or the effective values when nothing was saved yet).
  const stored = { ...DEFAULTS, ...sanitizeStored(cfg.saved ?? { serverUrl: cfg.presetServerUrl }) };
  for (const k of STORED_KEYS) {
    if (input[k] === undefined || locked.has(k)) continue;
    stored[k] = input[k];
  }
  if (input.serverUrl !== undefined && !locked.has("serverUrl")) {
    if (input.serverUrl === "") {
      stored.serverUrl = "";
    } else {
      const check = checkUrl(input.serverUrl, wasmOk);
      if (!check.ok) return invalidServerUrl(check);
      stored.serverUrl = check.base || input.serverUrl;
    }
  }
  let vault = null;
  try {
    vault = await vaultGet();
  } catch {
    vault = null;
  }
  const creds = { clientId: (vault && vault.clientId) || "", clientSecret: (vault && vault.clientSecret) || "" };
  let credsChanged = false;
  if (input.clientId !== undefined && !locked.has("clientId") && input.clientId !== creds.clientId) {
    creds.clientId = input.clientId;
    credsChanged = true;
  }
  if (typeof input.clientSecret === "string" && input.clientSecret !== "" && !locked.has("clientSecret")) {
    creds.clientSecret = input.clientSecret;
    credsChanged = true;
  }
  try {
    if (credsChanged) await vaultPut(creds);
    await api.storage.local.set({ settings: stored });
  } catch (err) {
    return reportFromError(err, { title: t("errSaveTitle"), cause: t("errSaveCause"), fix: t("errSaveFix") });
  }
  dropSnapshot();
  invalidate();
  await syncRegistration();
  return settingsView(await getConfig());
}

async function handleCurl(ref) {
  const entry = await getClient();
  if (entry.error) return entry.error;
  try {
    return { ok: true, curl: String(entry.client.curl({ kind: ref.kind, value: ref.value }, true)) };
  } catch (err) {
    return reportFromError(err, unexpectedMessage());
  }
}

async function handleAuditList() {
  await flushAudit();
  return { ok: true, entries: auditCache ? auditCache.slice() : [] };
}

async function handleAuditClear() {
  await flushAudit();
  auditChain = auditChain.then(async () => {
    auditCache = [];
    await api.storage.local.set({ audit: [] });
  });
  await auditChain;
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Content script registration (no baked server: dynamic, for the saved server's pattern)
// ---------------------------------------------------------------------------------------------

let regChain = Promise.resolve();

function syncRegistration() {
  regChain = regChain.then(doSyncRegistration).catch((err) => {
    console.error("Session Drop: content script registration failed", err);
  });
  return regChain;
}

async function doSyncRegistration() {
  if (!api.scripting || !api.scripting.registerContentScripts) return;
  const cfg = await getConfig();
  const wanted = cfg.server && cfg.permission ? cfg.server.matchPattern : null;
  const manifest = api.runtime.getManifest();
  const staticPatterns = (manifest.content_scripts || []).flatMap((c) => c.matches || []);
  const target = wanted && !staticPatterns.includes(wanted) ? wanted : null;
  let existing = [];
  try {
    existing = await api.scripting.getRegisteredContentScripts({ ids: [CONTENT_SCRIPT.id] });
  } catch {
    existing = [];
  }
  const cur = existing && existing[0];
  const same = cur && target
    && JSON.stringify(cur.matches || []) === JSON.stringify([target])
    && JSON.stringify(cur.js || []) === JSON.stringify(CONTENT_SCRIPT.js);
  if (same) return;
  if (cur) await api.scripting.unregisterContentScripts({ ids: [CONTENT_SCRIPT.id] });
  if (!target) return;
  const reg = {
    id: CONTENT_SCRIPT.id,
    matches: [target],
    js: [...CONTENT_SCRIPT.js],
    css: [...CONTENT_SCRIPT.css],
    runAt: CONTENT_SCRIPT.runAt,
    allFrames: CONTENT_SCRIPT.allFrames,
    persistAcrossSessions: true,
  };
  try {
    await api.scripting.registerContentScripts([reg]);
  } catch (err) {
    // Older engines without persistence: we re-register at every start anyway.
    reg.persistAcrossSessions = false;
    await api.scripting.registerContentScripts([reg]);
  }
  await injectIntoOpenTabs(target, cfg.server.origin);
}

// Newly registered: also decorate console tabs that are already open ("takes effect at once").
async function injectIntoOpenTabs(pattern, origin) {
  let tabs = [];
  try {
    tabs = await api.tabs.query({ url: pattern });
  } catch {
    return;
  }
  for (const tab of tabs) {
    if (typeof tab.id !== "number") continue;
    try {
      if (tab.url && new URL(tab.url).origin !== origin) continue;
    } catch {
      continue;
    }
    const target = { tabId: tab.id, allFrames: true };
    api.scripting.insertCSS({ target, files: [...CONTENT_SCRIPT.css] }).catch(() => {});
    api.scripting.executeScript({ target, files: [...CONTENT_SCRIPT.js] }).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

async function handleMessage(raw, sender) {
  let cfg = null;
  try {
    cfg = await getConfig();
  } catch (err) {
    console.error("Session Drop: cannot load settings", err);
  }
  const senderClass = classifySender(sender, {
    runtimeId: api.runtime.id,
    extensionBase: EXT_BASE,
    serverOrigin: cfg && cfg.server ? cfg.server.origin : null,
  });
  if (!senderClass) return invalidRequest();
  const v = validateMessage(raw, senderClass);
  if (!v.ok) return invalidRequest();
  const msg = v.msg;
  switch (msg.type) {
    case "status":
      return {
        configured: !!(cfg && cfg.configured),
        askBeforeTerminate: !!(cfg && cfg.settings.askBeforeTerminate),
        lang: LANG,
        columnTitles: columnTitlesOf(cfg),
      };
    case "openOptions":
      await api.runtime.openOptionsPage();
      return { ok: true };
    case "drop":
      return handleDrop(msg.ref, msg.context, senderClass === "content" ? "console" : "popup");
    case "testConnection":
      return handleTestConnection(msg.settings);
    case "saveSettings":
      return handleSaveSettings(msg.settings);
    case "getSettings":
      return handleGetSettings();
    case "listActive":
      return handleListActive(msg.limit, msg.cached === true);
    case "bulkStart":
      return handleBulkStart(msg);
    case "bulkState":
      return handleBulkState();
    case "auditList":
      return handleAuditList();
    case "auditClear":
      return handleAuditClear();
    case "curl":
      return handleCurl(msg.ref);
    default:
      return invalidRequest();
  }
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  handleMessage(msg, sender).then(
    (answer) => sendResponse(answer),
    (err) => {
      console.error("Session Drop: message handler failed", err);
      sendResponse(reportFromError(err, unexpectedMessage()));
    },
  );
  return true; // answer asynchronously
});

// The console's content script sends its drops over a short-lived port (opened when the pointer
// reaches a button): one message each way instead of a new channel per call. Same protocol, same
// checks: every request is `{ id, msg }` with `msg` as for sendMessage and `port.sender` as the
// sender; the answer is `{ id, answer }`.
api.runtime.onConnect.addListener((port) => {
  if (port.name !== PORT_NAME) {
    port.disconnect();
    return;
  }
  port.onMessage.addListener((request) => {
    const id = request && typeof request === "object" ? request.id : undefined;
    if (!Number.isSafeInteger(id)) return;
    const reply = (answer) => {
      try {
        port.postMessage({ id, answer });
      } catch {
        // the page went away: nobody to answer
      }
    };
    handleMessage(request.msg, port.sender).then(reply, (err) => {
      console.error("Session Drop: message handler failed", err);
      reply(reportFromError(err, unexpectedMessage()));
    });
  });
});

api.storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || (area === "local" && changes.settings)) {
    dropSnapshot();
    invalidate();
    syncRegistration();
  }
});

api.permissions.onAdded.addListener(() => {
  invalidate();
  syncRegistration();
});
api.permissions.onRemoved.addListener(() => {
  invalidate();
  syncRegistration();
});

api.runtime.onInstalled.addListener(() => syncRegistration());
api.runtime.onStartup.addListener(() => syncRegistration());

const runRestored = restoreRun();
// The registration check of every start is only a safety net (install, browser start and every
// change of settings or permissions run it at once, above): it waits until a drop that woke this
// background has gone out.
setTimeout(() => syncRegistration(), 1000);
// The client a drop needs (config, core, restored token) is made now rather than when the first
// message arrives: a drop that wakes this background finds it ready or nearly so.
getClient().catch(() => {});
