// background.js start-up path (a stopped service worker / suspended event page woken by a drop):
// what is started at load, what comes from storage.session, what is kept off the critical path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadBackground, tick } from "./bgharness.mjs";

const SERVER = "https://pam.example.com";
const SETTINGS = { serverUrl: SERVER, generation: "auto", timeoutMs: 15000, askBeforeTerminate: false, bulkConcurrency: 4, tokenAuth: "body" };
const configured = { local: { settings: SETTINGS }, vault: { clientId: "cid", clientSecret: "s3cret" } };
const CS = "https://pam.example.com/flow/report";

/** Waits (polling, at most 5 s) until `cond()` is truthy: start-up work is asynchronous. */
async function until(cond, what) {
  const end = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await tick(2);
  }
}

test("the client is made at load, before any message, with the stored token", async () => {
  const first = await loadBackground(configured);
  await until(() => first.core.clients.length === 1, "the client made at load");
  await first.send({ type: "testConnection" }, first.PAGE);
  await until(() => first.session.data.clientState && first.session.data.configSnapshot, "state and snapshot written");
  const state = first.session.data.clientState;
  assert.equal(state.state.token.accessToken, "tok");
  const again = await loadBackground({ ...configured, session: { clientState: state, configSnapshot: first.session.data.configSnapshot } });
  await until(() => again.core.clients.length === 1, "the client made at load");
  assert.deepEqual(again.core.restored, [state.state], "token restored into the client made at load");
  const r = await again.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, again.tabSender(CS));
  assert.equal(r.kind, "dropped");
  assert.equal(again.core.clients.length, 1, "the drop used the client made at load");
});

test("a restarted background takes its configuration from the storage.session snapshot", async () => {
  const first = await loadBackground(configured);
  await first.send({ type: "drop", ref: { kind: "hash", value: "a" } }, first.tabSender(CS));
  await until(() => first.session.data.configSnapshot, "the snapshot");
  const snap = first.session.data.configSnapshot;
  assert.ok(snap, "snapshot written");
  assert.equal(snap.saved.serverUrl, SERVER);
  assert.deepEqual(snap.vault, { clientId: "cid", clientSecret: "s3cret" });
  // storage.session is locked to trusted contexts before the secret is written there
  const ops = first.calls.sessionOps;
  const lock = ops.findIndex((o) => o[0] === "setAccessLevel" && o[1] === "TRUSTED_CONTEXTS");
  const write = ops.findIndex((o) => o[0] === "set" && o[1].includes("configSnapshot"));
  assert.ok(lock >= 0 && write > lock, JSON.stringify(ops));

  // Same browser session, new instance: nothing in storage.local or IndexedDB is even looked at.
  const again = await loadBackground({ session: structuredClone(first.session.data) });
  const r = await again.send({ type: "drop", ref: { kind: "hash", value: "b" } }, again.tabSender(CS));
  assert.equal(r.kind, "dropped");
  assert.equal(again.core.clients.at(-1).cfg.clientSecret, "s3cret");
  assert.equal(again.core.clients.at(-1).cfg.serverUrl, SERVER);
  assert.equal(again.idb.opens, 0, "no IndexedDB on the way to the DELETE");
});

test("a change of the settings, the policy or the vault drops the snapshot", async () => {
  const stale = {
    version: 1,
    saved: { ...SETTINGS, serverUrl: "https://old.example.com" },
    managed: {},
    preset: null,
    vault: { clientId: "old", clientSecret: "old" },
  };
  const bg = await loadBackground({ ...configured, session: { configSnapshot: stale } });
  // first configuration of the instance: the snapshot
  assert.equal((await bg.send({ type: "status" }, bg.tabSender("https://old.example.com/"))).configured, true);
  // the settings change (e.g. the options page of another window): the stores are read again
  await bg.local.set({ settings: { ...SETTINGS } });
  assert.equal((await bg.send({ type: "status" }, bg.tabSender("https://old.example.com/"))).kind, "invalid_request");
  assert.equal((await bg.send({ type: "status" }, bg.tabSender(CS))).configured, true);
  await until(() => bg.session.data.configSnapshot?.vault?.clientId === "cid", "the snapshot rewritten from the stores");
  // saving new credentials rewrites it too
  const saved = await bg.send({ type: "saveSettings", settings: { clientId: "cid2", clientSecret: "new" } }, bg.PAGE);
  assert.equal(saved.ok, true);
  await until(() => bg.session.data.configSnapshot?.vault?.clientId === "cid2", "the snapshot rewritten after the save");
  assert.deepEqual(bg.session.data.configSnapshot.vault, { clientId: "cid2", clientSecret: "new" });
  await bg.send({ type: "drop", ref: { kind: "hash", value: "c" } }, bg.tabSender(CS));
  assert.equal(bg.core.clients.at(-1).cfg.clientSecret, "new");
});

test("the permission check and the stores do not wait for the wasm core", async () => {
  let release;
  const initGate = new Promise((r) => { release = r; });
  const bg = await loadBackground({ ...configured, core: { initGate } });
  await until(() => bg.calls.permissionsContains.length === 1, "the permission asked while the core loads");
  assert.deepEqual(bg.calls.permissionsContains[0], { origins: ["https://pam.example.com/*"] });
  assert.equal(bg.core.clients.length, 0);
  release();
  const r = await bg.send({ type: "drop", ref: { kind: "hash", value: "abc" } }, bg.tabSender(CS));
  assert.equal(r.kind, "dropped");
  assert.equal(bg.calls.permissionsContains.length, 1, "the core agreed on the pattern: not asked again");
});

test("the content script registration check waits until after start-up", async () => {
  const bg = await loadBackground({ ...configured, manifest: { content_scripts: [] } });
  await until(() => bg.core.clients.length === 1, "start-up");
  assert.equal(bg.calls.registered.length, 0, "not during start-up");
  await until(() => bg.registered.length === 1, "the deferred registration");
  assert.deepEqual(bg.registered.map((r) => r.matches), [["https://pam.example.com/*"]]);
});

test("drops over the content script's port: same checks, answers matched by id", async () => {
  const bg = await loadBackground(configured);
  const other = bg.connect("something-else", bg.tabSender(CS));
  assert.equal(other.disconnected, true, "unknown port names are refused");
  const port = bg.connect("session-drop", bg.tabSender(CS));
  port.post({ id: 1, msg: { type: "drop", ref: { kind: "hash", value: "abc" }, context: { user: "ana" } } });
  port.post({ id: 2, msg: { type: "getSettings" } }); // a page-only type from a content script
  port.post({ id: "x", msg: { type: "status" } }); // malformed request: ignored
  port.post(null);
  await until(() => port.answers.length === 2, "two answers");
  await tick(10);
  const byId = new Map(port.answers.map((a) => [a.id, a.answer]));
  assert.equal(port.answers.length, 2);
  assert.equal(byId.get(1).kind, "dropped");
  assert.deepEqual(byId.get(2), { ok: false, kind: "invalid_request" });
  assert.deepEqual(bg.core.dropCalls, [{ kind: "hash", value: "abc" }]);
  // a tab of another origin gets nothing done either
  const evil = bg.connect("session-drop", bg.tabSender("https://evil.example.com/"));
  evil.post({ id: 3, msg: { type: "drop", ref: { kind: "hash", value: "def" } } });
  await until(() => evil.answers.length === 1, "the answer");
  assert.deepEqual(evil.answers, [{ id: 3, answer: { ok: false, kind: "invalid_request" } }]);
  assert.equal(bg.core.dropCalls.length, 1);
});
