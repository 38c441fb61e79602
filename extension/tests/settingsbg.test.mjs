// background/settings.js: getSettings never carries the secret, saveSettings keeps managed values,
// testConnection passes the core's Report through (params.canDrop, issue 10).
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeStorage, fakeClient, fakeClients, fakeCfg, report } from "./bgfakes.mjs";

const { makeSettings } = await importBg("settings");

function env({ cfg = fakeCfg(), behaviour = {} } = {}) {
  const local = fakeStorage();
  const vaultData = { clientId: "cid", clientSecret: "s3cret" };
  const client = fakeClient(behaviour);
  const clients = fakeClients(client, cfg);
  const made = [];
  clients.make = (s) => { made.push(s); return fakeClient(behaviour); };
  let invalidated = 0;
  const s = makeSettings({
    api: { storage: { local } },
    core: { ready: Promise.resolve(true), failed: () => report("core_failed") },
    config: {
      get: async () => cfg,
      invalidate: () => { invalidated++; },
      checkUrl: (u) => (u.startsWith("https://") ? { ok: true, base: u.replace(/\/+$/, ""), origin: new URL(u).origin, matchPattern: `https://${new URL(u).hostname}/*` } : { ok: false, kind: "invalid_config", params: { field: "serverUrl", reason: "insecure" } }),
      hasPermission: async () => true,
    },
    clients,
    vault: { get: async () => vaultData, put: async (v) => Object.assign(vaultData, v) },
  });
  return { s, local, vaultData, made, invalidated: () => invalidated };
}

test("testConnection passes params.canDrop through, for the saved and the form's values", async () => {
  for (const canDrop of ["yes", "no", "unknown"]) {
    const e = env({ behaviour: { testConnection: async () => report("connected", { params: { canDrop } }) } });
    const saved = await e.s.test(undefined);
    assert.equal(saved.kind, "connected");
    assert.deepEqual(saved.params, { canDrop });
    const form = await e.s.test({ serverUrl: "https://other.example.com", clientId: "x", clientSecret: "y" });
    assert.equal(form.params.canDrop, canDrop);
    assert.equal(e.made.at(-1).serverUrl, "https://other.example.com");
  }
});

test("getSettings: no secret; saveSettings: bad URL refused with params, managed values kept", async () => {
  const e = env({ cfg: fakeCfg({ managedKeys: ["askBeforeTerminate", "bulkConcurrency"], saved: { bulkConcurrency: 2 }, settings: { askBeforeTerminate: true, bulkConcurrency: 9 } }) });
  const v = await e.s.get();
  assert.equal(v.hasSecret, true);
  assert.equal(JSON.stringify(v).includes("s3cret"), false);
  assert.equal("lang" in v, false);
  assert.deepEqual(v.managed, { askBeforeTerminate: true, bulkConcurrency: true });
  const bad = await e.s.save({ serverUrl: "http://pam.example.com" });
  assert.deepEqual([bad.kind, bad.params], ["invalid_config", { field: "serverUrl", reason: "insecure" }]);
  const ok = await e.s.save({ bulkConcurrency: 5, timeoutMs: 5000, clientSecret: "" });
  assert.equal(ok.ok, true);
  assert.equal(e.local.data.settings.bulkConcurrency, 2, "a managed key is not written from the form");
  assert.equal(e.local.data.settings.timeoutMs, 5000);
  assert.equal(e.vaultData.clientSecret, "s3cret", "an empty secret keeps the stored one");
  await e.s.save({ clientSecret: "new" });
  assert.equal(e.vaultData.clientSecret, "new");
  assert.ok(e.invalidated() >= 2);
});
