import { test } from "node:test";
import assert from "node:assert/strict";
import { importLib } from "./helpers.mjs";

const S = await importLib("settings");
const U = await importLib("url");
const R = await importLib("report");

test("defaults when nothing is saved", () => {
  const { settings, managedKeys, fromPreset } = S.mergeSettings({ saved: undefined, preset: null, vault: null, managed: {} });
  assert.deepEqual(settings, { ...S.DEFAULTS, clientId: "", clientSecret: "" });
  assert.deepEqual(managedKeys, []);
  assert.equal(fromPreset, false);
  assert.equal(S.DEFAULTS.bulkConcurrency, 4);
  assert.equal(S.DEFAULTS.askBeforeTerminate, false);
  assert.equal(S.DEFAULTS.generation, "auto");
});

test("preset.json fills in only when nothing is saved", () => {
  const preset = { serverUrl: "http://127.0.0.1:8080", clientId: "demo-client", clientSecret: "demo-secret" };
  const a = S.mergeSettings({ saved: undefined, preset, vault: null, managed: {} });
  assert.equal(a.settings.serverUrl, "http://127.0.0.1:8080");
  assert.equal(a.settings.clientId, "demo-client");
  assert.equal(a.settings.clientSecret, "demo-secret");
  assert.equal(a.fromPreset, true);
  const b = S.mergeSettings({ saved: { serverUrl: "https://pam.example.com" }, preset, vault: { clientId: "mine", clientSecret: "s" }, managed: {} });
  assert.equal(b.settings.serverUrl, "https://pam.example.com");
  assert.equal(b.settings.clientId, "mine");
  assert.equal(b.settings.clientSecret, "s");
  assert.equal(b.fromPreset, false);
  const c = S.mergeSettings({ saved: { serverUrl: "" }, preset, vault: { clientId: "mine", clientSecret: "" }, managed: {} });
  assert.equal(c.settings.serverUrl, "", "an explicitly cleared URL stays cleared");
  assert.equal(c.settings.clientSecret, "demo-secret", "no stored secret: the preset one");
});

test("managed values win and are reported as locked", () => {
  const r = S.mergeSettings({
    saved: { serverUrl: "https://user.example.com", askBeforeTerminate: false, bulkConcurrency: 8 },
    preset: null,
    vault: { clientId: "user-id", clientSecret: "user-secret" },
    managed: { serverUrl: "https://corp.example.com", clientSecret: "corp-secret", askBeforeTerminate: true, bulkConcurrency: 99, generation: "new", unknown: 1 },
  });
  assert.equal(r.settings.serverUrl, "https://corp.example.com");
  assert.equal(r.settings.clientSecret, "corp-secret");
  assert.equal(r.settings.clientId, "user-id");
  assert.equal(r.settings.askBeforeTerminate, true);
  assert.equal(r.settings.bulkConcurrency, 8, "an out-of-range policy value is ignored");
  assert.equal(r.settings.generation, "auto", "an unknown policy value is ignored");
  assert.deepEqual(r.managedKeys.sort(), ["askBeforeTerminate", "clientSecret", "serverUrl"]);
});

test("stored settings are sanitised", () => {
  assert.deepEqual(S.sanitizeStored({ serverUrl: "https://x", timeoutMs: "15000", clientSecret: "leak", generation: "iso" }), { serverUrl: "https://x", generation: "iso" });
});

test("UI language mapping", () => {
  assert.equal(S.uiLang("pt-BR"), "pt-BR");
  assert.equal(S.uiLang("pt"), "pt-BR");
  assert.equal(S.uiLang("pt-PT"), "pt-BR");
  assert.equal(S.uiLang("en-US"), "en");
  assert.equal(S.uiLang("es"), "en");
  assert.equal(S.uiLang(undefined), "en");
});

test("parseServerUrl: match pattern without port, loopback http only", () => {
  assert.deepEqual(U.parseServerUrl(" https://PAM.Example.com:8443/prefix/ "), {
    ok: true, origin: "https://pam.example.com:8443", base: "https://pam.example.com:8443/prefix", matchPattern: "https://pam.example.com/*",
  });
  assert.equal(U.parseServerUrl("http://127.0.0.1:8080").matchPattern, "http://127.0.0.1/*");
  assert.equal(U.parseServerUrl("http://localhost:3000/").ok, true);
  assert.equal(U.parseServerUrl("http://pam.example.com").reason, "insecure");
  assert.equal(U.parseServerUrl("ftp://pam.example.com").reason, "scheme");
  assert.equal(U.parseServerUrl("https://u:p@pam.example.com").reason, "userinfo");
  assert.equal(U.parseServerUrl("https://pam.example.com/?a=1").reason, "query");
  assert.equal(U.parseServerUrl("https://pam.example.com/#x").reason, "query");
  assert.equal(U.parseServerUrl("pam.example.com").reason, "syntax");
  assert.equal(U.parseServerUrl("").reason, "empty");
  assert.equal(U.originOf("https://a.example.com:443/x"), "https://a.example.com");
  assert.equal(U.originOf("not a url"), null);
});

test("plainReport copies exactly the v2 Report fields (objects and Maps), params kept, no message", () => {
  const src = { ok: true, kind: "dropped", status: 200, next: "done", sessionId: "abc", rowId: null, generation: "api", attempts: 1, tokenRenewed: false, serverMessage: null, params: { canDrop: "yes", n: 2, bad: { x: 1 }, nope: null }, message: { title: "T" }, extra: () => 1 };
  const r = R.plainReport(src);
  assert.deepEqual(r, { ok: true, kind: "dropped", status: 200, next: "done", sessionId: "abc", rowId: null, generation: "api", attempts: 1, tokenRenewed: false, serverMessage: null, params: { canDrop: "yes", n: 2, bad: "[object Object]" } });
  const m = new Map([["ok", false], ["kind", "auth_failed"], ["status", 401], ["rowId", 42n], ["params", new Map([["limit", 65536]])]]);
  const rm = R.plainReport(m);
  assert.equal(rm.kind, "auth_failed");
  assert.equal(rm.rowId, "42");
  assert.deepEqual(rm.params, { limit: 65536 });
  assert.equal(R.plainReport(undefined).kind, "unexpected");
  assert.doesNotThrow(() => structuredClone(rm));
});

test("makeReport / reportFromError: extension-only kinds with params; thrown Reports stay Reports", () => {
  assert.deepEqual(R.makeReport("no_permission", { origin: "https://x" }), {
    ok: false, kind: "no_permission", status: null, next: "report", sessionId: null, rowId: null, generation: null,
    attempts: 0, tokenRenewed: false, serverMessage: null, params: { origin: "https://x" },
  });
  const thrown = { ok: false, kind: "invalid_config", params: { field: "clientSecret" } };
  assert.deepEqual(R.reportFromError(thrown).params, { field: "clientSecret" });
  const e = R.reportFromError(new Error("boom"));
  assert.equal(e.kind, "core_failed");
  assert.deepEqual(e.params, { detail: "boom" });
});

test("summarize counts per state and kind, failure reasons by kind", () => {
  const s = R.summarize([
    { state: "done", ok: true, kind: "dropped" },
    { state: "done", ok: false, kind: "already_ended" },
    { state: "done", ok: false, kind: "not_authorized" },
    { state: "done", ok: false, kind: "not_authorized" },
    { state: "done", ok: false, kind: "timeout" },
    { state: "invalid", ok: false, kind: "invalid_session_ref" },
    { state: "skipped" },
    { state: "unknown" },
    { state: "not_sent" },
    { state: "pending" },
    { state: "sending" },
  ]);
  assert.deepEqual(s, { dropped: 1, alreadyEnded: 1, failed: 3, invalid: 1, skipped: 1, unknown: 1, notSent: 1, pending: 2,
    reasons: [{ kind: "not_authorized", count: 2 }, { kind: "timeout", count: 1 }] });
});

test("withDeadline resolves with the fallback when the promise hangs", async () => {
  const r = await R.withDeadline(new Promise(() => {}), 20, () => "late");
  assert.equal(r, "late");
  assert.equal(await R.withDeadline(Promise.resolve("fast"), 1000, () => "late"), "fast");
});

test("plainSession", () => {
  const s = R.plainSession({ id: 7, user: "ana", originIp: "10.0.0.1", credential: "root", device: "db", protocol: "SSH", proxy: "p", sessionId: "h", start: "2025-01-01 10:00:00", end: null, time: "00:10:00", junk: 1 });
  assert.equal(s.id, "7");
  assert.equal(s.end, null);
  assert.equal("junk" in s, false);
});
