// Per-module tests of the background (extension/background/*.js): an ES-module copy of lib/ and
// background/, and tiny fakes of what each module is given (no fake browser as a whole).
import { mkdtempSync, cpSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EXT } from "./helpers.mjs";

let root = null;
function prepare() {
  if (root) return root;
  root = mkdtempSync(join(tmpdir(), "session-drop-bg-"));
  const dir = root;
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  cpSync(join(EXT, "lib"), join(root, "lib"), { recursive: true });
  cpSync(join(EXT, "background"), join(root, "background"), { recursive: true });
  return root;
}

/** import() of extension/background/<name>.js (or lib/<name>.js with "lib/" in front). */
export function importBg(name) {
  const rel = name.startsWith("lib/") ? `${name}.js` : `background/${name}.js`;
  return import(pathToFileURL(join(prepare(), rel)).href);
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** Waits (polling, at most 3 s) until `cond()` is truthy. */
export async function until(cond, what = "a condition") {
  const end = Date.now() + 3000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

/** A Report as the v2 core answers it (docs/DESIGN.md §2): params, no message. */
export function report(kind, extra = {}) {
  const ok = ["dropped", "connected", "resolved"].includes(kind);
  return { ok, kind, status: null, next: ok ? "done" : "report", sessionId: null, rowId: null, generation: null,
    attempts: 1, tokenRenewed: false, serverMessage: null, params: {}, ...extra };
}

/** A storage area (get/set/remove) with a log of operations; `fail(op, keys)` may throw. */
export function fakeStorage(initial = {}, { fail = null, log = [] } = {}) {
  const data = structuredClone(initial);
  return {
    data,
    log,
    async get(keys) {
      if (fail) fail("get", keys);
      if (keys == null) return structuredClone(data);
      const list = typeof keys === "string" ? [keys] : Array.isArray(keys) ? keys : Object.keys(keys);
      const out = {};
      for (const k of list) if (k in data) out[k] = structuredClone(data[k]);
      return out;
    },
    async set(obj) {
      if (fail) fail("set", Object.keys(obj));
      log.push(["set", Object.keys(obj)]);
      for (const [k, v] of Object.entries(obj)) data[k] = structuredClone(v);
    },
    async remove(keys) {
      log.push(["remove", [].concat(keys)]);
      for (const k of [].concat(keys)) delete data[k];
    },
  };
}

/**
 * A v2 DropClient (docs/DESIGN.md §2) whose answers come from `behaviour`; every call goes to `log`.
 * The default: drop -> dropped, resolve(row) -> hash "h<row>", lookup -> the session, token "tok"
 * (ensureToken: "tok", or "tok-renewed" when asked to renew).
 */
export function fakeClient(behaviour = {}, log = []) {
  const st = { token: null, generation: null };
  const give = (tok = "tok") => {
    st.token = { accessToken: tok, expiresAtMs: Date.now() + 3600e3 };
  };
  const c = {
    log,
    st,
    async drop(ref) {
      log.push(["drop", ref.kind, ref.value]);
      if (behaviour.drop) return behaviour.drop(ref, c);
      give();
      return report("dropped", { sessionId: ref.value });
    },
    async resolve(row) {
      log.push(["resolve", row]);
      if (behaviour.resolve) return behaviour.resolve(row, c);
      give();
      return report("resolved", { sessionId: `h${row}`, rowId: row });
    },
    async lookup(ref) {
      log.push(["lookup", ref.kind, ref.value]);
      if (behaviour.lookup) return behaviour.lookup(ref, c);
      give();
      if (ref.value === "0") return report("session_not_found", { rowId: "0" });
      return { ok: true, session: { id: ref.value, user: "ana", device: "db1", sessionId: `h${ref.value}`, end: null } };
    },
    async listActive(opts) {
      log.push(["listActive", opts && opts.limit]);
      give();
      return { ok: true, total: 2, activeCount: 1, sessions: [{ id: 1, user: "a", sessionId: "h1" }] };
    },
    async ensureToken(renew) {
      log.push(["ensureToken", !!renew]);
      if (behaviour.ensureToken) return behaviour.ensureToken(renew, c);
      give(renew ? "tok-renewed" : "tok");
      return report("connected", { ok: true });
    },
    async testConnection() {
      log.push(["testConnection"]);
      if (behaviour.testConnection) return behaviour.testConnection(c);
      give();
      return report("connected", { params: { canDrop: "yes" } });
    },
    restoreState(s) {
      log.push(["restoreState"]);
      st.token = s.token;
      st.generation = s.generation;
      return true;
    },
    state: () => structuredClone(st),
    curl: (ref) => `curl -X DELETE https://x/${ref.value} -H 'Authorization: Bearer <redacted>'`,
    giveToken: give,
  };
  return c;
}

export const SERVER = { base: "https://pam.example.com", origin: "https://pam.example.com", matchPattern: "https://pam.example.com/*" };

/** A configuration as background/config.js makes it. */
export function fakeCfg({ settings = {}, ...over } = {}) {
  return {
    settings: { serverUrl: SERVER.base, clientId: "cid", clientSecret: "s3cret", generation: "auto", timeoutMs: 1000,
      askBeforeTerminate: false, bulkConcurrency: 4, tokenAuth: "body", columnTitles: "", ...settings },
    managedKeys: [],
    fromPreset: false,
    saved: null,
    presetServerUrl: "",
    server: SERVER,
    check: { ok: true, ...SERVER },
    permission: true,
    configured: true,
    byPolicy: false,
    byPreset: false,
    fingerprint: "fp",
    ...over,
  };
}

/** What background/client.js gives the other modules, around one fake client. */
export function fakeClients(client, cfg = fakeCfg()) {
  const secrets = ["s3cret"];
  return {
    client,
    cfg,
    persisted: 0,
    async usable() {
      return { client, cfg };
    },
    async get() {
      return { client, cfg };
    },
    persist() {
      this.persisted++;
      const t = client.state().token;
      if (t && !secrets.includes(t.accessToken)) secrets.push(t.accessToken);
    },
    async obtainToken() {
      if (client.state().token) return null;
      const r = await client.ensureToken(false);
      return client.state().token ? null : r;
    },
    secrets: () => secrets.slice(),
    rememberToken() {},
    invalidate() {},
  };
}
