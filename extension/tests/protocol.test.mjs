import { test } from "node:test";
import assert from "node:assert/strict";
import { importLib } from "./helpers.mjs";

const P = await importLib("protocol");
const ctxBase = { runtimeId: "abc", extensionBase: "chrome-extension://abc/", serverOrigin: "https://pam.example.com" };

test("content scripts may only send status, drop, openOptions", () => {
  assert.deepEqual(P.validateMessage({ type: "status" }, "content"), { ok: true, msg: { type: "status" } });
  assert.equal(P.validateMessage({ type: "openOptions" }, "content").ok, true);
  for (const type of ["getSettings", "saveSettings", "testConnection", "bulkStart", "bulkState", "auditList", "auditClear", "curl"]) {
    assert.equal(P.validateMessage({ type }, "content").ok, false, type);
  }
});

test("pages may use the page types and not the content-only ones", () => {
  for (const type of ["getSettings", "bulkState", "auditList", "auditClear", "testConnection"]) {
    assert.equal(P.validateMessage({ type }, "page").ok, true, type);
  }
  assert.equal(P.validateMessage({ type: "status" }, "page").ok, false);
  assert.equal(P.validateMessage({ type: "openOptions" }, "page").ok, false);
});

test("drop payload shape", () => {
  const ok = P.validateMessage({ type: "drop", ref: { kind: "hash", value: "a1b2c3" }, context: { user: "ana", device: "srv" } }, "content");
  assert.deepEqual(ok, { ok: true, msg: { type: "drop", ref: { kind: "hash", value: "a1b2c3" }, context: { user: "ana", device: "srv" }, binding: {} } });
  const bound = P.validateMessage({ type: "drop", ref: { kind: "hash", value: "a1" }, binding: { rowKey: "k-7" } }, "content");
  assert.deepEqual(bound.msg.binding, { rowKey: "k-7" });
  for (const binding of [{ rowKey: 7 }, { rowKey: "x".repeat(257) }, { other: "x" }, "k"]) {
    assert.equal(P.validateMessage({ type: "drop", ref: { kind: "hash", value: "a1" }, binding }, "content").ok, false, JSON.stringify(binding));
  }
  assert.equal(P.validateMessage({ type: "drop", ref: { kind: "row", value: "42" } }, "content").ok, true);
  // the row ID a hash row shows next to its hash (checked with the appliance by the background)
  const withRow = P.validateMessage({ type: "drop", ref: { kind: "hash", value: "a1" }, context: { user: "ana", rowId: "42" } }, "content");
  assert.deepEqual(withRow.msg.context, { user: "ana", rowId: "42" });
  assert.deepEqual(P.validateMessage({ type: "drop", ref: { kind: "hash", value: "a1" }, context: { rowId: null } }, "content").msg.context, {});
  for (const rowId of ["", "4a", "4 2", " 42", "1".repeat(21), 42, "-1", "42\n", {}]) {
    assert.equal(P.validateMessage({ type: "drop", ref: { kind: "hash", value: "a1" }, context: { rowId } }, "content").ok, false, JSON.stringify(rowId));
  }
  const bad = [
    { type: "drop" },
    { type: "drop", ref: null },
    { type: "drop", ref: { kind: "uuid", value: "x" } },
    { type: "drop", ref: { kind: "hash", value: "" } },
    { type: "drop", ref: { kind: "hash", value: "x".repeat(257) } },
    { type: "drop", ref: { kind: "hash", value: "a b" } },
    { type: "drop", ref: { kind: "hash", value: "a\nb" } },
    { type: "drop", ref: { kind: "hash", value: 42 } },
    { type: "drop", ref: { kind: "row", value: "42a" } },
    { type: "drop", ref: { kind: "row", value: "1".repeat(21) } },
    { type: "drop", ref: { kind: "hash", value: "ab", extra: 1 } },
    { type: "drop", ref: { kind: "hash", value: "ab" }, context: { user: "x".repeat(257) } },
    { type: "drop", ref: { kind: "hash", value: "ab" }, context: { role: "admin" } },
    { type: "drop", ref: { kind: "hash", value: "ab" }, context: "ana" },
    { type: "drop", ref: { kind: "hash", value: "ab" }, extra: true },
    ["drop"],
    "drop",
    null,
    { type: 1 },
  ];
  for (const m of bad) assert.equal(P.validateMessage(m, "content").ok, false, JSON.stringify(m));
  assert.equal(P.validateMessage({ type: "drop", ref: { kind: "hash", value: "x".repeat(256) } }, "page").ok, true);
});

test("prototype tricks are refused", () => {
  const m = Object.create({ type: "status" });
  assert.equal(P.validateMessage(m, "content").ok, false);
  assert.equal(P.validateMessage(JSON.parse('{"type":"drop","ref":{"kind":"hash","value":"ab","__proto__":{"x":1}}}'), "content").ok, false);
});

test("settings shape", () => {
  const good = { serverUrl: " https://pam.example.com ", clientId: "id", clientSecret: "", generation: "iso", timeoutMs: 15000, askBeforeTerminate: true, bulkConcurrency: 4, tokenAuth: "basic" };
  const v = P.validateMessage({ type: "saveSettings", settings: good }, "page");
  assert.equal(v.ok, true);
  assert.equal(v.msg.settings.serverUrl, "https://pam.example.com");
  for (const patch of [{ generation: "new" }, { timeoutMs: 10 }, { timeoutMs: 1.5e3 + 0.5 }, { bulkConcurrency: 0 }, { bulkConcurrency: 17 }, { askBeforeTerminate: "yes" }, { tokenAuth: "digest" }, { serverUrl: 5 }, { other: 1 }]) {
    assert.equal(P.validateMessage({ type: "saveSettings", settings: { ...good, ...patch } }, "page").ok, false, JSON.stringify(patch));
  }
  assert.equal(P.validateMessage({ type: "saveSettings" }, "page").ok, false);
  assert.equal(P.validateMessage({ type: "testConnection" }, "page").ok, true);
  assert.equal(P.validateMessage({ type: "testConnection", settings: { serverUrl: "https://x" } }, "page").ok, true);
});

test("bulkStart shape: per item, never all-or-nothing", () => {
  const v = P.validateMessage({ type: "bulkStart", sessions: [{ sessionId: "abc", rowId: 7, user: "u", device: "d" }, { rowId: "8" }, { sessionId: "a b" }], concurrency: 3 }, "page");
  assert.equal(v.ok, true);
  assert.deepEqual(v.msg.items.slice(0, 2), [
    { ok: true, item: { sessionId: "abc", rowId: "7", user: "u", device: "d" } },
    { ok: true, item: { sessionId: null, rowId: "8", user: null, device: null } },
  ]);
  assert.deepEqual(v.msg.items[2], { ok: false, item: { sessionId: "a b", rowId: null, user: null, device: null }, problem: { reason: "forbidden", char: " ", position: 2 } });
  assert.equal(v.msg.concurrency, 3);
  for (const m of [
    { type: "bulkStart", sessions: [] },
    { type: "bulkStart", sessions: [{ sessionId: "ab" }], concurrency: 99 },
    { type: "bulkStart", sessions: "ab" },
  ]) assert.equal(P.validateMessage(m, "page").ok, false, JSON.stringify(m));
  for (const [item, reason] of [[{}, "empty"], [{ rowId: "x" }, "not_a_row_id"], [{ rowId: -1 }, "not_a_row_id"], [{ sessionId: "é" }, "forbidden"], [{ sessionId: "x".repeat(257) }, "too_long"]]) {
    const one = P.checkBulkItem(item);
    assert.equal(one.ok, false, JSON.stringify(item));
    assert.equal(one.problem.reason, reason, JSON.stringify(item));
  }
  const many = Array.from({ length: P.LIMITS.bulkMax + 2 }, (_, i) => ({ rowId: String(i) }));
  const big = P.validateMessage({ type: "bulkStart", sessions: many }, "page");
  assert.equal(big.ok, true);
  assert.equal(big.msg.items.filter((x) => x.skipped).length, 2);
  assert.deepEqual(big.msg.items.at(-1).item.rowId, String(P.LIMITS.bulkMax + 1));
});

test("refProblem mirrors the core's invalid_session_ref reasons", () => {
  assert.equal(P.refProblem("hash", "a1B2-c3_d4.e5~"), null);
  assert.deepEqual(P.refProblem("hash", ""), { reason: "empty" });
  assert.deepEqual(P.refProblem("hash", "a%2f"), { reason: "forbidden", char: "%", position: 2 });
  assert.deepEqual(P.refProblem("hash", ".."), { reason: "dot_segment" });
  assert.deepEqual(P.refProblem("hash", "x".repeat(257)), { reason: "too_long", max: 256 });
  // the core's order: a forbidden character before the length; tab shown as U+0009
  assert.deepEqual(P.refProblem("hash", "x".repeat(300) + "/"), { reason: "forbidden", char: "/", position: 301 });
  assert.deepEqual(P.refProblem("hash", "ab\tc"), { reason: "forbidden", char: "U+0009", position: 3 });
  assert.deepEqual(P.refProblem("row", "12a"), { reason: "not_a_row_id" });
  assert.equal(P.refProblem("row", "12"), null);
});

test("confirmGet / confirmAnswer / freshToken shapes", () => {
  assert.deepEqual(P.validateMessage({ type: "confirmGet", id: 3 }, "page"), { ok: true, msg: { type: "confirmGet", id: 3 } });
  assert.equal(P.validateMessage({ type: "confirmGet", id: 0 }, "page").ok, false);
  assert.equal(P.validateMessage({ type: "confirmGet", id: "3" }, "page").ok, false);
  assert.deepEqual(P.validateMessage({ type: "confirmAnswer", id: 3, yes: false }, "page").msg, { type: "confirmAnswer", id: 3, yes: false });
  assert.equal(P.validateMessage({ type: "confirmAnswer", id: 3 }, "page").ok, false);
  assert.equal(P.validateMessage({ type: "freshToken" }, "page").ok, true);
  for (const type of ["freshToken", "confirmGet", "confirmAnswer"]) assert.equal(P.validateMessage({ type, id: 1, yes: true }, "content").ok, false);
});

test("curl; listActive is gone (the popup lists sessions itself)", () => {
  assert.equal(P.validateMessage({ type: "listActive", limit: 500 }, "page").ok, false);
  assert.equal(P.validateMessage({ type: "curl", ref: { kind: "hash", value: "ab" } }, "page").ok, true);
  assert.equal(P.validateMessage({ type: "curl" }, "page").ok, false);
});

test("sender classification", () => {
  const page = { id: "abc", url: "chrome-extension://abc/popup.html" };
  assert.equal(P.classifySender(page, ctxBase), "page");
  assert.equal(P.classifySender({ ...page, tab: { id: 3 } }, ctxBase), "page");
  const cs = { id: "abc", url: "https://pam.example.com/flow/report?x=1", tab: { id: 4 }, frameId: 0 };
  assert.equal(P.classifySender(cs, ctxBase), "content");
  assert.equal(P.classifySender({ ...cs, tab: undefined }, ctxBase), null, "content scripts come from a tab");
  assert.equal(P.classifySender({ ...cs, frameId: 2 }, ctxBase), "subframe", "not the top frame");
  assert.equal(P.classifySender({ ...cs, frameId: undefined }, ctxBase), "subframe", "no frame id: not trusted as the top frame");
  assert.equal(P.classifySender({ ...cs, tab: { id: 4, url: "https://evil.example.com/" } }, ctxBase), "subframe", "the tab is elsewhere");
  assert.equal(P.classifySender({ ...cs, id: "other" }, ctxBase), null, "other extension");
  assert.equal(P.classifySender({ ...cs, url: "https://evil.example.com/" }, ctxBase), null, "other origin");
  assert.equal(P.classifySender({ ...cs, url: "https://pam.example.com:8443/" }, ctxBase), null, "other port");
  assert.equal(P.classifySender({ ...cs, url: "http://pam.example.com/" }, ctxBase), null, "other scheme");
  assert.equal(P.classifySender({ ...cs, url: "https://pam.example.com.evil.com/" }, ctxBase), null);
  assert.equal(P.classifySender(cs, { ...ctxBase, serverOrigin: null }), null, "no server configured");
  assert.equal(P.classifySender({ ...page, url: "chrome-extension://abcd/popup.html" }, ctxBase), null);
  assert.equal(P.classifySender({ id: "abc" }, ctxBase), null);
  assert.equal(P.classifySender(null, ctxBase), null);
  // default port written or not: same origin
  assert.equal(P.classifySender({ ...cs, url: "https://pam.example.com:443/x" }, ctxBase), "content");
  assert.equal(P.classifySender({ ...cs, url: "http://127.0.0.1:8080/flow" }, { ...ctxBase, serverOrigin: "http://127.0.0.1:8080" }), "content");
  assert.equal(P.classifySender({ ...cs, url: "http://127.0.0.1:9090/flow" }, { ...ctxBase, serverOrigin: "http://127.0.0.1:8080" }), null);
});

test("bulk dedupe keeps the first of each session", () => {
  const items = [
    { sessionId: "a", rowId: null },
    { sessionId: "b", rowId: "2" },
    { sessionId: "a", rowId: "1" },
    { sessionId: null, rowId: "2" },
    { sessionId: null, rowId: "2" },
  ];
  assert.deepEqual(P.dedupeBulk(items), [items[0], items[1], items[3]]);
  assert.notEqual(P.refKey("https://a", { kind: "hash", value: "x" }), P.refKey("https://b", { kind: "hash", value: "x" }));
});

test("parseColumnTitles: roles, comments, errors with line numbers", () => {
  const { parseColumnTitles, checkSettings } = P;
  assert.deepEqual(parseColumnTitles(""), { ok: true, titles: {} });
  assert.deepEqual(
    parseColumnTitles("# comment\nsession: Hash, Token da sessão\n\nUSER: Login"),
    { ok: true, titles: { session: ["Hash", "Token da sessão"], user: ["Login"] } },
  );
  assert.deepEqual(parseColumnTitles("session: Hash\ncolour: red"), { ok: false, line: 2 });
  assert.deepEqual(parseColumnTitles("session:"), { ok: false, line: 1 });
  assert.equal(checkSettings({ columnTitles: "nope" }), null);
  assert.deepEqual(checkSettings({ columnTitles: "id: Código" }), { columnTitles: "id: Código" });
});
