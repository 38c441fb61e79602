// Bulk runs: per-item validation (issue 8 item 9) and an honest account after the background is
// stopped mid-run (item 5): no session sent twice, every sent DELETE recorded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeStorage, fakeClient, fakeClients, report, tick, until } from "./bgfakes.mjs";

const { makeBulk, RUN_KEY } = await importBg("bulk");
const { makeDropper } = await importBg("drop");
const { makeInflight } = await importBg("inflight");
const { makeAudit } = await importBg("audit");
const P = await importBg("lib/protocol");

function world({ behaviour = {}, local = fakeStorage(), client } = {}) {
  const log = [];
  const c = client ?? fakeClient(behaviour, log);
  const clients = fakeClients(c);
  const audit = makeAudit({ storage: local, secrets: () => clients.secrets() });
  const dropper = makeDropper({ clients, audit, inflight: makeInflight() });
  const api = { storage: { local }, runtime: { getPlatformInfo: async () => ({}) } };
  const bulk = makeBulk({ api, clients, dropper, audit, secrets: () => clients.secrets() });
  return { log: c.log, client: c, clients, audit, bulk, local };
}

const msg = (sessions, concurrency) => P.VALIDATORS.bulkStart({ type: "bulkStart", sessions, ...(concurrency ? { concurrency } : {}) });

async function finished(bulk) {
  let s;
  await until(async () => {
    s = await bulk.state();
    return s.run && !s.run.running;
  }, "the run's end");
  return s.run;
}

test("bad items are reported as such and the rest run (no all-or-nothing)", async () => {
  const w = world();
  const m = msg([
    { sessionId: "good1" },
    { sessionId: "has space" },
    { sessionId: "x".repeat(300) },
    { rowId: "12a" },
    { sessionId: "a..b" },
    { sessionId: "a/b" },
    { user: "only a user" },
    "not an object",
    { sessionId: "good2", extra: 1 },
    { rowId: 7, user: "ana" },
    { sessionId: "good1" }, // the same session twice: once
  ], 3);
  assert.ok(m, "the message as a whole is accepted");
  const start = await w.bulk.start(m);
  assert.equal(start.ok, true);
  const run = await finished(w.bulk);
  const byState = (st) => run.results.filter((l) => l.state === st);
  assert.deepEqual(byState("done").map((l) => l.sessionId), ["good1", "h7"]);
  assert.equal(byState("invalid").length, 8);
  const reasons = byState("invalid").map((l) => l.report.params.reason);
  assert.deepEqual(reasons, ["forbidden", "too_long", "not_a_row_id", "dot_segment", "forbidden", "empty", "empty", "empty"]);
  const space = byState("invalid")[0].report;
  assert.equal(space.kind, "invalid_session_ref");
  assert.equal(space.params.char, " ");
  assert.equal(space.params.position, 4, "1-based, as the core counts");
  assert.equal(space.sessionId, "has space");
  assert.deepEqual(w.log.filter((x) => x[0] === "drop").map((x) => x[2]), ["good1", "h7"]);
  assert.equal(run.summary.invalid, 8);
  assert.equal(run.summary.dropped, 2);
});

test("more than 20,000 items: the first 20,000 run, the rest are reported skipped", async () => {
  const w = world();
  const sessions = Array.from({ length: 20005 }, (_, i) => ({ sessionId: `s${i}` }));
  const start = await w.bulk.start(msg(sessions, 16));
  assert.equal(start.ok, true);
  const run = await finished(w.bulk);
  assert.equal(run.total, 20005);
  assert.equal(run.summary.dropped, 20000);
  assert.equal(run.summary.skipped, 5);
  assert.deepEqual(run.results.filter((l) => l.state === "skipped").map((l) => l.sessionId), ["s20000", "s20001", "s20002", "s20003", "s20004"]);
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 20000);
  assert.equal(P.VALIDATORS.bulkStart({ type: "bulkStart", sessions: [] }), null);
});

test("bounded pool, token fetched once by a read-only call (no probe DELETE), audit per session", async () => {
  let inFlight = 0;
  let max = 0;
  const w = world({
    behaviour: {
      async drop(ref) {
        inFlight++;
        max = Math.max(max, inFlight);
        await tick(3);
        inFlight--;
        if (ref.value === "h3") return report("already_ended", { sessionId: "h3", status: 500 });
        if (ref.value === "h4") return report("not_authorized", { sessionId: "h4", status: 500 });
        return report("dropped", { sessionId: ref.value });
      },
    },
  });
  const sessions = Array.from({ length: 12 }, (_, i) => ({ sessionId: `h${i + 1}`, user: `u${i}` }));
  await w.bulk.start(msg(sessions, 3));
  const busy = await w.bulk.start(msg([{ sessionId: "zz" }]));
  assert.equal(busy.kind, "bulk_running");
  const run = await finished(w.bulk);
  assert.equal(max, 3);
  assert.deepEqual(w.log.filter((x) => x[0] !== "drop"), [["ensureToken", false]], "one token, from the token endpoint only, never testConnection");
  assert.equal(run.summary.dropped, 10);
  assert.equal(run.summary.alreadyEnded, 1);
  assert.deepEqual(run.summary.reasons, [{ kind: "not_authorized", count: 1 }]);
  const recs = await w.audit.ofRun(run.id);
  assert.equal(recs.length, 12);
  assert.ok(recs.every((r) => r.state === "done" && r.source === "bulk"));
  assert.equal(w.local.data[RUN_KEY].running, false, "final state stored");
});

test("token failure: nothing sent, every session not_sent with the reason", async () => {
  const w = world({ behaviour: { ensureToken: async () => report("redirect", { params: { location: "https://elsewhere.example" } }) } });
  await w.bulk.start(msg([{ sessionId: "a" }, { sessionId: "b" }]));
  const run = await finished(w.bulk);
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 0);
  assert.equal(run.summary.notSent, 2);
  assert.equal(run.error.kind, "redirect");
  assert.equal(run.results[0].report.params.location, "https://elsewhere.example");
});

test("an audit write failure stops the run: nothing more is sent", async () => {
  let writes = 0;
  const local = fakeStorage({}, { fail: (op, keys) => { if (op === "set" && keys.some((k) => k.startsWith("audit:")) && ++writes > 4) throw new Error("quota"); } });
  const w = world({ local });
  await w.bulk.start(msg(Array.from({ length: 10 }, (_, i) => ({ sessionId: `s${i}` })), 1));
  const run = await finished(w.bulk);
  assert.equal(w.log.filter((x) => x[0] === "drop").length, 2, "begin+complete for two, then the third begin fails");
  assert.equal(run.error.kind, "audit_failed");
  assert.equal(run.summary.dropped, 2);
  assert.equal(run.summary.notSent, 8);
});

test("a background stopped mid-run: on restart every line is settled honestly, nothing re-sent", async () => {
  const local = fakeStorage();
  const hang = new Promise(() => {});
  let sent = 0;
  const first = world({
    local,
    behaviour: {
      async drop(ref) {
        sent++;
        if (sent > 3) return hang; // the worker is killed while these are under way
        return report("dropped", { sessionId: ref.value });
      },
    },
  });
  const sessions = Array.from({ length: 10 }, (_, i) => ({ sessionId: `s${i}` }));
  await first.bulk.start(msg(sessions, 2));
  await until(() => sent === 5, "three answered, two under way");
  await tick(5);
  // the previous instance is gone; storage.local and the audit trail remain
  const second = world({ local: fakeStorage(structuredClone(local.data)) });
  await second.bulk.restore();
  const { run } = await second.bulk.state();
  assert.equal(run.running, false);
  assert.equal(run.interrupted, true);
  const states = Object.fromEntries(run.results.map((l) => [l.sessionId, l.state]));
  assert.deepEqual(states, { s0: "done", s1: "done", s2: "done", s3: "unknown", s4: "unknown", s5: "not_sent", s6: "not_sent", s7: "not_sent", s8: "not_sent", s9: "not_sent" });
  assert.equal(run.summary.unknown, 2);
  assert.equal(run.summary.notSent, 5);
  assert.equal(run.summary.dropped, 3);
  assert.equal(second.log.length, 0, "the new instance sends nothing");
  // every DELETE that was sent has a record
  const recs = await second.audit.ofRun(run.id);
  assert.deepEqual(recs.map((r) => r.sessionId).sort(), ["s0", "s1", "s2", "s3", "s4"]);
  // a finished run is left as it is by the next restart
  const third = world({ local: fakeStorage(structuredClone(second.local.data)) });
  await third.bulk.restore();
  assert.deepEqual((await third.bulk.state()).run, run);
});

test("the restore is off the start-up path: the first bulkState or bulkStart settles the cut run first", async () => {
  // main.js starts bulk.restore() only after start-up (it reads the whole stored run); a page may
  // ask before that: it still gets the settled run, and a new run cannot overwrite the cut one
  // before it was settled.
  const local = fakeStorage();
  const hang = new Promise(() => {});
  let sent = 0;
  const first = world({
    local,
    behaviour: {
      async drop(ref) {
        sent++;
        return sent > 1 ? hang : report("dropped", { sessionId: ref.value });
      },
    },
  });
  await first.bulk.start(msg([{ sessionId: "a0" }, { sessionId: "a1" }, { sessionId: "a2" }], 1));
  await until(() => sent === 2, "one answered, one under way");
  await tick(5);

  const second = world({ local: fakeStorage(structuredClone(local.data)) });
  const { run } = await second.bulk.state(); // no restore() called yet
  assert.equal(run.running, false);
  assert.equal(run.interrupted, true);
  assert.deepEqual(run.results.map((l) => l.state), ["done", "unknown", "not_sent"]);

  const store = fakeStorage(structuredClone(local.data));
  const runWrites = [];
  const set = store.set.bind(store);
  store.set = async (obj) => {
    if (obj[RUN_KEY]) runWrites.push(structuredClone(obj[RUN_KEY]));
    return set(obj);
  };
  const third = world({ local: store });
  const started = await third.bulk.start(msg([{ sessionId: "b0" }])); // no restore() called yet
  assert.equal(started.ok, true);
  await finished(third.bulk);
  // the cut run was settled and stored before the new one replaced it
  assert.equal(runWrites[0].id, run.id);
  assert.equal(runWrites[0].interrupted, true);
  assert.notEqual(runWrites.at(-1).id, run.id);
  assert.deepEqual(third.log.filter((x) => x[0] === "drop").map((x) => x[2]), ["b0"], "nothing of the cut run re-sent");
});
