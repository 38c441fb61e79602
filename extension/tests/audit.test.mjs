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
    A.makeAuditEntry({ at: "2025-01-02T03:04:05.000Z", appliance: "https://pam.example.com", ref: { kind: "hash", value: "abc" },
      report: { ok: true, kind: "dropped", status: 200, sessionId: "abc", message: { title: "Session terminated", cause: "The appliance confirmed, \"done\".", fix: "" } },
      context: { user: "ana, maria", device: "srv\n01" }, source: "console" }),
    A.makeAuditEntry({ at: "2025-01-02T03:04:06.000Z", appliance: "https://pam.example.com", ref: { kind: "row", value: "42" },
      report: { ok: false, kind: "already_ended", status: 500, message: { title: "Já encerrada", cause: "x" } },
      context: {}, source: "bulk", runId: "run-1" }),
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
  const e = { ...A.makeAuditEntry({ appliance: "x", report: { kind: "dropped", ok: true }, source: "popup" }), secret: "no" };
  const out = JSON.parse(A.toJSON([e]));
  assert.deepEqual(Object.keys(out[0]), [...A.AUDIT_FIELDS]);
  assert.equal(out[0].source, "popup");
});

test("makeAuditEntry: fields, defaults and bounds", () => {
  const e = A.makeAuditEntry({ appliance: "https://pam", ref: { kind: "hash", value: "h" }, report: null, source: "weird" });
  assert.equal(e.kind, "unexpected");
  assert.equal(e.ok, false);
  assert.equal(e.source, "console");
  assert.equal(e.sessionId, "h");
  assert.equal(e.rowId, null);
  assert.ok(!Number.isNaN(Date.parse(e.at)));
  const long = A.makeAuditEntry({ appliance: "a", report: { kind: "dropped" }, context: { user: "u".repeat(1000) }, source: "bulk" });
  assert.equal(long.user.length, 256);
  const resolved = A.makeAuditEntry({ appliance: "a", ref: { kind: "row", value: "7" }, report: { kind: "dropped", ok: true, sessionId: "hash7", rowId: "7" }, source: "console" });
  assert.equal(resolved.sessionId, "hash7");
  assert.equal(resolved.rowId, "7");
});

test("appendAudit evicts the oldest beyond the cap", () => {
  let list = [];
  for (let i = 0; i < 12; i++) list = A.appendAudit(list, [{ n: i }], 5);
  assert.deepEqual(list.map((e) => e.n), [7, 8, 9, 10, 11]);
  const batch = A.appendAudit([{ n: 0 }, { n: 1 }], [{ n: 2 }, { n: 3 }, { n: 4 }], 3);
  assert.deepEqual(batch.map((e) => e.n), [2, 3, 4]);
  assert.equal(A.AUDIT_CAP, 5000);
  const big = A.appendAudit(Array.from({ length: 5000 }, (_, i) => ({ n: i })), [{ n: 5000 }]);
  assert.equal(big.length, 5000);
  assert.equal(big[0].n, 1);
  assert.equal(big[4999].n, 5000);
  assert.deepEqual(A.appendAudit(undefined, [{ n: 1 }]), [{ n: 1 }]);
});
