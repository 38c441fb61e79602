import { test } from "node:test";
import assert from "node:assert/strict";
import { importLib } from "./helpers.mjs";
import { tEn } from "./i18nfake.mjs";

const A = await importLib("audit");
const { describeReport } = await importLib("report-text");
const describe = (e) => describeReport(e, tEn);
/** An entry as the background writes it: the write-ahead record, completed when a report is given. */
const entry = ({ report, ...a }) => (report ? A.completeEntry(A.makeSendingEntry(a), report, a.at) : A.makeSendingEntry(a));

/** Minimal RFC 4180 parser (separator `sep`) to check the round trip. */
function parseCSV(text, sep = ",") {
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
    else if (c === sep) { row.push(field); field = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i++; }
    else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** What a spreadsheet would evaluate: a cell (after any split at , ; tab CR LF) whose text, less
 *  leading whitespace, starts with = + - @ (or their full-width forms). */
function evaluable(cell) {
  return cell.split(/[,;\t\r\n]/).some((part) => /^[ \t\r\n]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/.test(part)) || /^[\t\r]/.test(cell);
}

test("csvField: every field quoted, RFC 4180", () => {
  assert.equal(A.csvField("plain"), '"plain"');
  assert.equal(A.csvField("a,b"), '"a,b"');
  assert.equal(A.csvField('say "hi"'), '"say ""hi"""');
  assert.equal(A.csvField("two\nlines"), '"two\nlines"');
  assert.equal(A.csvField(" padded "), '" padded "');
  assert.equal(A.csvField(null), '""');
  assert.equal(A.csvField(undefined), '""');
  assert.equal(A.csvField(true), '"true"');
  assert.equal(A.csvField(500), '"500"');
  assert.equal(A.csvField("ação"), '"ação"');
  assert.equal(A.csvField("ana - maria"), '"ana - maria"', "a dash inside text is left alone");
});

test("csvField neutralises formulas at the start and after any separator or leading whitespace", () => {
  assert.equal(A.csvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  assert.equal(A.csvField("+1"), "\"'+1\"");
  assert.equal(A.csvField("-1"), "\"'-1\"");
  assert.equal(A.csvField("@SUM(A1)"), "\"'@SUM(A1)\"");
  assert.equal(A.csvField("x;=1+1"), "\"x;'=1+1\"", "pt-BR Excel splits at ;");
  assert.equal(A.csvField("x,=1+1"), "\"x,'=1+1\"");
  assert.equal(A.csvField("x\t=1+1"), "\"x\t'=1+1\"", "tab");
  assert.equal(A.csvField("x\r=1+1"), "\"x\r'=1+1\"", "CR");
  assert.equal(A.csvField("x\n@cmd"), "\"x\n'@cmd\"", "LF");
  assert.equal(A.csvField("x; =1+1"), "\"x; '=1+1\"", "whitespace after the separator");
  assert.equal(A.csvField("  =1+1"), "\"'  =1+1\"", "leading spaces");
  assert.ok(A.csvField("\t=1").startsWith("\"'"), "leading tab");
  assert.ok(A.csvField("\r\n-2").startsWith("\"'"), "leading CR LF");
  assert.equal(A.csvField("a;\uFF1D1+1"), "\"a;'\uFF1D1+1\"", "full-width equals");
  const nasty = ["=1", "x;=1+1", "x\t+cmd", "x\r-1", "x\n@a", " ;=1", "a,b;c\t=d", "\t\t=1", ";;;=1", "a; ;=1"];
  for (const s of nasty) {
    const cell = parseCSV(A.csvField(s))[0][0];
    // every part a spreadsheet could make a cell now starts with the quote, not with a trigger
    for (const part of cell.split(/[,;\t\r\n]/)) assert.doesNotMatch(part, /^[ \t]*[=+\-@]/, `${JSON.stringify(s)} -> ${JSON.stringify(cell)}`);
    assert.equal(evaluable(cell), false, JSON.stringify(cell));
  }
});

test("a CSV opened with ; or tab as separator has no evaluable cell either", () => {
  const entries = [entry({ appliance: "https://pam", ref: { kind: "hash", value: "h1" },
    report: { ok: false, kind: "unexpected", status: 500, serverMessage: "x;=cmd|' /C calc'!A0" },
    context: { user: "ana;=1+1", device: "srv\t-2" }, source: "console" })];
  const csv = A.toCSV(entries, describe);
  for (const sep of [",", ";", "\t"]) {
    for (const row of parseCSV(csv, sep)) for (const cell of row) assert.equal(evaluable(cell), false, `${sep}: ${JSON.stringify(cell)}`);
  }
});

test("toCSV: header row, one line per entry, texts from the catalogue, round trip", () => {
  const entries = [
    entry({ at: "2025-01-02T03:04:05.000Z", appliance: "https://pam.example.com", ref: { kind: "hash", value: "abc" },
      report: { ok: true, kind: "dropped", status: 200, sessionId: "abc", serverMessage: "Session dropped, \"done\"" },
      context: { user: "ana, maria", device: "srv\n01" }, source: "console", id: "a1" }),
    entry({ at: "2025-01-02T03:04:06.000Z", appliance: "https://pam.example.com", ref: { kind: "row", value: "42" },
      report: { ok: false, kind: "already_ended", status: 500 }, context: {}, source: "bulk", runId: "run-1" }),
    { at: "2024-12-01T00:00:00.000Z", appliance: "https://old", sessionId: "old", kind: "dropped", ok: true, title: "Já encerrada", cause: "stored text" },
  ];
  const csv = A.toCSV(entries, describe);
  assert.ok(csv.endsWith("\r\n"));
  const rows = parseCSV(csv);
  assert.deepEqual(rows[0], [...A.AUDIT_FIELDS]);
  assert.equal(rows.length, 4);
  const get = (r, f) => r[A.AUDIT_FIELDS.indexOf(f)];
  assert.equal(get(rows[1], "user"), "ana, maria");
  assert.equal(get(rows[1], "device"), "srv\n01");
  assert.equal(get(rows[1], "title"), "Session terminated");
  assert.ok(get(rows[1], "cause").startsWith("The appliance said: “Session dropped, \"done\"”."));
  assert.equal(get(rows[1], "serverMessage"), "Session dropped, \"done\"");
  assert.equal(get(rows[1], "ok"), "true");
  assert.equal(get(rows[1], "id"), "a1");
  assert.equal(get(rows[1], "state"), "done");
  assert.equal(get(rows[2], "rowId"), "42");
  assert.equal(get(rows[2], "sessionId"), "");
  assert.equal(get(rows[2], "source"), "bulk");
  assert.equal(get(rows[2], "runId"), "run-1");
  assert.equal(get(rows[2], "title"), "Session not terminated");
  assert.equal(get(rows[3], "title"), "Já encerrada", "entries stored with texts keep them");
  assert.equal(A.toCSV([], describe), A.AUDIT_FIELDS.map((f) => `"${f}"`).join(",") + "\r\n");
});

test("exports keep exactly the audit fields: nothing else an entry carries leaves", () => {
  // Whatever reaches an entry besides its fields (a token, a secret) is not exported; scrubbing the
  // fields themselves is the background's job (scrubReport) before the entry is made.
  const e = { ...entry({ appliance: "x", report: { kind: "dropped", ok: true }, source: "popup" }),
    accessToken: "tok-not-exported", clientSecret: "secret-not-exported", token: { accessToken: "tok2-not-exported" } };
  const out = JSON.parse(A.toJSON([e], describe));
  assert.deepEqual(Object.keys(out[0]), [...A.AUDIT_FIELDS]);
  assert.equal(out[0].source, "popup");
  assert.equal(out[0].title, "Session terminated");
  const csv = A.toCSV([e], describe);
  for (const text of [JSON.stringify(out), csv]) assert.doesNotMatch(text, /not-exported/);
  // a report's own extra fields do not reach the entry at all
  const fromReport = entry({ appliance: "x", report: { kind: "auth_failed", accessToken: "tok3-not-kept", params: { token: { a: 1 } } }, source: "console" });
  assert.doesNotMatch(JSON.stringify(fromReport), /tok3|"token"/);
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
