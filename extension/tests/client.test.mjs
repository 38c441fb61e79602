// background/client.js, config.js, list.js: the v2 client's lifecycle, the configuration (policy
// changes without restart), freshToken for the popup.
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeStorage, fakeClient, report } from "./bgfakes.mjs";

const { makeClients } = await importBg("client");
const { makeConfig } = await importBg("config");
const { makeLists } = await importBg("list");

const SETTINGS = { serverUrl: "https://pam.example.com", generation: "auto", timeoutMs: 15000, askBeforeTerminate: false, bulkConcurrency: 4, tokenAuth: "body" };

function checkServerUrl(s) {
  const u = new URL(String(s).trim());
  if (u.protocol !== "https:") return { ok: false, kind: "invalid_config", params: { field: "serverUrl", reason: "insecure" } };
  return { ok: true, base: (u.origin + u.pathname).replace(/\/+$/, ""), origin: u.origin, matchPattern: `${u.protocol}//${u.hostname}/*` };
}

function env({ local = { settings: SETTINGS }, managed = {}, vault = { clientId: "cid", clientSecret: "s3cret" }, session = {}, permission = true, ready = true, behaviour = {} } = {}) {
  const made = [];
  const log = [];
  class DropClient {
    constructor(opts) {
      if (!opts.clientSecret) throw report("invalid_config", { params: { field: "clientSecret" } });
      made.push(opts);
      return fakeClient(behaviour, log);
    }
  }
  const managedArea = fakeStorage(managed);
  const api = {
    storage: { local: fakeStorage(local), session: fakeStorage(session), managed: managedArea },
    permissions: { contains: async () => permission },
    runtime: { getURL: (p) => `chrome-extension://extid/${p}` },
  };
  const core = { ready: Promise.resolve(ready), failed: () => report("core_failed", { params: { detail: "bad magic" } }) };
  const config = makeConfig({ api, vault: { get: async () => vault }, core, checkServerUrl, fetch: async () => ({ ok: false }) });
  const clients = makeClients({ api, core, DropClient, config });
  return { api, config, clients, made, log, managedArea };
}

test("the client gets the v2 options (no lang) and its state is kept for the same server and credentials only", async () => {
  const e = env();
  const entry = await e.clients.usable();
  assert.equal(entry.error, undefined);
  assert.deepEqual(e.made[0], { serverUrl: "https://pam.example.com", clientId: "cid", clientSecret: "s3cret", generation: "auto", timeoutMs: 15000, tokenAuth: "body" });
  entry.client.giveToken("tok-1");
  e.clients.persist(entry);
  await new Promise((r) => setTimeout(r, 5));
  const saved = e.api.storage.session.data.clientState;
  assert.equal(saved.state.token.accessToken, "tok-1");
  const same = env({ session: { clientState: saved } });
  await same.clients.usable();
  assert.deepEqual(same.log, [["restoreState"]]);
  const other = env({ session: { clientState: saved }, vault: { clientId: "cid", clientSecret: "changed" } });
  await other.clients.usable();
  assert.deepEqual(other.log, [], "another secret: the token is not reused");
  assert.deepEqual(e.clients.secrets().sort(), ["s3cret", "tok-1"]);
});

test("not loaded, not configured, no permission: a Report each, with params", async () => {
  assert.equal((await env({ ready: false }).clients.usable()).error.kind, "core_failed");
  assert.equal((await env({ vault: null }).clients.usable()).error.kind, "not_configured");
  const np = (await env({ permission: false }).clients.usable()).error;
  assert.equal(np.kind, "no_permission");
  assert.deepEqual(np.params, { origin: "https://pam.example.com" });
  assert.equal("message" in np, false, "no formatted text in the background");
});

test("obtainToken: only the token endpoint (ensureToken), never a DELETE, a list or a probe; a failure is its Report", async () => {
  const e = env();
  const entry = await e.clients.usable();
  assert.equal(await e.clients.obtainToken(entry), null);
  assert.deepEqual(e.log, [["ensureToken", false]]);
  assert.equal(await e.clients.obtainToken(entry), null, "a valid token is reused");
  assert.equal(e.log.length, 1);
  const bad = env({ behaviour: { ensureToken: async () => report("token_unreadable", { status: 200 }) } });
  const r = await bad.clients.obtainToken(await bad.clients.usable());
  assert.equal(r.kind, "token_unreadable");
});

test("obtainToken: a token about to expire is renewed (ensureToken(true))", async () => {
  const e = env();
  const entry = await e.clients.usable();
  entry.client.restoreState({ token: { accessToken: "old", expiresAtMs: Date.now() + 1000 }, generation: null });
  assert.equal(await e.clients.obtainToken(entry), null);
  assert.deepEqual(e.log.filter((x) => x[0] === "ensureToken"), [["ensureToken", true]]);
  assert.equal(entry.client.state().token.accessToken, "tok-renewed");
});

test("freshToken: the token and what a token-only client needs", async () => {
  const e = env();
  const lists = makeLists({ clients: e.clients });
  const r = await lists.freshToken();
  assert.equal(r.ok, true);
  assert.equal(r.token.accessToken, "tok");
  assert.ok(r.token.expiresAtMs > Date.now());
  assert.deepEqual(r.config, { serverUrl: "https://pam.example.com", generation: "auto", timeoutMs: 15000, tokenAuth: "body" });
  assert.equal(JSON.stringify(r).includes("s3cret"), false, "never the client secret");
  const np = await makeLists({ clients: env({ permission: false }).clients }).freshToken();
  assert.equal(np.kind, "no_permission");
});

test("a policy change takes effect without a restart (config and client rebuilt)", async () => {
  const e = env({ managed: {} });
  const first = await e.config.get();
  assert.equal(first.settings.askBeforeTerminate, false);
  assert.equal(first.byPolicy, false);
  await e.clients.usable();
  e.managedArea.data.askBeforeTerminate = true;
  e.managedArea.data.serverUrl = "https://corp.example.com";
  e.managedArea.data.clientId = "corp";
  e.managedArea.data.clientSecret = "corp-secret";
  // what main.js does on storage.onChanged(area "managed")
  e.config.invalidate();
  e.clients.invalidate();
  const next = await e.config.get();
  assert.equal(next.settings.askBeforeTerminate, true);
  assert.equal(next.server.origin, "https://corp.example.com");
  assert.equal(next.byPolicy, true);
  assert.deepEqual(next.managedKeys.sort(), ["askBeforeTerminate", "clientId", "clientSecret", "serverUrl"]);
  await e.clients.usable();
  assert.equal(e.made.length, 2);
  assert.equal(e.made[1].clientSecret, "corp-secret");
});

test("the storage.session snapshot gives a restarted background its configuration; invalidate drops it", async () => {
  const snap = { version: 1, saved: { ...SETTINGS, serverUrl: "https://old.example.com" }, managed: {}, preset: null, vault: { clientId: "old", clientSecret: "old" } };
  const e = env({ session: { configSnapshot: snap } });
  const boot = e.api.storage.session.get(["clientState", "configSnapshot"]);
  const config = makeConfig({ api: e.api, vault: { get: async () => ({ clientId: "cid", clientSecret: "s3cret" }) }, core: { ready: Promise.resolve(true) }, checkServerUrl, boot, fetch: async () => ({ ok: false }) });
  assert.equal((await config.get()).server.origin, "https://old.example.com");
  config.invalidate();
  assert.equal((await config.get()).server.origin, "https://pam.example.com");
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(e.api.storage.session.data.configSnapshot.vault.clientId, "cid", "rewritten from the stores");
});
