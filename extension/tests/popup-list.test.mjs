// The popup's own list (issue 8 item 8): a token from the background, a token-only wasm client in
// the page, progress, one token renewal, a clear timeout, and a 3-minute list that still arrives.
import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, cpSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EXT } from "./helpers.mjs";

const root = mkdtempSync(join(tmpdir(), "session-drop-popup-"));
for (const d of ["lib", "pages"]) cpSync(join(EXT, d), join(root, d), { recursive: true });
writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
const L = await import(pathToFileURL(join(root, "pages", "list.js")).href);

const CONFIG = { serverUrl: "https://pam.example.com", generation: "auto", timeoutMs: 15000, tokenAuth: "basic" };
const token = (n) => ({ accessToken: `tok-${n}`, expiresAtMs: 1e13 });
const SESSION = { id: "7", user: "ana", originIp: "10.0.0.1", credential: "root", device: "srv", protocol: "SSH", proxy: "p", sessionId: "abc", start: "2025-01-01 00:00:00", end: null, time: "00:01:00" };

/** The background: `freshToken` answers in order; every message is recorded. */
function background(...answers) {
  const sent = [];
  let i = 0;
  return { sent, send: async (type, payload) => { sent.push(type); return answers[Math.min(i++, answers.length - 1)]; } };
}

/** A DropClient v2 stand-in: `plan(state, opts)` answers listActive. */
function fakeCore(plan) {
  const made = [];
  class DropClient {
    constructor(opts) {
      this.opts = opts;
      this.tokens = [];
      made.push(this);
      if (opts.serverUrl === "bad") throw { ok: false, kind: "invalid_config", params: { field: "serverUrl", reason: "empty" } };
    }
    restoreState(s) { this.tokens.push(s.token); return true; }
    listActive(opts) { this.listOpts = opts; return plan(this, opts); }
  }
  return { DropClient, made };
}

test("a token-only client in the page: no client ID, no secret; progress; plain sessions", async () => {
  const bg = background({ ok: true, token: token(1), config: CONFIG });
  const { DropClient, made } = fakeCore(async (c, opts) => {
    opts.onProgress(1024, null);
    opts.onProgress(4096, 8192);
    return { ok: true, total: 3, activeCount: 1, sessions: [new Map(Object.entries(SESSION))] };
  });
  const progress = [];
  const res = await L.listSessions({ send: bg.send, DropClient, limit: 500, onProgress: (r, t) => progress.push([r, t]) });
  assert.deepEqual(bg.sent, ["freshToken"]);
  assert.equal(made.length, 1);
  assert.deepEqual(made[0].opts, { serverUrl: CONFIG.serverUrl, clientId: "", clientSecret: "", generation: "auto", timeoutMs: 15000, tokenAuth: "basic" });
  assert.deepEqual(made[0].tokens, [token(1)]);
  assert.equal(made[0].listOpts.limit, 500);
  assert.equal(made[0].listOpts.timeoutMs, 300000, "a list may take up to 5 minutes");
  assert.deepEqual(progress, [[1024, null], [4096, 8192]]);
  assert.deepEqual(res, { ok: true, total: 3, activeCount: 1, sessions: [SESSION] });
});

test("auth_failed with next renew_token: one fresh token, once", async () => {
  const bg = background({ ok: true, token: token(1), config: CONFIG }, { ok: true, token: token(2), config: CONFIG });
  const { DropClient, made } = fakeCore(async (c) =>
    c.tokens.at(-1).accessToken === "tok-2" ? { ok: true, total: 0, activeCount: 0, sessions: [] } : { ok: false, kind: "auth_failed", status: 401, next: "renew_token", params: {} });
  const res = await L.listSessions({ send: bg.send, DropClient, limit: 10 });
  assert.equal(res.ok, true);
  assert.deepEqual(bg.sent, ["freshToken", "freshToken"]);
  assert.deepEqual(made[0].tokens.map((x) => x.accessToken), ["tok-1", "tok-2"]);

  const bg2 = background({ ok: true, token: token(1), config: CONFIG });
  const always = fakeCore(async () => ({ ok: false, kind: "auth_failed", status: 401, next: "renew_token", params: {} }));
  const res2 = await L.listSessions({ send: bg2.send, DropClient: always.DropClient, limit: 10 });
  assert.equal(res2.kind, "auth_failed");
  assert.deepEqual(bg2.sent, ["freshToken", "freshToken"], "asked again once, not more");

  // auth_failed without renew_token (wrong credentials): reported at once
  const bg3 = background({ ok: true, token: token(1), config: CONFIG });
  const wrong = fakeCore(async () => ({ ok: false, kind: "auth_failed", status: 401, next: "report", params: {} }));
  assert.equal((await L.listSessions({ send: bg3.send, DropClient: wrong.DropClient, limit: 10 })).kind, "auth_failed");
  assert.deepEqual(bg3.sent, ["freshToken"]);
});

test("the background's refusal is shown as is; nothing is asked of the appliance", async () => {
  const bg = background({ ok: false, kind: "not_configured", status: null, params: {} });
  const { DropClient, made } = fakeCore(async () => assert.fail("no list without a token"));
  const res = await L.listSessions({ send: bg.send, DropClient, limit: 10 });
  assert.equal(res.kind, "not_configured");
  assert.equal(made.length, 0);
  const none = await L.listSessions({ send: async () => undefined, DropClient, limit: 10 });
  assert.equal(none.kind, "no_answer");
});

test("a bad config and a broken core are Reports, never exceptions", async () => {
  const bad = await L.listSessions({ send: background({ ok: true, token: token(1), config: { ...CONFIG, serverUrl: "bad" } }).send, DropClient: fakeCore(() => null).DropClient, limit: 1 });
  assert.equal(bad.kind, "invalid_config");
  assert.equal(bad.params.reason, "empty");
  const broken = await L.listSessions({ send: background({ ok: true, token: token(1), config: CONFIG }).send, DropClient: fakeCore(() => { throw new RangeError("unreachable executed"); }).DropClient, limit: 1 });
  assert.equal(broken.kind, "core_failed");
  assert.match(broken.params.detail, /unreachable/);
  const junk = await L.listSessions({ send: background({ ok: true, token: token(1), config: CONFIG }).send, DropClient: fakeCore(async () => 42).DropClient, limit: 1 });
  assert.equal(junk.kind, "unexpected");
});

test("a list that takes 3 minutes arrives; one that never ends is a clear timeout", async (t) => {
  mock.timers.enable({ apis: ["setTimeout"] });
  t.after(() => mock.timers.reset());
  const bg = () => background({ ok: true, token: token(1), config: CONFIG }).send;
  const slow = fakeCore(() => new Promise((r) => setTimeout(() => r({ ok: true, total: 1, activeCount: 1, sessions: [SESSION] }), 180000)));
  const p = L.listSessions({ send: bg(), DropClient: slow.DropClient, limit: 10 });
  for (let i = 0; i < 5; i++) await Promise.resolve();
  mock.timers.tick(180000);
  const res = await p;
  assert.equal(res.ok, true, JSON.stringify(res));

  const hang = fakeCore(() => new Promise(() => {}));
  const q = L.listSessions({ send: bg(), DropClient: hang.DropClient, limit: 10 });
  for (let i = 0; i < 5; i++) await Promise.resolve();
  mock.timers.tick(300000 + 10000);
  const late = await q;
  assert.equal(late.kind, "timeout");
  assert.equal(late.params.call, "list", "texts of a list timeout, not of a drop");
});

test("humanBytes", () => {
  assert.equal(L.humanBytes(850), "850 B");
  assert.equal(L.humanBytes(12700), "12.4 KiB");
  assert.equal(L.humanBytes(3.1 * 1024 * 1024), "3.1 MiB");
});
