// The content script's entry (content/main.js) and the row texts (features/terminate-button.js).
import { test } from "node:test";
import assert from "node:assert/strict";
import { importContent } from "./content-helpers.mjs";

const main = await importContent("content/main.js");
const { reportTexts, TEXT_MAX } = await importContent("content/features/terminate-button.js");

function fakeRoot({ framed = false, status = { configured: true } } = {}) {
  const sent = [];
  const listeners = [];
  const win = { addEventListener: (...a) => listeners.push(a) };
  win.top = framed ? { other: "window" } : win;
  const root = {
    window: win,
    document: { visibilityState: "visible", addEventListener: (...a) => listeners.push(a) },
    chrome: {
      runtime: {
        id: "x",
        sendMessage: async (m) => {
          sent.push(m);
          return status;
        },
      },
    },
  };
  return { root, sent, listeners };
}

function fakeFeature() {
  const f = { name: "fake", inits: [], init: (signal, ctx) => f.inits.push({ signal, ctx }) };
  return f;
}

const settle = () => new Promise((r) => setTimeout(r, 0));

test("in a frame, the content script does nothing: no message, no feature, no listener", async () => {
  const { root, sent, listeners } = fakeRoot({ framed: true });
  const f = fakeFeature();
  assert.equal(main.boot(root, { features: [f] }), false);
  await settle();
  assert.deepEqual(sent, []);
  assert.equal(f.inits.length, 0);
  assert.equal(listeners.length, 0);
  // a window whose `top` cannot even be read counts as framed
  const odd = fakeRoot();
  Object.defineProperty(odd.root.window, "top", { get() { throw new Error("denied"); } });
  assert.equal(main.boot(odd.root, { features: [f] }), false);
});

test("in a top-level document: asks for the status, then starts the features", async () => {
  const { root, sent } = fakeRoot();
  const f = fakeFeature();
  assert.equal(main.boot(root, { features: [f] }), true);
  await settle();
  assert.deepEqual(sent, [{ type: "status" }]);
  assert.equal(f.inits.length, 1);
  assert.equal(f.inits[0].ctx.doc, root.document);
  assert.equal(f.inits[0].signal.aborted, false);
});

test("a page that is not the configured appliance (or a refused frame) gets nothing", async () => {
  for (const kind of ["invalid_request", "not_top_frame"]) {
    const { root } = fakeRoot({ status: { ok: false, kind } });
    const f = fakeFeature();
    main.boot(root, { features: [f] });
    await settle();
    assert.equal(f.inits.length, 0, kind);
  }
});

test("a second injection into the same world stops the first one", async () => {
  const { root } = fakeRoot();
  const f = fakeFeature();
  main.boot(root, { features: [f] });
  await settle();
  main.boot(root, { features: [f] });
  await settle();
  assert.equal(f.inits.length, 2);
  assert.equal(f.inits[0].signal.aborted, true);
  assert.equal(f.inits[1].signal.aborted, false);
  assert.equal(typeof root[main.STOP], "function");
  assert.equal(Object.keys(root).some((k) => k.includes("sessionDrop")), false, "no namespace object");
});

test("row texts: describeReport from the catalogue, an older Report's message, else the fallback; capped", () => {
  const catalogue = {
    report_dropped_title: "Session terminated",
    report_dropped_cause: "The appliance ended it.",
    report_dropped_fix: "",
    report_unexpected_title: "Unexpected answer",
    report_unexpected_cause: "Odd.",
    report_unexpected_fix: "Retry.",
    report_server_said: "The appliance said: “$1”.",
  };
  const t = (k, subs) => (catalogue[k] || "").replace("$1", subs ? subs[0] : "");
  const fb = { title: "fallback", cause: "", fix: "" };
  assert.deepEqual(reportTexts({ ok: true, kind: "dropped", params: {} }, t, fb),
    { title: "Session terminated", cause: "The appliance ended it.", fix: "" });
  // no params at all (an older background): still described
  assert.equal(reportTexts({ ok: true, kind: "dropped" }, t, fb).title, "Session terminated");
  // a catalogue without report texts (an older package): the Report's own message
  const none = () => "";
  const legacy = { ok: false, kind: "auth_failed", message: { title: "Auth failed", cause: "c", fix: "f" } };
  assert.deepEqual(reportTexts(legacy, none, fb), { title: "Auth failed", cause: "c", fix: "f" });
  assert.deepEqual(reportTexts({ ok: false, kind: "auth_failed" }, none, fb), fb);
  assert.deepEqual(reportTexts(null, none, fb), fb);
  // server text is quoted as given by describeReport, and every part is capped
  const long = "x".repeat(5000);
  const m = reportTexts({ ok: false, kind: "unexpected", serverMessage: "<b>hi</b>" }, t, fb);
  assert.match(m.cause, /^The appliance said: “<b>hi<\/b>”\. Odd\.$/);
  const big = reportTexts({ ok: false, kind: "x", message: { title: long, cause: long, fix: long } }, none, fb);
  for (const p of ["title", "cause", "fix"]) assert.equal(big[p].length, TEXT_MAX + 1, p);
});
