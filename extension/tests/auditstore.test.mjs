// The audit store (issue 8 item 5): one record per key, written before the DELETE, capped by bytes
// under the quota, a failed write visible, settings never blocked by the audit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeStorage, fakeClient, fakeClients, fakeCfg } from "./bgfakes.mjs";

const { makeAudit, AUDIT_PREFIX } = await importBg("audit");
const { makeSettings } = await importBg("settings");

const begin = (audit, i, extra = {}) => audit.begin({ appliance: "https://pam", ref: { kind: "hash", value: `h${i}` }, context: {}, source: "bulk", runId: "r", ...extra });

test("records are separate keys in time order, the trail not read before the first write", async () => {
  const ops = [];
  const storage = fakeStorage({ settings: { serverUrl: "x" } }, { fail: (op) => { ops.push(op); } });
  const a = makeAudit({ storage });
  const id1 = await begin(a, 1);
  assert.equal(ops[0], "set", "the first record is written before anything is read");
  storage.log.length = 0;
  const id2 = await begin(a, 2);
  assert.ok(id1.startsWith(AUDIT_PREFIX) && id1 < id2, `${id1} < ${id2}`);
  await a.complete(id1, { ok: true, kind: "dropped", status: 200 });
  // each write is one record, not the whole trail
  assert.deepEqual(storage.log.map((o) => o[1]), [[id2], [id1]]);
  const b = makeAudit({ storage });
  const id3 = await begin(b, 3);
  assert.ok(id3 > id2);
  const list = await b.list();
  assert.deepEqual(list.map((e) => [e.sessionId, e.state]), [["h1", "done"], ["h2", "sending"], ["h3", "sending"]]);
  assert.deepEqual((await b.ofRun("r")).length, 3);
  await b.clear();
  assert.deepEqual(await b.list(), []);
  assert.deepEqual(Object.keys(storage.data), ["settings"], "clear leaves the settings");
});

test("capped by bytes, oldest first", async () => {
  const storage = fakeStorage();
  const a = makeAudit({ storage, maxBytes: 3000 });
  for (let i = 0; i < 40; i++) await a.complete(await begin(a, i), { ok: true, kind: "dropped" });
  await new Promise((r) => setTimeout(r, 5));
  const json = JSON.stringify(Object.values(storage.data));
  assert.ok(json.length <= 3000, `${json.length} bytes kept`);
  const list = await a.list();
  assert.ok(list.length > 3 && list.length < 40);
  assert.equal(list.at(-1).sessionId, "h39", "the newest kept");
  assert.ok(a.bytes() <= 3000);
});

test("a trail of the previous version (one array) is moved to records once", async () => {
  const storage = fakeStorage({ audit: [{ at: "2025-01-01T00:00:00Z", kind: "dropped", ok: true, sessionId: "old" }] });
  const a = makeAudit({ storage });
  const list = await a.list();
  assert.equal(list.length, 1);
  assert.equal(list[0].sessionId, "old");
  assert.equal("audit" in storage.data, false);
});

test("a failed completion is reported false and the record stays 'sending' (sent, outcome unknown)", async () => {
  let fail = false;
  const storage = fakeStorage({}, { fail: (op) => { if (fail && op === "set") throw new Error("disk"); } });
  const a = makeAudit({ storage });
  const id = await begin(a, 1);
  fail = true;
  assert.equal(await a.complete(id, { ok: true, kind: "dropped" }), false);
  assert.equal(storage.data[id].state, "sending");
  await assert.rejects(begin(a, 2), /disk/);
});

test("saving settings is never blocked by a full audit trail: the trail gives room", async () => {
  // storage.local with a quota: a write that would go over it fails
  const QUOTA = 6000;
  let storage;
  storage = fakeStorage({}, {
    fail: (op, keys) => {
      if (op !== "set") return;
      if (JSON.stringify(storage.data).length + 400 > QUOTA && keys.includes("settings")) throw new Error("QUOTA_BYTES quota exceeded");
    },
  });
  const audit = makeAudit({ storage, maxBytes: QUOTA });
  for (let i = 0; i < 40; i++) await audit.complete(await begin(audit, i), { ok: true, kind: "dropped" });
  const before = (await audit.list()).length;
  const cfg = fakeCfg();
  const settings = makeSettings({
    api: { storage: { local: storage } },
    core: { ready: Promise.resolve(true) },
    config: { get: async () => cfg, checkUrl: () => ({ ok: true, base: "https://pam.example.com" }), invalidate() {} },
    clients: fakeClients(fakeClient()),
    vault: { get: async () => ({ clientId: "cid", clientSecret: "s3cret" }), put: async () => {} },
    audit,
  });
  const r = await settings.save({ timeoutMs: 20000 });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(storage.data.settings.timeoutMs, 20000);
  assert.ok((await audit.list()).length < before, "the oldest records made room");
});
