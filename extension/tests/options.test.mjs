// The options form without a browser: values from the stores at once (not from the background),
// late answers never overwrite what a person typed, "15" and "4" are valid. What needs a browser
// (≤ 300 ms on screen in Chromium and Firefox, the form disabled until filled) is for the e2e tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, cpSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EXT, read } from "./helpers.mjs";

// pages/options-form.js imports ../lib/*.js: copy both folders to an ESM temp dir.
const root = mkdtempSync(join(tmpdir(), "session-drop-pages-"));
for (const d of ["lib", "pages"]) cpSync(join(EXT, d), join(root, d), { recursive: true });
writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
const F = await import(pathToFileURL(join(root, "pages", "options-form.js")).href);
const S = await import(pathToFileURL(join(root, "lib", "settings.js")).href);

const later = (v, ms = 5) => new Promise((r) => setTimeout(() => r(v), ms));
function fakeExt({ saved, managed, managedFails = false } = {}) {
  const calls = [];
  return {
    calls,
    storage: {
      local: { get: (k) => { calls.push(["local", k]); return later(saved === undefined ? {} : { settings: saved }); } },
      managed: { get: () => (managedFails ? Promise.reject(new Error("Managed storage manifest not found")) : later(managed || {})) },
    },
    // the background is still loading its wasm: it never answers during these tests
    runtime: { sendMessage: () => new Promise(() => {}) },
  };
}

test("the values come from the stores, without the background, in a few ms", async () => {
  const ext = fakeExt({ saved: { serverUrl: "https://pam.example.com", timeoutMs: 20000, bulkConcurrency: 6, columnTitles: "user: Usuário" } });
  const t0 = performance.now();
  const v = await F.loadLocal(ext, () => later(null));
  assert.ok(performance.now() - t0 < 300, "on screen within 300 ms");
  assert.equal(v.settings.serverUrl, "https://pam.example.com");
  assert.equal(v.settings.timeoutMs, 20000);
  assert.equal(v.settings.columnTitles, "user: Usuário");
  assert.equal(v.fromPreset, false);
  const shown = F.valuesToFill(v, new Set());
  assert.equal(shown.timeoutMs, "20");
  assert.equal(shown.bulkConcurrency, "6");
  assert.equal(shown.generation, "auto");
});

test("first open: the build's preset and the defaults (15 s, 4 at a time)", async () => {
  const v = await F.loadLocal(fakeExt(), () => later({ serverUrl: "https://pam.corp.example" }));
  assert.equal(v.fromPreset, true);
  const shown = F.valuesToFill(v, new Set());
  assert.equal(shown.serverUrl, "https://pam.corp.example");
  assert.equal(shown.timeoutMs, "15");
  assert.equal(shown.bulkConcurrency, "4");
  assert.equal(shown.askBeforeTerminate, false);
  // no preset file (fetch fails) and no policy support (Firefox): still the defaults
  const bare = await F.loadLocal(fakeExt({ managedFails: true }), () => Promise.reject(new TypeError("Failed to fetch")));
  assert.equal(F.valuesToFill(bare, new Set()).serverUrl, "");
  assert.equal(F.valuesToFill(bare, new Set()).timeoutMs, "15");
});

test("policy values win and are marked managed; the secret is never in the view", async () => {
  const v = await F.loadLocal(
    fakeExt({ saved: { serverUrl: "http://127.0.0.1:9", askBeforeTerminate: false }, managed: { serverUrl: "https://pam.policy.example", askBeforeTerminate: true, clientId: "corp-id", clientSecret: "corp-secret", timeoutMs: "bad" } }),
    () => later(null),
  );
  assert.equal(v.settings.serverUrl, "https://pam.policy.example");
  assert.equal(v.settings.askBeforeTerminate, true);
  assert.deepEqual(Object.keys(v.managed).sort(), ["askBeforeTerminate", "clientId", "clientSecret", "serverUrl"]);
  assert.equal(v.settings.clientId, "corp-id");
  assert.equal(v.credsKnown, true);
  assert.equal(v.hasSecret, true);
  assert.doesNotMatch(JSON.stringify(v), /corp-secret/);
  // typed before the policy arrived: the policy still wins (the field is locked)
  assert.equal(F.valuesToFill(v, new Set(["serverUrl"])).serverUrl, "https://pam.policy.example");
});

test("nothing a person typed is overwritten by a late load", async () => {
  const local = await F.loadLocal(fakeExt({ saved: { serverUrl: "https://pam.example.com" } }), () => later(null));
  assert.equal(local.credsKnown, false, "a saved client ID is in the background's vault");
  const dirty = new Set(["serverUrl", "timeoutMs"]);
  const late = F.fromBackground(local, { ok: true, settings: { serverUrl: "https://pam.example.com", clientId: "vault-id", timeoutMs: 15000 }, hasSecret: true, managed: {}, permission: true });
  const fill = F.valuesToFill(late, dirty);
  assert.equal("serverUrl" in fill, false);
  assert.equal("timeoutMs" in fill, false);
  assert.equal(fill.clientId, "vault-id");
  assert.equal(late.hasSecret, true);
  assert.equal("clientSecret" in fill, false, "the secret field is never filled");
  // a failed background answer changes nothing
  assert.equal(F.fromBackground(local, { ok: false, kind: "no_answer" }), local);
  // a managed client ID is not replaced by the vault's
  const managed = { ...local, managed: { clientId: true }, settings: { ...local.settings, clientId: "corp" } };
  assert.equal(F.fromBackground(managed, { ok: true, settings: { clientId: "vault-id" }, hasSecret: true }).settings.clientId, "corp");
});

test("first open in Chromium: the values go on screen without waiting for a late storage.managed", async () => {
  // Chromium answers storage.managed 2–3 s late right after start-up (e2e first_minute figures).
  let answerPolicy;
  const ext = fakeExt();
  ext.storage.managed.get = () => new Promise((r) => { answerPolicy = r; });
  const steps = F.loadLocalSteps(ext, () => later({ serverUrl: "https://pam.corp.example" }));
  const shown = await Promise.race([steps.shown, later("not yet", 300)]);
  assert.notEqual(shown, "not yet", "on screen within 300 ms");
  const values = F.valuesToFill(shown, new Set());
  assert.equal(values.serverUrl, "https://pam.corp.example");
  assert.equal(values.timeoutMs, "15");
  assert.equal(values.bulkConcurrency, "4");
  assert.deepEqual(shown.managed, {});
  // not complete (the form stays disabled) until the policy is known
  let complete = null;
  steps.complete.then((v) => { complete = v; });
  await later(null, 30);
  assert.equal(complete, null, "complete waits for storage.managed");
  answerPolicy({ serverUrl: "https://pam.policy.example", timeoutMs: 30000 });
  const full = await steps.complete;
  assert.equal(full.settings.serverUrl, "https://pam.policy.example");
  assert.deepEqual(Object.keys(full.managed).sort(), ["serverUrl", "timeoutMs"]);
  assert.equal(F.valuesToFill(full, new Set()).timeoutMs, "30");
});

test("a policy already in is shown at once; a storage.managed that never answers is bounded", async () => {
  const fast = F.loadLocalSteps(fakeExt({ managed: { serverUrl: "https://pam.policy.example" } }), () => later(null, 20));
  const shown = await fast.shown;
  assert.equal(shown.settings.serverUrl, "https://pam.policy.example");
  assert.equal(shown.managed.serverUrl, true);
  const ext = fakeExt();
  ext.storage.managed.get = () => new Promise(() => {});
  const t0 = performance.now();
  const full = await F.loadLocal(ext, () => later({ serverUrl: "https://pam.corp.example" }), { managedWaitMs: 50 });
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(full.settings.serverUrl, "https://pam.corp.example");
  assert.deepEqual(full.managed, {});
  assert.ok(F.MANAGED_WAIT_MS >= 3000 && F.MANAGED_WAIT_MS <= 10000, "longer than Chromium's late answer, still a bound");
});

test("a policy the page's read missed comes with the background's answer, and wins", () => {
  const local = { settings: { serverUrl: "https://pam.corp.example", timeoutMs: 15000, clientId: "" }, managed: {}, fromPreset: true, hasSecret: false, credsKnown: false };
  const late = F.fromBackground(local, {
    ok: true,
    settings: { serverUrl: "https://pam.policy.example", timeoutMs: 60000, clientId: "corp-id" },
    managed: { serverUrl: true, clientId: true, clientSecret: true },
    hasSecret: true,
    permission: true,
  });
  assert.equal(late.settings.serverUrl, "https://pam.policy.example");
  assert.equal(late.settings.clientId, "corp-id");
  assert.equal(late.settings.timeoutMs, 15000, "not managed: the page's value");
  assert.equal("clientSecret" in late.settings, false);
  // locked: the policy wins over what was typed
  assert.equal(F.valuesToFill(late, new Set(["serverUrl", "timeoutMs"])).serverUrl, "https://pam.policy.example");
  assert.equal("timeoutMs" in F.valuesToFill(late, new Set(["serverUrl", "timeoutMs"])), false);
});

test('"15" and "4" are valid; out-of-range and junk are not', () => {
  assert.equal(F.timeoutMsOf("15"), 15000);
  assert.equal(F.timeoutMsOf(" 15 "), 15000);
  assert.equal(F.timeoutMsOf("300"), 300000);
  assert.equal(F.timeoutMsOf("1"), 1000);
  assert.equal(F.concurrencyOf("4"), 4);
  assert.equal(F.concurrencyOf("16"), 16);
  for (const bad of ["", "0", "301", "1e1", "abc", "-5", "2.5", "0x10"]) assert.equal(F.timeoutMsOf(bad), null, bad);
  for (const bad of ["", "0", "17", "4.5", "four"]) assert.equal(F.concurrencyOf(bad), null, bad);
  // what the form shows is valid as it stands
  for (const ms of [1000, 15000, 300000]) assert.equal(F.timeoutMsOf(F.shown("timeoutMs", ms)), ms);
  assert.equal(F.concurrencyOf(F.shown("bulkConcurrency", S.DEFAULTS.bulkConcurrency)), S.DEFAULTS.bulkConcurrency);
});

test("options.html: not editable until filled, valid defaults before any load, contract labels", () => {
  const html = read("options.html");
  // disabled, not inert: an inert form would take its fields' labels out of the accessibility tree
  assert.doesNotMatch(html, /<form id="form"[^>]*\binert\b/);
  assert.match(html, /<form id="form"[^>]*aria-busy="true"/);
  const fieldsets = [...html.matchAll(/<fieldset\b([^>]*)>/g)];
  assert.ok(fieldsets.length >= 2);
  for (const f of fieldsets) assert.match(f[1], /\bdisabled\b/);
  assert.match(html, /id="save"[^>]*\bdisabled\b/);
  assert.match(html, /id="test"[^>]*\bdisabled\b/);
  assert.match(html, new RegExp(`id="timeoutSeconds"[^>]*value="${S.DEFAULTS.timeoutMs / 1000}"`));
  assert.match(html, new RegExp(`id="bulkConcurrency"[^>]*value="${S.DEFAULTS.bulkConcurrency}"`));
  for (const [id, label] of [["serverUrl", "Server URL"], ["clientId", "Client ID"], ["clientSecret", "Client secret"]]) {
    assert.match(html, new RegExp(`<label for="${id}" data-i18n="[A-Za-z]+">${label}</label>`));
  }
  assert.match(html, />Save</);
  assert.match(html, />Test connection</);
  for (const id of Object.values(F.FIELDS)) assert.match(html, new RegExp(`id="${id}"`), id);
  // every field has its "Set by your organization" note
  const notes = html.match(/class="managed-note" hidden data-i18n="managedNote">Set by your organization</g) || [];
  assert.equal(notes.length, Object.keys(F.FIELDS).length);
});

test("options.js fills from the stores first and asks the background in parallel", () => {
  const src = read("options.js");
  const local = src.indexOf("loadLocalSteps(ext");
  const bg = src.indexOf('send("getSettings")');
  assert.ok(local > 0 && bg > 0);
  // the background's answer is only awaited after the local fill and enable()
  assert.match(src, /fill\(local\);[\s\S]*enable\(\);[\s\S]*return fromBg;/);
  assert.doesNotMatch(src, /await send\("getSettings"\)/);
});
