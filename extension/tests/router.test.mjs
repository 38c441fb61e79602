// The router table (issue 9) and the framing rule (issue 8 item 3): content messages only from the
// TOP frame of a tab on the configured origin; page-only types only from extension pages.
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeCfg } from "./bgfakes.mjs";

const { makeRouter } = await importBg("router");
const { makeRoutes } = await importBg("routes");
const P = await importBg("lib/protocol");

const BASE = "chrome-extension://extid/";
const PAGE = { id: "extid", url: `${BASE}popup.html` };
const top = (url, tabUrl = url) => ({ id: "extid", url, frameId: 0, tab: { id: 7, url: tabUrl } });
const framed = (url, tabUrl) => ({ id: "extid", url, frameId: 3, tab: { id: 7, url: tabUrl } });
const INVALID = { ok: false, kind: "invalid_request" };

function world(cfg = fakeCfg()) {
  const calls = [];
  const rec = (name, value) => async (...a) => {
    calls.push([name, ...a]);
    return value;
  };
  const deps = {
    api: { runtime: { openOptionsPage: rec("openOptions") } },
    settings: { get: rec("getSettings", { ok: true }), save: rec("save", { ok: true }), test: rec("test", { ok: true, kind: "connected", params: { canDrop: "no" } }) },
    dropper: { drop: rec("drop", { ok: true, kind: "dropped", sessionId: "abc", params: {} }) },
    bulk: { start: rec("bulkStart", { ok: true }), state: rec("bulkState", { ok: true, run: null }) },
    lists: { freshToken: rec("freshToken", { ok: true, token: { accessToken: "tok", expiresAtMs: 1 } }), curl: rec("curl", { ok: true }) },
    audit: { list: async () => [], clear: async () => {} },
    confirm: { get: (id) => (id === 1 ? { sessionId: "abc", rowId: null, session: null, lookupError: null } : null), answer: (id) => id === 1 },
    extensionBase: BASE,
  };
  const route = makeRouter({ runtimeId: "extid", extensionBase: BASE, config: { get: async () => cfg }, routes: makeRoutes(deps), secrets: () => ["tok", "s3cret"] });
  return { route, calls };
}

test("a drop from a frame that is not the top one is refused (not_top_frame), nothing done", async () => {
  const w = world();
  const drop = { type: "drop", ref: { kind: "hash", value: "abc" } };
  const a = await w.route(drop, framed("https://pam.example.com/flow", "https://pam.example.com/flow"));
  assert.equal(a.ok, false);
  assert.equal(a.kind, "not_top_frame");
  // the console framed by a foreign site: the frame is on the configured origin, the tab is not
  const b = await w.route(drop, framed("https://pam.example.com/flow", "https://evil.example.net/"));
  assert.equal(b.kind, "not_top_frame");
  // a top frame whose tab URL disagrees
  const c = await w.route(drop, top("https://pam.example.com/flow", "https://evil.example.net/"));
  assert.equal(c.kind, "not_top_frame");
  // status and openOptions too
  assert.equal((await w.route({ type: "status" }, framed("https://pam.example.com/", "https://pam.example.com/"))).kind, "not_top_frame");
  assert.equal((await w.route({ type: "openOptions" }, framed("https://pam.example.com/", "https://pam.example.com/"))).kind, "not_top_frame");
  assert.deepEqual(w.calls, []);
  const ok = await w.route(drop, top("https://pam.example.com/flow"));
  assert.equal(ok.kind, "dropped");
  assert.equal(w.calls.length, 1);
  assert.equal(w.calls[0][1].source, "console");
});

test("senders and payloads refused with invalid_request", async () => {
  const w = world();
  const cs = top("https://pam.example.com/flow/report");
  for (const [msg, sender] of [
    [{ type: "getSettings" }, cs],
    [{ type: "freshToken" }, cs],
    [{ type: "confirmAnswer", id: 1, yes: true }, cs],
    [{ type: "bulkState" }, cs],
    [{ type: "status" }, top("https://evil.example.com/")],
    [{ type: "status" }, { ...cs, id: "other-extension" }],
    [{ type: "status" }, { id: "extid", url: "https://pam.example.com/flow" }],
    [{ type: "drop", ref: { kind: "row", value: "12a" } }, cs],
    [{ type: "drop", ref: { kind: "hash", value: "abc" }, extra: 1 }, cs],
    [{ type: "drop", ref: { kind: "hash", value: "abc" }, binding: { rowKey: 5 } }, cs],
    [{ type: "status" }, PAGE],
    [{ type: "whatever" }, PAGE],
    [{ type: "toString" }, PAGE],
    [{ type: "__proto__" }, PAGE],
    [null, PAGE],
  ]) {
    assert.deepEqual(await w.route(msg, sender), INVALID, JSON.stringify(msg));
  }
  assert.deepEqual(w.calls, []);
  // the drop payload of docs/DESIGN.md §3
  const d = await w.route({ type: "drop", ref: { kind: "hash", value: "abc" }, context: { user: "ana" }, binding: { rowKey: "r-1" } }, cs);
  assert.equal(d.ok, true);
  assert.deepEqual(w.calls[0][1].context, { user: "ana" });
});

test("answers are scrubbed except freshToken's, which only extension pages get", async () => {
  const w = world();
  const t = await w.route({ type: "freshToken" }, PAGE);
  assert.equal(t.token.accessToken, "tok", "the token reaches the popup");
  const s = await w.route({ type: "testConnection" }, PAGE);
  assert.equal(s.params.canDrop, "no", "the core's canDrop passes through");
});

test("status for the content script; no lang any more", async () => {
  const w = world(fakeCfg({ settings: { askBeforeTerminate: true, columnTitles: "user: Operador" } }));
  assert.deepEqual(await w.route({ type: "status" }, top("https://pam.example.com/x")), {
    configured: true, askBeforeTerminate: true, columnTitles: { user: ["Operador"] },
  });
  const o = await w.route({ type: "openOptions" }, top("https://pam.example.com/x"));
  assert.deepEqual(o, { ok: true });
});

test("drop asks only for a console drop with askBeforeTerminate", async () => {
  const w = world(fakeCfg({ settings: { askBeforeTerminate: true } }));
  await w.route({ type: "drop", ref: { kind: "hash", value: "abc" } }, top("https://pam.example.com/x"));
  await w.route({ type: "drop", ref: { kind: "hash", value: "abc" } }, PAGE);
  assert.equal(w.calls[0][1].ask, true);
  assert.equal(w.calls[1][1].ask, false);
  assert.equal(w.calls[1][1].source, "popup");
});

test("confirmGet / confirmAnswer only from the confirmation page", async () => {
  const w = world();
  const confirmPage = { id: "extid", url: `${BASE}confirm.html?id=1` };
  assert.deepEqual(await w.route({ type: "confirmGet", id: 1 }, PAGE), INVALID);
  assert.deepEqual(await w.route({ type: "confirmGet", id: 1 }, confirmPage), { ok: true, sessionId: "abc", rowId: null, session: null, lookupError: null });
  assert.deepEqual(await w.route({ type: "confirmGet", id: 2 }, confirmPage), INVALID);
  assert.deepEqual(await w.route({ type: "confirmAnswer", id: 1, yes: "yes" }, confirmPage), INVALID);
  assert.deepEqual(await w.route({ type: "confirmAnswer", id: 1, yes: true }, PAGE), INVALID);
  assert.deepEqual(await w.route({ type: "confirmAnswer", id: 1, yes: true }, confirmPage), { ok: true });
});

test("classifySender: top frame, sub frame, page, others", () => {
  const c = { runtimeId: "extid", extensionBase: BASE, serverOrigin: "https://pam.example.com" };
  assert.equal(P.classifySender(top("https://pam.example.com/a"), c), "content");
  assert.equal(P.classifySender(framed("https://pam.example.com/a", "https://pam.example.com/"), c), "subframe");
  assert.equal(P.classifySender({ id: "extid", url: "https://pam.example.com/a", tab: { id: 1 } }, c), "subframe", "no frameId: not the top frame");
  assert.equal(P.classifySender(PAGE, c), "page");
  assert.equal(P.classifySender(top("https://other.example.com/a"), c), null);
});
