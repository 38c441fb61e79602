// Harness for background.js under node: fake browser APIs, a fake IndexedDB and a fake wasm module
// implementing the DESIGN.md §2 API surface (behaviour scripted per test through globalThis.__fakeCore).
import { mkdtempSync, mkdirSync, cpSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EXT } from "./helpers.mjs";

const FAKE_WASM = `
const core = () => globalThis.__fakeCore;
export default async function init() {
  if (core().initGate) await core().initGate;
  if (core().initError) throw core().initError;
}
export function checkServerUrl(s) {
  try {
    const u = new URL(String(s).trim());
    if (u.search || u.hash || u.username) throw new Error("bad");
    if (u.protocol !== "https:" && !(u.protocol === "http:" && ["127.0.0.1", "localhost"].includes(u.hostname))) throw new Error("https");
    return { ok: true, base: (u.origin + u.pathname).replace(/\\/+$/, ""), origin: u.origin, matchPattern: u.protocol + "//" + u.hostname + "/*" };
  } catch (e) {
    return { ok: false, message: { title: "Invalid server URL", cause: e.message, fix: "Fix it" } };
  }
}
export function checkSessionRef() { return { ok: true }; }
export class DropClient {
  constructor(cfg) {
    if (!cfg.clientSecret) throw { ok: false, kind: "invalid_config", message: { title: "Bad config", cause: "", fix: "" } };
    this.cfg = cfg;
    this.st = { token: null, generation: null };
    core().clients.push(this);
  }
  setLang(l) { this.cfg.lang = l; }
  restoreState(s) { this.st = JSON.parse(JSON.stringify(s)); core().restored.push(s); }
  state() { return this.st; }
  async drop(ref) { return core().drop(ref, this); }
  async resolve(id) { return core().drop({ kind: "row", value: id }, this); }
  async listActive(opts) { return core().listActive(opts, this); }
  async testConnection() { return core().testConnection(this); }
  curl(ref, redact) { return "curl -X DELETE https://x/" + ref.value + (redact ? " -H 'Authorization: Bearer <redacted>'" : ""); }
}
`;

let root = null;
function prepare() {
  if (root) return root;
  root = mkdtempSync(join(tmpdir(), "session-drop-bg-"));
  const dir = root;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  cpSync(join(EXT, "background.js"), join(root, "background.js"));
  cpSync(join(EXT, "lib"), join(root, "lib"), { recursive: true });
  mkdirSync(join(root, "wasm"));
  writeFileSync(join(root, "wasm", "session_drop.js"), FAKE_WASM);
  return root;
}

export function report(kind, extra = {}) {
  const ok = ["dropped", "connected", "resolved"].includes(kind);
  return { ok, kind, status: null, next: ok ? "done" : "report", sessionId: null, rowId: null, generation: null, attempts: 1,
    tokenRenewed: false, serverMessage: null, message: { title: `T:${kind}`, cause: `C:${kind}`, fix: `F:${kind}` }, ...extra };
}

class Event {
  constructor() { this.listeners = []; }
  addListener(f) { this.listeners.push(f); }
  fire(...a) { for (const f of this.listeners) f(...a); }
}

function storageArea(onChanged, name, initial = {}) {
  const data = structuredClone(initial);
  return {
    data,
    async get(keys) {
      if (keys == null) return structuredClone(data);
      const list = typeof keys === "string" ? [keys] : Array.isArray(keys) ? keys : Object.keys(keys);
      const out = {};
      for (const k of list) if (k in data) out[k] = structuredClone(data[k]);
      return out;
    },
    async set(obj) {
      const changes = {};
      for (const [k, v] of Object.entries(obj)) {
        changes[k] = { oldValue: data[k], newValue: structuredClone(v) };
        data[k] = structuredClone(v);
      }
      onChanged.fire(changes, name);
    },
    async remove(k) { delete data[k]; },
  };
}

function fakeIndexedDB() {
  const dbs = new Map();
  const later = (f) => setTimeout(f, 0);
  const self = {
    dbs,
    opens: 0,
    open(name) {
      self.opens++;
      const req = {};
      later(() => {
        let db = dbs.get(name);
        const isNew = !db;
        if (!db) { db = new Map(); dbs.set(name, db); }
        const handle = {
          objectStoreNames: { contains: (s) => db.has(s) },
          createObjectStore: (s) => { db.set(s, new Map()); },
          close() {},
          transaction(store) {
            const tx = {};
            tx.objectStore = () => ({
              get(key) {
                const r = {};
                later(() => { r.result = structuredClone(db.get(store).get(key)); r.onsuccess && r.onsuccess(); });
                return r;
              },
              put(value, key) {
                db.get(store).set(key, structuredClone(value));
                later(() => tx.oncomplete && tx.oncomplete());
                return {};
              },
            });
            return tx;
          },
        };
        req.result = handle;
        if (isNew && req.onupgradeneeded) req.onupgradeneeded();
        req.onsuccess && req.onsuccess();
      });
      return req;
    },
  };
  return self;
}

/**
 * Loads a fresh background.js instance.
 * @param {object} o { managed, local, preset, vault, permission, uiLanguage, core }
 */
let seq = 0;
export async function loadBackground(o = {}) {
  const dir = prepare();
  const onChanged = new Event();
  const onMessage = new Event();
  const onConnect = new Event();
  const calls = { openOptions: 0, registered: [], unregistered: 0, injected: [], permissionsContains: [] };
  const core = {
    initError: null,
    clients: [],
    restored: [],
    dropCalls: [],
    async drop(ref) { this.dropCalls.push(ref); return report("dropped", { sessionId: ref.kind === "hash" ? ref.value : "h" + ref.value }); },
    async listActive() { return { ok: true, total: 3, activeCount: 2, sessions: [{ id: 2, user: "b", sessionId: "h2" }, { id: 1, user: "a", sessionId: "h1" }] }; },
    async testConnection(c) { c.st = { token: { accessToken: "tok", expiresAtMs: Date.now() + 3600e3 }, generation: null }; return report("connected"); },
    ...(o.core || {}),
  };
  globalThis.__fakeCore = core;
  const local = storageArea(onChanged, "local", o.local || {});
  const session = storageArea(onChanged, "session", o.session || {});
  calls.sessionOps = [];
  const sessionSet = session.set.bind(session);
  session.set = async (obj) => { calls.sessionOps.push(["set", Object.keys(obj)]); return sessionSet(obj); };
  session.setAccessLevel = async (opts) => { calls.sessionOps.push(["setAccessLevel", opts.accessLevel]); };
  const managed = o.managed === undefined ? null : storageArea(onChanged, "managed", o.managed);
  let registered = [];
  const api = {
    i18n: {
      getUILanguage: () => o.uiLanguage || "en-US",
      getMessage: (k, subs) => (k === "coreLang" ? o.coreLang ?? "en" : `${k}${subs ? "(" + [].concat(subs).join(",") + ")" : ""}`),
    },
    runtime: {
      id: "extid",
      getURL: (p) => `chrome-extension://extid/${p}`,
      getManifest: () => o.manifest || { content_scripts: [] },
      onMessage,
      onConnect,
      onInstalled: new Event(),
      onStartup: new Event(),
      openOptionsPage: async () => { calls.openOptions++; },
      getPlatformInfo: async () => ({}),
    },
    storage: {
      local, session, onChanged,
      managed: managed || { get: async () => { throw new Error("Managed storage manifest not found"); } },
    },
    permissions: {
      contains: async (q) => { calls.permissionsContains.push(q); return o.permission !== false; },
      onAdded: new Event(),
      onRemoved: new Event(),
    },
    scripting: {
      getRegisteredContentScripts: async () => structuredClone(registered),
      registerContentScripts: async (list) => { registered = structuredClone(list); calls.registered.push(...structuredClone(list)); },
      unregisterContentScripts: async () => { registered = []; calls.unregistered++; },
      insertCSS: async (x) => { calls.injected.push(x); },
      executeScript: async (x) => { calls.injected.push(x); },
    },
    tabs: { query: async () => o.tabs || [] },
  };
  globalThis.chrome = api;
  delete globalThis.browser;
  const idb = fakeIndexedDB();
  if (o.vault) {
    idb.dbs.set("session-drop", new Map([["vault", new Map([["credentials", o.vault]])]]));
  }
  globalThis.indexedDB = idb;
  globalThis.fetch = async (url) => {
    if (String(url).endsWith("preset.json") && o.preset) return { ok: true, json: async () => structuredClone(o.preset) };
    throw new TypeError("Failed to fetch");
  };
  await import(pathToFileURL(join(dir, "background.js")).href + `?instance=${++seq}`);
  const send = (msg, sender) => new Promise((resolve) => {
    let answered = false;
    for (const f of onMessage.listeners) {
      const keep = f(msg, sender, (a) => { answered = true; resolve(a); });
      if (keep !== true && !answered) resolve(undefined);
    }
  });
  // runtime.connect from `sender`: the background's end gets onConnect; returns the caller's end
  // ({ post(msg), answers: [...], disconnected }).
  const connect = (name, sender) => {
    const mine = { answers: [], disconnected: false };
    const theirs = {
      name,
      sender,
      onMessage: new Event(),
      postMessage: (m) => { mine.answers.push(structuredClone(m)); },
      disconnect: () => { mine.disconnected = true; },
    };
    mine.post = (m) => theirs.onMessage.fire(structuredClone(m), theirs);
    onConnect.fire(theirs);
    return mine;
  };
  const PAGE = { id: "extid", url: "chrome-extension://extid/popup.html" };
  const tabSender = (url) => ({ id: "extid", url, tab: { id: 7 }, frameId: 0 });
  return { api, core, calls, local, session, idb, send, connect, PAGE, tabSender, get registered() { return registered; } };
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
