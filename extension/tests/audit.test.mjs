import { test } from "node:test";
import assert from "node:assert/strict";
import { importLib } from "./helpers.mjs";

const A = await importLib("audit");

/** Minimal RFC 4180 parser to check the round trip. */
function parseCSV(text) {
  const rows = [];
  let row = [];
  let field = "";
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i++; }
    else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

test("csvField quoting", () => {
  assert.equal(A.csvField("plain"), "plain");
  assert.equal(A.csvField("a,b"), '"a,b"');
  assert.equal(A.csvField('say "hi"'), '"say ""hi"""');
  assert.equal(A.csvField("two\nlines"), '"two\nlines"');
  assert.equal(A.csvField("cr\rx"), '"cr\rx"');
  assert.equal(A.csvField(" padded "), '" padded "');
  assert.equal(A.csvField(null), "");
  assert.equal(A.csvField(undefined), "");
  assert.equal(A.csvField(true), "true");
  assert.equal(A.csvField(500), "500");
  assert.equal(A.csvField("ação"), "ação");
});

test("csvField neutralises spreadsheet formulas", () => {
  assert.equal(A.csvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  assert.equal(A.csvField("+1"), "'+1");
  assert.equal(A.csvField("-1"), "'-1");
  assert.equal(A.csvField("@SUM(A1)"), "'@SUM(A1)");
});

test("toCSV: header row, one line per entry, round trip", () => {
  const entries = [
    { at: "2025-01-02T03:04:05.000Z", appliance: "https://pam.example.com", sessionId: "abc", rowId: null, user: "ana, maria",
      device: "srv\n01", kind: "dropped", ok: true, status: 200, title: "Session terminated", cause: "The appliance confirmed, \"done\".", source: "console", runId: null },
    { at: "2025-01-02T03:04:06.000Z", appliance: "https://pam.example.com", sessionId: null, rowId: "42", user: null,
      device: null, kind: "already_ended", ok: false, status: 500, title: "Já encerrada", cause: "x", source: "bulk", runId: "run-1" },
  ];
  const csv = A.toCSV(entries);
  assert.ok(csv.endsWith("\r\n"));
  const rows = parseCSV(csv);
  assert.deepEqual(rows[0], [...A.AUDIT_FIELDS]);
  assert.equal(rows.length, 3);
  const get = (r, f) => r[A.AUDIT_FIELDS.indexOf(f)];
  assert.equal(get(rows[1], "user"), "ana, maria");
  assert.equal(get(rows[1], "device"), "srv\n01");
  assert.equal(get(rows[1], "cause"), "The appliance confirmed, \"done\".");
  assert.equal(get(rows[1], "ok"), "true");
  assert.equal(get(rows[1], "sessionId"), "abc");
  assert.equal(get(rows[2], "rowId"), "42");
  assert.equal(get(rows[2], "sessionId"), "");
  assert.equal(get(rows[2], "source"), "bulk");
  assert.equal(get(rows[2], "runId"), "run-1");
  assert.equal(get(rows[2], "title"), "Já encerrada");
  assert.equal(A.toCSV([]), A.AUDIT_FIELDS.join(",") + "\r\n");
});

test("toJSON keeps exactly the audit fields", () => {
  const e = { ...A.completeEntry(A.makeSendingEntry({ id: "audit:1", appliance: "x", source: "popup" }), { kind: "dropped", ok: true }), secret: "no" };
  const out = JSON.parse(A.toJSON([e]));
  assert.ok(Object.keys(out[0]).every((k) => A.AUDIT_FIELDS.includes(k)), Object.keys(out[0]).join());
  assert.equal(out[0].secret, undefined);
  assert.equal(out[0].source, "popup");
});

test("write-ahead entries: sending, then done with kind, status, server message and params (no text)", () => {
  const s = A.makeSendingEntry({ id: "audit:7", appliance: "https://pam", ref: { kind: "hash", value: "h" }, rowId: "7", context: { user: "u".repeat(1000) }, source: "weird", runId: "run-1" });
  assert.equal(s.state, "sending");
  assert.equal(s.kind, null);
  assert.equal(s.source, "console");
  assert.equal(s.sessionId, "h");
  assert.equal(s.rowId, "7");
  assert.equal(s.user.length, 256);
  assert.ok(!Number.isNaN(Date.parse(s.at)));
  const d = A.completeEntry(s, { ok: false, kind: "too_large", status: 200, serverMessage: "x".repeat(500), params: { limit: 65536, call: "drop", bad: { o: 1 } }, message: { title: "ignored" } });
  assert.equal(d.state, "done");
  assert.equal(d.kind, "too_large");
  assert.equal(d.ok, false);
  assert.equal(d.status, 200);
  assert.equal(d.serverMessage.length, 300);
  assert.deepEqual(d.params, { limit: 65536, call: "drop" });
  assert.equal("message" in d, false);
  assert.equal("title" in d, false);
  assert.equal(A.completeEntry(s, null).kind, "unexpected");
  assert.deepEqual(Object.keys(d).sort(), [...A.ENTRY_FIELDS].sort());
});

test("capByBytes keeps the newest entries that fit, oldest evicted first", () => {
  const list = Array.from({ length: 50 }, (_, i) => ({ n: i, pad: "x".repeat(100) }));
  const one = A.entryBytes(list[49]);
  const { kept, evicted } = A.capByBytes(list, one * 10 + 2);
  assert.equal(kept.length, 10);
  assert.equal(kept[0].n, 40);
  assert.equal(evicted.length, 40);
  assert.ok(JSON.stringify(kept).length <= one * 10 + 2);
  assert.equal(A.AUDIT_MAX_BYTES, 4 * 1024 * 1024);
  assert.equal(A.entryBytes({ s: "é" }), JSON.stringify({ s: "é" }).length + 2, "UTF-8 bytes");
});
