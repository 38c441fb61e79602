// background.js under node with fake browser APIs and a fake wasm core (tests/bgharness.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadBackground, report, tick } from "./bgharness.mjs";

const SERVER = "https://pam.example.com";
const configured = {
  local: { settings: { serverUrl: SERVER, generation: "auto", timeoutMs: 15000, askBeforeTerminate: false, bulkConcurrency: 4, tokenAuth: "body" } },
  vault: { clientId: "cid", clientSecret: "s3cret" },
};

test("not configured: drop answers not_configured with a message; content scripts of other origins are refused", async () => {
  const bg = await loadBackground({});
  const r = await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, bg.PAGE);
  assert.equal(r.ok, false);
  assert.equal(r.kind, "not_configured");
  assert.equal(r.message.title, "errNotConfiguredTitle");
  assert.ok(r.message.cause && r.message.fix);
  const c = await bg.send({ type: "status" }, bg.tabSender("https://pam.example.com/flow"));
  assert.deepEqual(c, { ok: false, kind: "invalid_request" });
});

test("sender and payload checks", async () => {
  const bg = await loadBackground(configured);
  const cs = bg.tabSender("https://pam.example.com/flow/report");
  assert.deepEqual(await bg.send({ type: "status" }, cs), { configured: true, askBeforeTerminate: false, lang: "en", columnTitles: {} });
  for (const [msg, sender] of [
    [{ type: "getSettings" }, cs],
    [{ type: "bulkState" }, cs],
    [{ type: "status" }, bg.tabSender("https://evil.example.com/")],
    [{ type: "status" }, { ...cs, id: "other-extension" }],
    [{ type: "status" }, { id: "extid", url: "https://pam.example.com/flow" }],
    [{ type: "drop", ref: { kind: "row", value: "12a" } }, cs],
    [{ type: "drop", ref: { kind: "hash", value: "abc" }, extra: 1 }, cs],
    [{ type: "status" }, bg.PAGE],
    [{ type: "whatever" }, bg.PAGE],
    [null, bg.PAGE],
  ]) {
    assert.deepEqual(await bg.send(msg, sender), { ok: false, kind: "invalid_request" }, JSON.stringify(msg));
  }
  assert.equal(bg.core.dropCalls.length, 0);
  const o = await bg.send({ type: "openOptions" }, cs);
  assert.deepEqual(o, { ok: true });
  assert.equal(bg.calls.openOptions, 1);
});

test("console drop: one core call, audit entry with source console, client state saved", async () => {
  const bg = await loadBackground(configured);
  const cs = bg.tabSender("https://pam.example.com/flow/report");
  const r = await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" }, context: { user: "ana", device: "db1" } }, cs);
  assert.equal(r.ok, true);
  assert.equal(r.kind, "dropped");
  assert.deepEqual(bg.core.dropCalls, [{ kind: "hash", value: "abc" }]);
  const a = await bg.send({ type: "auditList" }, bg.PAGE);
  assert.equal(a.entries.length, 1);
  assert.equal(a.entries[0].source, "console");
  assert.equal(a.entries[0].appliance, SERVER);
  assert.equal(a.entries[0].user, "ana");
  assert.equal(a.entries[0].kind, "dropped");
  assert.equal(a.entries[0].title, "T:dropped");
  await tick(5);
  assert.ok(bg.session.data.clientState, "client state persisted in storage.session");
  assert.ok(bg.session.data.clientState.fp);
});

test("the same session dropped twice at once: one DELETE, same answer", async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  const bg = await loadBackground({ ...configured, core: { async drop(ref) { this.dropCalls.push(ref); await gate; return report("dropped", { sessionId: ref.value }); } } });
  const cs = bg.tabSender("https://pam.example.com/flow/report");
  const p1 = bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, cs);
  const p2 = bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, bg.PAGE);
  const p3 = bg.send({ type: "drop", ref: { kind: "hash", value: "other" } }, cs);
  await tick(10);
  release();
  const [a, b, c] = await Promise.all([p1, p2, p3]);
  assert.deepEqual(a, b);
  assert.equal(c.sessionId, "other");
  assert.equal(bg.core.dropCalls.filter((x) => x.value === "abc").length, 1);
  const after = await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, cs);
  assert.equal(after.ok, true);
  assert.equal(bg.core.dropCalls.filter((x) => x.value === "abc").length, 2, "a later click is a new attempt");
});

test("wasm init failure: every answer is a clear Report-like error", async () => {
  const bg = await loadBackground({ ...configured, core: { initError: new Error("CompileError: bad magic") } });
  const cs = bg.tabSender("https://pam.example.com/flow/report");
  const r = await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, cs);
  assert.equal(r.ok, false);
  assert.equal(r.kind, "unexpected");
  assert.equal(r.message.title, "errCoreTitle");
  assert.match(r.message.cause, /bad magic/);
  const l = await bg.send({ type: "listActive" }, bg.PAGE);
  assert.equal(l.message.title, "errCoreTitle");
  const t = await bg.send({ type: "testConnection" }, bg.PAGE);
  assert.equal(t.message.title, "errCoreTitle");
  const s = await bg.send({ type: "getSettings" }, bg.PAGE);
  assert.equal(s.ok, true, "settings still readable");
});

test("a core call that throws or never answers still gets a Report", async (t) => {
  const bg = await loadBackground({
    local: { settings: { ...configured.local.settings, timeoutMs: 1000 } },
    vault: configured.vault,
    core: {
      async drop(ref) {
        if (ref.value === "throws") throw new Error("boom");
        return new Promise(() => {});
      },
    },
  });
  const r = await bg.send({ type: "drop", ref: { kind: "hash", value: "throws" } }, bg.PAGE);
  assert.equal(r.ok, false);
  assert.equal(r.kind, "unexpected");
  assert.match(r.message.cause, /boom/);
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const pending = bg.send({ type: "drop", ref: { kind: "hash", value: "hangs" } }, bg.PAGE);
  for (let i = 0; i < 100; i++) await Promise.resolve(); // let the handler reach its deadline timer
  t.mock.timers.tick(7000); // 7 x timeoutMs + 1 s: not yet
  for (let i = 0; i < 20; i++) await Promise.resolve();
  let settled = false;
  pending.then(() => { settled = true; });
  for (let i = 0; i < 20; i++) await Promise.resolve();
  assert.equal(settled, false);
  t.mock.timers.tick(1500);
  const h = await pending;
  assert.equal(h.kind, "timeout");
  assert.equal(h.message.title, "errDeadlineTitle");
});

test("getSettings never returns the secret; managed values win and are locked", async () => {
  const bg = await loadBackground({ ...configured, managed: { askBeforeTerminate: true, clientSecret: "corp", bulkConcurrency: 2 } });
  const s = await bg.send({ type: "getSettings" }, bg.PAGE);
  assert.equal(s.ok, true);
  assert.equal(s.hasSecret, true);
  assert.equal(JSON.stringify(s).includes("s3cret"), false);
  assert.equal(JSON.stringify(s).includes("corp"), false);
  assert.equal(s.settings.askBeforeTerminate, true);
  assert.deepEqual(s.managed, { askBeforeTerminate: true, clientSecret: true, bulkConcurrency: true });
  assert.equal(s.settings.clientId, "cid");
  // a user save cannot override a managed value
  const saved = await bg.send({ type: "saveSettings", settings: { askBeforeTerminate: false, timeoutMs: 5000, clientSecret: "" } }, bg.PAGE);
  assert.equal(saved.settings.askBeforeTerminate, true);
  assert.equal(saved.settings.timeoutMs, 5000);
  const st = await bg.send({ type: "status" }, bg.tabSender("https://pam.example.com/x"));
  assert.equal(st.askBeforeTerminate, true);
  // the client got the managed secret
  await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, bg.PAGE);
  assert.equal(bg.core.clients.at(-1).cfg.clientSecret, "corp");
});

test("saveSettings: validates the URL, keeps the secret when empty, recreates the client at once", async () => {
  const bg = await loadBackground(configured);
  const bad = await bg.send({ type: "saveSettings", settings: { serverUrl: "http://pam.example.com" } }, bg.PAGE);
  assert.equal(bad.ok, false);
  assert.equal(bad.kind, "invalid_config");
  assert.equal(bad.message.title, "Invalid server URL");
  await bg.send({ type: "drop", ref: { kind: "hash", value: "a" } }, bg.PAGE);
  assert.equal(bg.core.clients.length, 1);
  const ok = await bg.send({ type: "saveSettings", settings: { serverUrl: "https://other.example.com/", clientId: "cid2", clientSecret: "", generation: "iso" } }, bg.PAGE);
  assert.equal(ok.ok, true);
  assert.equal(ok.settings.serverUrl, "https://other.example.com");
  assert.equal(ok.hasSecret, true);
  await bg.send({ type: "drop", ref: { kind: "hash", value: "b" } }, bg.PAGE);
  const c = bg.core.clients.at(-1);
  assert.equal(bg.core.clients.length, 2, "new client after save");
  assert.equal(c.cfg.serverUrl, "https://other.example.com");
  assert.equal(c.cfg.clientId, "cid2");
  assert.equal(c.cfg.clientSecret, "s3cret", "secret unchanged");
  assert.equal(c.cfg.generation, "iso");
  // content scripts of the old origin are now refused, the new one accepted
  assert.equal((await bg.send({ type: "status" }, bg.tabSender("https://pam.example.com/"))).kind, "invalid_request");
  assert.equal((await bg.send({ type: "status" }, bg.tabSender("https://other.example.com/"))).configured, true);
  // dynamic content script registration for the new pattern
  assert.deepEqual(bg.registered.map((r) => r.matches), [["https://other.example.com/*"]]);
  assert.deepEqual(bg.registered[0].js, ["content/console.js"]);
  const secretSave = await bg.send({ type: "saveSettings", settings: { clientSecret: "new-secret" } }, bg.PAGE);
  assert.equal(secretSave.ok, true);
  await bg.send({ type: "drop", ref: { kind: "hash", value: "c" } }, bg.PAGE);
  assert.equal(bg.core.clients.at(-1).cfg.clientSecret, "new-secret");
});

test("preset.json is the default; a baked static content script is not registered twice", async () => {
  const bg = await loadBackground({
    preset: { serverUrl: "http://127.0.0.1:8080", clientId: "demo-client", clientSecret: "demo-secret" },
    manifest: { content_scripts: [{ matches: ["http://127.0.0.1/*"], js: [] }] },
  });
  const s = await bg.send({ type: "getSettings" }, bg.PAGE);
  assert.equal(s.settings.serverUrl, "http://127.0.0.1:8080");
  assert.equal(s.fromPreset, true);
  assert.equal(s.configured, true);
  assert.equal((await bg.send({ type: "status" }, bg.tabSender("http://127.0.0.1:8080/flow"))).configured, true);
  assert.equal((await bg.send({ type: "status" }, bg.tabSender("http://127.0.0.1:9999/flow"))).kind, "invalid_request", "other port");
  await tick(5);
  assert.equal(bg.calls.registered.length, 0);
});

test("no host permission: clear no_permission report, nothing sent", async () => {
  const bg = await loadBackground({ ...configured, permission: false });
  const r = await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, bg.PAGE);
  assert.equal(r.kind, "no_permission");
  assert.match(r.message.cause, /pam\.example\.com/);
  assert.equal(bg.core.dropCalls.length, 0);
});

test("client state is restored only for the same server and credentials", async () => {
  const first = await loadBackground(configured);
  await first.send({ type: "testConnection" }, first.PAGE);
  await tick(5);
  const saved = first.session.data.clientState;
  assert.equal(saved.state.token.accessToken, "tok");
  const again = await loadBackground({ ...configured, session: { clientState: saved } });
  await again.send({ type: "drop", ref: { kind: "hash", value: "x" } }, again.PAGE);
  assert.equal(again.core.restored.length, 1);
  const other = await loadBackground({ ...configured, vault: { clientId: "cid", clientSecret: "changed" }, session: { clientState: saved } });
  await other.send({ type: "drop", ref: { kind: "hash", value: "x" } }, other.PAGE);
  assert.equal(other.core.restored.length, 0, "different secret: the token is not reused");
});

test("bulk: bounded pool, each session once, token fetched once, audit + state, survives without the popup", async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const core = {
    async drop(ref) {
      this.dropCalls.push(ref);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await tick(5);
      inFlight--;
      if (ref.value === "h3") return report("already_ended", { sessionId: "h3" });
      if (ref.value === "h4") return report("not_authorized", { sessionId: "h4" });
      return report("dropped", { sessionId: ref.kind === "hash" ? ref.value : "r" + ref.value });
    },
    tokenFetches: 0,
    async testConnection(c) {
      this.tokenFetches++;
      c.st = { token: { accessToken: "tok", expiresAtMs: Date.now() + 3600e3 }, generation: null };
      return report("connected");
    },
  };
  const bg = await loadBackground({ ...configured, core });
  const sessions = [];
  for (let i = 1; i <= 20; i++) sessions.push({ sessionId: `h${i}`, rowId: String(i), user: `u${i}`, device: "d" });
  sessions.push({ sessionId: "h1", rowId: "1" }); // duplicate
  sessions.push({ rowId: "99" }); // row id only
  const start = await bg.send({ type: "bulkStart", sessions, concurrency: 3 }, bg.PAGE);
  assert.equal(start.ok, true);
  assert.equal(start.run.total, 21);
  assert.equal(start.run.running, true);
  const busy = await bg.send({ type: "bulkStart", sessions: [{ sessionId: "zz" }] }, bg.PAGE);
  assert.equal(busy.kind, "bulk_running");
  let state;
  for (let i = 0; i < 200; i++) {
    state = await bg.send({ type: "bulkState" }, bg.PAGE);
    if (!state.run.running) break;
    await tick(10);
  }
  assert.equal(state.run.running, false);
  assert.equal(state.run.done, 21);
  assert.equal(state.run.results.length, 21);
  assert.ok(maxInFlight <= 3, `max in flight ${maxInFlight}`);
  assert.equal(maxInFlight, 3);
  assert.equal(bg.core.dropCalls.length, 21);
  assert.equal(new Set(bg.core.dropCalls.map((r) => r.kind + r.value)).size, 21, "never twice in one run");
  assert.deepEqual(bg.core.dropCalls.find((r) => r.kind === "row"), { kind: "row", value: "99" });
  assert.equal(bg.core.tokenFetches, 1, "token pre-fetched once");
  assert.deepEqual({ ...state.run.summary, reasons: undefined }, { dropped: 19, alreadyEnded: 1, failed: 1, reasons: undefined });
  assert.equal(state.run.summary.reasons[0].title, "T:not_authorized");
  assert.equal(bg.session.data.bulkRun.running, false, "final state persisted in storage.session");
  const audit = await bg.send({ type: "auditList" }, bg.PAGE);
  assert.equal(audit.entries.length, 21);
  assert.ok(audit.entries.every((e) => e.source === "bulk" && e.runId === state.run.id));
  // a new background instance (service worker restarted) still shows the last run
  const again = await loadBackground({ ...configured, session: { bulkRun: bg.session.data.bulkRun } });
  const restored = await again.send({ type: "bulkState" }, again.PAGE);
  assert.equal(restored.run.id, state.run.id);
  assert.equal(restored.run.interrupted, false);
});

test("bulk: token failure fails every session without any DELETE", async () => {
  const bg = await loadBackground({ ...configured, core: { async testConnection() { return report("auth_failed", { status: 401 }); } } });
  const start = await bg.send({ type: "bulkStart", sessions: [{ sessionId: "a" }, { sessionId: "b" }] }, bg.PAGE);
  assert.equal(start.ok, true);
  let state;
  for (let i = 0; i < 100; i++) {
    state = await bg.send({ type: "bulkState" }, bg.PAGE);
    if (!state.run.running) break;
    await tick(10);
  }
  assert.equal(bg.core.dropCalls.length, 0);
  assert.equal(state.run.summary.failed, 2);
  assert.equal(state.run.error.title, "T:auth_failed");
});

test("a run cut short by a worker restart is reported as interrupted", async () => {
  const bg = await loadBackground({ ...configured, session: { bulkRun: { id: "run-x", running: true, total: 5, done: 2, results: [], summary: {} } } });
  await tick(5);
  const s = await bg.send({ type: "bulkState" }, bg.PAGE);
  assert.equal(s.run.running, false);
  assert.equal(s.run.interrupted, true);
});

test("listActive, curl, testConnection, auditClear", async () => {
  const bg = await loadBackground(configured);
  const l = await bg.send({ type: "listActive" }, bg.PAGE);
  assert.equal(l.ok, true);
  assert.equal(l.sessions.length, 2);
  assert.equal(l.sessions[0].id, "2");
  assert.equal(l.activeCount, 2);
  const c = await bg.send({ type: "curl", ref: { kind: "hash", value: "abc" } }, bg.PAGE);
  assert.equal(c.ok, true);
  assert.match(c.curl, /<redacted>/);
  const t = await bg.send({ type: "testConnection", settings: { serverUrl: SERVER, clientId: "cid", clientSecret: "" } }, bg.PAGE);
  assert.equal(t.kind, "connected");
  const bad = await bg.send({ type: "testConnection", settings: { serverUrl: "https://x.example.com", clientId: "cid", clientSecret: "other" } }, bg.PAGE);
  assert.equal(bad.kind, "connected");
  assert.equal(bg.core.clients.at(-1).cfg.serverUrl, "https://x.example.com", "tested with the form's values");
  await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, bg.PAGE);
  assert.equal((await bg.send({ type: "auditList" }, bg.PAGE)).entries.length, 1);
  assert.deepEqual(await bg.send({ type: "auditClear" }, bg.PAGE), { ok: true });
  assert.equal((await bg.send({ type: "auditList" }, bg.PAGE)).entries.length, 0);
  assert.deepEqual(bg.local.data.audit, []);
});

test("UI language: the locale of the extension's strings decides, the UI language is the fallback", async () => {
  const fallback = await loadBackground({ ...configured, uiLanguage: "pt-PT", coreLang: "" });
  assert.equal((await fallback.send({ type: "status" }, fallback.tabSender("https://pam.example.com/"))).lang, "pt-BR");
  const mixed = await loadBackground({ ...configured, uiLanguage: "en-US", coreLang: "pt-BR" }); // headless Chromium --lang=pt-BR
  assert.equal((await mixed.send({ type: "status" }, mixed.tabSender("https://pam.example.com/"))).lang, "pt-BR");
  const bg = await loadBackground({ ...configured, uiLanguage: "pt-BR", coreLang: "pt-BR" });
  assert.equal((await bg.send({ type: "status" }, bg.tabSender("https://pam.example.com/"))).lang, "pt-BR");
  await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, bg.PAGE);
  assert.equal(bg.core.clients[0].cfg.lang, "pt-BR");
});
