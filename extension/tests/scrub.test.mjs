// Issue 8 item 1: nothing that leaves the background for a content script, the audit trail or an
// export carries the token or the client secret (defence in depth over the core's own rule).
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeStorage, fakeClient, fakeClients, report } from "./bgfakes.mjs";

const { scrubReport, REDACTED } = await importBg("lib/scrub");
const { makeAudit } = await importBg("audit");
const { makeDropper } = await importBg("drop");
const { makeInflight } = await importBg("inflight");
const { makeRouter } = await importBg("router");

const TOKEN = "eyJhbGciOiJIUzI1NiJ9.tok.en";
const SECRET = "s3cret-value";

test("scrubReport: every string, nested, keys too; other values kept; input untouched", () => {
  const leaked = `{"access_token":"${TOKEN}","expires_in":1e400}`;
  const r = {
    ok: false, kind: "token_unreadable", status: 200, serverMessage: `\uFEFF${leaked}`,
    params: { detail: `client_secret=${SECRET}&x`, n: 3 },
    nested: [{ deep: { deeper: [`Bearer ${TOKEN}`] } }, 7, null, true],
    [`key-${SECRET}`]: "v",
  };
  const copy = structuredClone(r);
  const s = scrubReport(r, [TOKEN, SECRET, "", null]);
  assert.deepEqual(r, copy, "the input is not modified");
  const json = JSON.stringify(s);
  assert.equal(json.includes(TOKEN), false);
  assert.equal(json.includes(SECRET), false);
  assert.equal(s.serverMessage, `\uFEFF{"access_token":"${REDACTED}","expires_in":1e400}`);
  assert.equal(s.params.detail, `client_secret=${REDACTED}&x`);
  assert.equal(s.params.n, 3);
  assert.deepEqual(s.nested, [{ deep: { deeper: [`Bearer ${REDACTED}`] } }, 7, null, true]);
  assert.equal(s[`key-${REDACTED}`], "v");
  assert.equal(s.status, 200);
});

test("scrubReport: a secret inside another is replaced whole; cycles and Maps do not break it", () => {
  const a = { text: "abc-abcdef-" };
  a.self = a;
  const s = scrubReport(a, ["abc", "abcdef"]);
  assert.equal(s.text, `${REDACTED}-${REDACTED}-`);
  assert.equal(s.self, null);
  assert.deepEqual(scrubReport(new Map([["m", "x abc"]]), ["abc"]), { m: `x ${REDACTED}` });
  assert.equal(scrubReport("plain", []), "plain");
});

test("a drop whose report quotes the token: the answer to the console and the audit record are scrubbed", async () => {
  const client = fakeClient({
    async drop(ref, c) {
      c.giveToken(TOKEN);
      return report("unexpected", { sessionId: ref.value, status: 200, serverMessage: `{"access_token":"${TOKEN}"}` });
    },
  });
  client.giveToken(TOKEN);
  const clients = fakeClients(client);
  clients.persist();
  const storage = fakeStorage();
  const audit = makeAudit({ storage, secrets: () => [TOKEN, "s3cret"] });
  const dropper = makeDropper({ clients, audit, inflight: makeInflight() });
  const routes = {
    drop: { from: ["content", "page"], validate: (m) => m, handle: (m) => dropper.drop({ ref: m.ref, source: "console" }) },
  };
  const route = makeRouter({
    runtimeId: "extid", extensionBase: "chrome-extension://extid/",
    config: { get: async () => clients.cfg }, routes, secrets: () => [TOKEN, "s3cret"],
  });
  const answer = await route({ type: "drop", ref: { kind: "hash", value: "abc" } },
    { id: "extid", url: "https://pam.example.com/flow", frameId: 0, tab: { id: 1, url: "https://pam.example.com/flow" } });
  assert.equal(answer.kind, "unexpected");
  assert.equal(JSON.stringify(answer).includes(TOKEN), false, JSON.stringify(answer));
  assert.match(answer.serverMessage, /\[redacted\]/);
  const stored = JSON.stringify(storage.data);
  assert.equal(stored.includes(TOKEN), false, "audit record scrubbed");
  assert.match(stored, /\[redacted\]/);
  const listed = await audit.list();
  assert.equal(listed.length, 1);
  assert.equal(JSON.stringify(listed).includes(TOKEN), false);
});
