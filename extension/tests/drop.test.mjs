// One termination: de-duplication on the session hash (issue 8 item 6), write-ahead audit
// (item 5), confirmation in an extension window (item 4).
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeStorage, fakeClient, fakeClients, fakeCfg, report, tick, until } from "./bgfakes.mjs";

const { makeDropper } = await importBg("drop");
const { makeInflight } = await importBg("inflight");
const { makeAudit } = await importBg("audit");
const { makeConfirm } = await importBg("confirm");

function gate() {
  let open;
  const p = new Promise((r) => { open = r; });
  return { p, open };
}

function setup({ behaviour = {}, cfg, storage = fakeStorage(), confirm = null } = {}) {
  const log = [];
  const client = fakeClient(behaviour, log);
  const clients = fakeClients(client, cfg);
  const audit = makeAudit({ storage, secrets: () => clients.secrets() });
  const dropper = makeDropper({ clients, audit, inflight: makeInflight(), confirm });
  return { log, client, clients, audit, dropper, storage };
}

test("one DELETE per session hash while in flight, whether named by hash or by row", async () => {
  const g = gate();
  const w = setup({
    behaviour: {
      async drop(ref) {
        await g.p;
        return report("dropped", { sessionId: ref.value });
      },
    },
  });
  const byHash = w.dropper.drop({ ref: { kind: "hash", value: "h42" }, source: "console" });
  const byRow = w.dropper.drop({ ref: { kind: "row", value: "42" }, source: "popup" });
  const other = w.dropper.drop({ ref: { kind: "hash", value: "h7" }, source: "console" });
  await until(() => w.log.filter((c) => c[0] === "drop").length === 2, "two DELETEs under way");
  await tick(5);
  g.open();
  const [a, b, c] = await Promise.all([byHash, byRow, other]);
  assert.deepEqual(w.log.filter((x) => x[0] === "drop"), [["drop", "hash", "h42"], ["drop", "hash", "h7"]]);
  assert.equal(a.kind, "dropped");
  assert.equal(b.kind, "dropped");
  assert.equal(b.sessionId, "h42");
  assert.equal(c.sessionId, "h7");
  // settled: a later click is a new attempt
  await w.dropper.drop({ ref: { kind: "hash", value: "h42" }, source: "console" });
  assert.equal(w.log.filter((x) => x[0] === "drop" && x[2] === "h42").length, 2);
});

test("the deadline answers 'still waiting' but the entry stays until the request settles", async () => {
  const g = gate();
  const w = setup({
    cfg: fakeCfg({ settings: { timeoutMs: 5 } }), // deadline 7 × 5 + 1000 ms
    behaviour: {
      async drop(ref) {
        await g.p;
        return report("dropped", { sessionId: ref.value });
      },
    },
  });
  const first = await w.dropper.drop({ ref: { kind: "hash", value: "abc" }, source: "console" });
  assert.equal(first.kind, "timeout");
  assert.equal(first.params.stillWaiting, "yes");
  assert.equal(first.sessionId, "abc");
  // the core may still send: a second click must not send another DELETE
  const second = w.dropper.drop({ ref: { kind: "row", value: "9" }, source: "console", ...{} });
  const third = w.dropper.drop({ ref: { kind: "hash", value: "abc" }, source: "console" });
  await tick(20);
  g.open();
  await Promise.all([second, third]);
  assert.equal(w.log.filter((x) => x[0] === "drop" && x[2] === "abc").length, 1, "no second DELETE of abc");
  const recs = await w.audit.list();
  assert.equal(recs.filter((r) => r.sessionId === "abc").length, 1);
  assert.equal(recs.find((r) => r.sessionId === "abc").state, "done", "completed once the request settled");
});

test("write-ahead: the 'sending' record is stored before the DELETE, completed after", async () => {
  const ops = [];
  const storage = fakeStorage({}, { log: ops });
  const w = setup({
    storage,
    behaviour: {
      async drop(ref) {
        ops.push(["DELETE", ref.value]);
        const keys = Object.keys(storage.data).filter((k) => k.startsWith("audit:"));
        assert.equal(keys.length, 1, "the record exists when the DELETE leaves");
        assert.equal(storage.data[keys[0]].state, "sending");
        return report("dropped", { sessionId: ref.value, status: 200 });
      },
    },
  });
  const r = await w.dropper.drop({ ref: { kind: "row", value: "5" }, context: { user: "ana", device: "db1" }, source: "console" });
  assert.equal(r.kind, "dropped");
  assert.equal(r.rowId, "5");
  const i = ops.findIndex((o) => o[0] === "DELETE");
  assert.deepEqual(ops.slice(0, i + 2).map((o) => o[0]), ["set", "DELETE", "set"]);
  const [rec] = Object.values(storage.data);
  assert.equal(rec.state, "done");
  assert.equal(rec.kind, "dropped");
  assert.equal(rec.ok, true);
  assert.equal(rec.sessionId, "h5");
  assert.equal(rec.rowId, "5");
  assert.equal(rec.user, "ana");
  assert.equal(rec.source, "console");
  assert.equal(rec.status, 200);
});

test("a failed audit write: audit_failed to the operator, no DELETE", async () => {
  const storage = fakeStorage({}, { fail: (op) => { if (op === "set") throw new Error("QUOTA_BYTES quota exceeded"); } });
  const w = setup({ storage });
  const r = await w.dropper.drop({ ref: { kind: "hash", value: "abc" }, source: "console" });
  assert.equal(r.ok, false);
  assert.equal(r.kind, "audit_failed");
  assert.match(r.params.detail, /QUOTA/);
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 0);
});

test("the record cannot be completed after the DELETE: the operator is told (params.auditIncomplete)", async () => {
  let sets = 0;
  const storage = fakeStorage({}, { fail: (op) => { if (op === "set" && ++sets > 1) throw new Error("QUOTA_BYTES quota exceeded"); } });
  const w = setup({ storage });
  const r = await w.dropper.drop({ ref: { kind: "hash", value: "abc" }, source: "console" });
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 1, "the DELETE left (its record was written first)");
  assert.equal(r.kind, "dropped", "the outcome itself is kept");
  assert.equal(r.params.auditIncomplete, "yes");
});

test("a row that does not resolve is reported, nothing sent", async () => {
  const w = setup({ behaviour: { resolve: async (row) => report("session_not_found", { rowId: row, status: 400 }) } });
  const r = await w.dropper.drop({ ref: { kind: "row", value: "77" }, source: "console" });
  assert.equal(r.kind, "session_not_found");
  assert.equal(r.rowId, "77");
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 0);
  assert.deepEqual(await w.audit.list(), []);
});

function fakeWindows() {
  const created = [];
  const removed = [];
  let n = 100;
  return {
    created,
    removed,
    api: {
      runtime: { getURL: (p) => `chrome-extension://extid/${p}` },
      windows: {
        create: async (o) => { created.push(o); return { id: ++n }; },
        remove: async (id) => { removed.push(id); },
      },
    },
  };
}

test("confirmation: the background opens confirm.html?id=N as a popup window; the drop waits for yes", async () => {
  const win = fakeWindows();
  const confirm = makeConfirm({ api: win.api });
  const w = setup({ confirm });
  const pending = w.dropper.drop({ ref: { kind: "row", value: "42" }, source: "console", ask: true });
  await until(() => win.created.length === 1, "the window");
  const opened = win.created[0];
  assert.equal(opened.type, "popup");
  assert.ok(opened.width > 0 && opened.height > 0);
  assert.match(opened.url, /^chrome-extension:\/\/extid\/confirm\.html\?id=(\d+)$/);
  const id = Number(/id=(\d+)/.exec(opened.url)[1]);
  const info = confirm.get(id);
  assert.equal(info.sessionId, "h42", "the appliance's own answer (list-one) names the session");
  assert.equal(info.rowId, "42");
  assert.equal(info.session.user, "ana");
  assert.equal(info.lookupError, null);
  assert.deepEqual(w.log.map((x) => x[0]), ["lookup"], "nothing sent before the answer");
  assert.equal(confirm.answer(id, true), true);
  const r = await pending;
  assert.equal(r.kind, "dropped");
  assert.deepEqual(w.log.filter((x) => x[0] === "drop"), [["drop", "hash", "h42"]]);
  assert.deepEqual(win.removed, [101], "the window is closed after the answer");
  assert.equal(confirm.answer(id, true), false, "one answer per question");
});

test("confirmation: no, a closed window, a timeout, a window that cannot open: nothing sent", async () => {
  const win = fakeWindows();
  const confirm = makeConfirm({ api: win.api, timeoutMs: 30 });
  const w = setup({ confirm });
  const ask = () => w.dropper.drop({ ref: { kind: "hash", value: "abc" }, source: "console", ask: true });
  const idOf = (i) => Number(/id=(\d+)/.exec(win.created[i].url)[1]);

  const no = ask();
  await until(() => win.created.length === 1);
  assert.deepEqual(confirm.get(idOf(0)), { sessionId: "abc", rowId: null, session: null, lookupError: null, mismatch: false });
  assert.deepEqual(w.log, [], "a hash without a row ID: the appliance is not asked");
  confirm.answer(idOf(0), false);
  assert.equal((await no).kind, "cancelled");

  const closed = ask();
  await until(() => win.created.length === 2 && confirm.size === 1);
  await tick(1);
  confirm.onWindowRemoved(102);
  const c = await closed;
  assert.equal(c.kind, "cancelled");
  assert.equal(c.params.reason, "closed");

  const late = await ask();
  assert.equal(late.params.reason, "timeout");

  const broken = makeConfirm({ api: { runtime: win.api.runtime, windows: { create: async () => { throw new Error("no windows"); } } } });
  const w2 = setup({ confirm: broken });
  const u = await w2.dropper.drop({ ref: { kind: "hash", value: "abc" }, source: "console", ask: true });
  assert.equal(u.params.reason, "unavailable");

  assert.equal(w.log.filter((x) => x[0] === "drop").length + w2.log.filter((x) => x[0] === "drop").length, 0);
  assert.deepEqual(await w.audit.list(), []);
});

test("confirmation of a hash row that shows its row ID: list-one of that row; a match is shown and recorded", async () => {
  const win = fakeWindows();
  const confirm = makeConfirm({ api: win.api });
  const w = setup({ confirm });
  const pending = w.dropper.drop({ ref: { kind: "hash", value: "h42" }, context: { user: "ana", device: "db1", rowId: "42" }, source: "console", ask: true });
  await until(() => win.created.length === 1, "the window");
  const id = Number(/id=(\d+)/.exec(win.created[0].url)[1]);
  const info = confirm.get(id);
  assert.equal(info.sessionId, "h42");
  assert.equal(info.rowId, "42");
  assert.equal(info.mismatch, false);
  assert.equal(info.session.sessionId, "h42", "what the appliance says about row 42");
  assert.equal(info.session.user, "ana");
  assert.deepEqual(w.log, [["lookup", "row", "42"]], "the appliance asked about the row, nothing sent");
  confirm.answer(id, true);
  const r = await pending;
  assert.equal(r.kind, "dropped");
  assert.deepEqual(w.log.filter((x) => x[0] === "drop"), [["drop", "hash", "h42"]]);
  const [rec] = await w.audit.list();
  assert.equal(rec.sessionId, "h42");
  assert.equal(rec.rowId, "42", "confirmed by the appliance: recorded");
  assert.equal(rec.user, "ana");
});

test("confirmation: a row ID the appliance gives to another session is a mismatch; yes still drops only the bound hash", async () => {
  const win = fakeWindows();
  const confirm = makeConfirm({ api: win.api });
  const w = setup({ confirm });
  // the page shows row 7 next to hash "victim": on the appliance row 7 is session "h7"
  const pending = w.dropper.drop({ ref: { kind: "hash", value: "victim" }, context: { rowId: "7" }, source: "console", ask: true });
  await until(() => win.created.length === 1, "the window");
  const id = Number(/id=(\d+)/.exec(win.created[0].url)[1]);
  const info = confirm.get(id);
  assert.equal(info.mismatch, true);
  assert.equal(info.sessionId, "victim", "the window names the session the button terminates");
  assert.equal(info.rowId, "7", "and the row ID the page showed");
  assert.equal(info.session.sessionId, "h7", "and what the appliance says that row is");
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 0, "nothing sent before the answer");
  confirm.answer(id, true);
  const r = await pending;
  assert.equal(r.kind, "dropped");
  assert.deepEqual(w.log.filter((x) => x[0] === "drop"), [["drop", "hash", "victim"]], "only the bound hash, never the row's session");
  const [rec] = await w.audit.list();
  assert.equal(rec.sessionId, "victim");
  assert.equal(rec.rowId, null, "an unconfirmed row ID is not recorded");

  // the same mismatch answered no: nothing sent
  const again = w.dropper.drop({ ref: { kind: "hash", value: "victim2" }, context: { rowId: "7" }, source: "console", ask: true });
  await until(() => win.created.length === 2);
  const id2 = Number(/id=(\d+)/.exec(win.created[1].url)[1]);
  assert.equal(confirm.get(id2).mismatch, true);
  confirm.answer(id2, false);
  const no = await again;
  assert.equal(no.kind, "cancelled");
  assert.equal(no.params.reason, "no");
  assert.equal(w.log.filter((x) => x[0] === "drop" && x[2] === "victim2").length, 0);
});

test("confirmation: a row ID the appliance does not know: the failure is shown, no mismatch, drop only on yes", async () => {
  const win = fakeWindows();
  const confirm = makeConfirm({ api: win.api });
  const w = setup({ confirm });
  const pending = w.dropper.drop({ ref: { kind: "hash", value: "abc" }, context: { rowId: "0" }, source: "console", ask: true });
  await until(() => win.created.length === 1);
  const id = Number(/id=(\d+)/.exec(win.created[0].url)[1]);
  const info = confirm.get(id);
  assert.equal(info.session, null);
  assert.equal(info.mismatch, false);
  assert.equal(info.lookupError.kind, "session_not_found");
  assert.equal(info.sessionId, "abc");
  assert.equal(info.rowId, "0");
  confirm.answer(id, false);
  assert.equal((await pending).kind, "cancelled");
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 0);
});

test("without confirmation a page's row ID is never looked up nor recorded", async () => {
  const w = setup();
  const r = await w.dropper.drop({ ref: { kind: "hash", value: "abc" }, context: { user: "ana", rowId: "7" }, source: "console" });
  assert.equal(r.kind, "dropped");
  assert.equal(r.rowId, null);
  assert.deepEqual(w.log.map((x) => x[0]), ["drop"]);
  const [rec] = await w.audit.list();
  assert.equal(rec.rowId, null);
  assert.equal(rec.user, "ana");
});

test("not usable (not configured, no permission): the client's report, nothing else", async () => {
  const clients = { usable: async () => ({ error: { ok: false, kind: "not_configured", params: {} } }) };
  const dropper = makeDropper({ clients, audit: null, inflight: makeInflight() });
  assert.equal((await dropper.drop({ ref: { kind: "hash", value: "a" }, source: "console" })).kind, "not_configured");
});
