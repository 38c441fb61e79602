import { test } from "node:test";
import assert from "node:assert/strict";
import { el, table } from "./fakedom.mjs";
import { importContent } from "./content-helpers.mjs";

const dom = await importContent("content/dom.js");

test("dom.js is an ES module that shares nothing through globals", () => {
  assert.equal(typeof dom.classifyHeaders, "function");
  assert.equal(dom.fold("  ID  da   Sessão "), "id da sessao");
  assert.equal("__sessionDrop" in globalThis, false);
});

test("fold: NFD, no accents, lowercase, collapsed", () => {
  assert.equal(dom.fold("Usuário"), "usuario");
  assert.equal(dom.fold("AÇÕES"), "acoes");
  assert.equal(dom.fold("\n Session\u00a0ID \t"), "session id");
  assert.equal(dom.fold("Session-ID:"), "session id");
  assert.equal(dom.fold("Dispositivo ▲"), "dispositivo");
  assert.equal(dom.fold(null), "");
});

test("classifyHeaders: hash column", () => {
  const c = dom.classifyHeaders(["ID", "Session ID", "Credential", "Device", "User", "Origin IP", "Action"]);
  assert.equal(c.mode, "hash");
  assert.equal(c.refCol, 1);
  assert.equal(c.idCol, 0);
  assert.equal(c.userCol, 4);
  assert.equal(c.deviceCol, 3);
  assert.equal(c.actionCol, 6);
  const pt = dom.classifyHeaders(["ID", "ID da sessão", "Usuário", "Ações"]);
  assert.equal(pt.mode, "hash");
  assert.equal(pt.refCol, 1);
  assert.equal(pt.actionCol, 3);
});

test("classifyHeaders: numeric row id needs ID + User + Device", () => {
  const c = dom.classifyHeaders(["ID", "User", "Origin IP", "Credential", "Device", "Protocol", "Start", "Time"]);
  assert.equal(c.mode, "row");
  assert.equal(c.refCol, 0);
  assert.equal(c.actionCol, -1);
  assert.equal(dom.classifyHeaders(["ID", "Usuário", "Dispositivo"]).mode, "row");
  assert.equal(dom.classifyHeaders(["ID", "User"]), null);
  assert.equal(dom.classifyHeaders(["Name", "User", "Device"]), null);
  assert.equal(dom.classifyHeaders(["Identifier", "User", "Device"]), null);
  assert.equal(dom.classifyHeaders([]), null);
});

test("headerText ignores icons, hidden helpers and form controls", () => {
  const th = el("th", {},
    el("i", { class: "fa fa-sort" }, ""),
    el("span", { class: "material-icons" }, "sort"),
    " Session ",
    el("b", {}, "ID"),
    el("span", { class: "sr-only" }, "(sortable)"),
    el("svg", {}, el("title", {}, "arrow")),
    el("select", {}, el("option", {}, "Any")),
    el("span", { "aria-hidden": "true" }, "▼"),
  );
  assert.equal(dom.headerText(th), "Session ID");
  assert.equal(dom.headerText(el("th", { "aria-label": "Usuário" }, el("i", { class: "icon-user" }))), "Usuário");
  // a wrapper whose class merely contains "icon" is not an icon
  assert.equal(dom.headerText(el("th", {}, el("span", { class: "header-icon-text" }, "Device"))), "Device");
});

test("analyzeTable: <thead> and first row of <th>", () => {
  const withHead = table({ head: ["ID", "Session ID", "User", "Device", "Action"], rows: [["1", "abc", "ana", "srv", ""]] });
  const a = dom.analyzeTable(withHead);
  assert.equal(a.mode, "hash");
  assert.equal(a.inThead, true);
  const noHead = table({ thead: false, head: ["ID", "User", "Device"], rows: [["7", "ana", "srv"]] });
  const b = dom.analyzeTable(noHead);
  assert.equal(b.mode, "row");
  assert.equal(b.headerRow, noHead.rows[0]);
  assert.equal(dom.isDataRow(noHead.rows[0], b), false);
  assert.equal(dom.isDataRow(noHead.rows[1], b), true);
  assert.equal(dom.analyzeTable(table({ head: ["Name", "Value"], rows: [] })), null);
  // first row of <td> (no header at all) is not a header
  const tdOnly = el("table", {}, el("tbody", {}, el("tr", {}, el("td", {}, "ID"), el("td", {}, "User"), el("td", {}, "Device"))));
  assert.equal(dom.analyzeTable(tdOnly), null);
});

test("analyzeTable picks the matching row of a multi-row thead", () => {
  const t = el("table", {},
    el("thead", {},
      el("tr", {}, el("th", { colspan: "3" }, "Remote sessions")),
      el("tr", {}, el("th", {}, "ID"), el("th", {}, "Usuário"), el("th", {}, "Dispositivo"))),
    el("tbody", {}, el("tr", {}, el("td", {}, "12"), el("td", {}, "ana"), el("td", {}, "db01"))));
  const a = dom.analyzeTable(t);
  assert.equal(a.mode, "row");
  assert.equal(a.headerRow, t.tHead.rows[1]);
  assert.equal(dom.isDataRow(t.tHead.rows[0], a), false);
});

test("readRef / readContext", () => {
  const t = table({
    head: ["ID", "Session ID", "User", "Device", "Action"],
    rows: [
      ["1", " a1b2c3d4 ", "ana", "srv-01", ""],
      ["2", el("td", {}, el("span", { title: "ffee0011aabb" }, "ffee…")), "bob", "srv-02", ""],
      ["3", "", "carl", "srv-03", ""],
      ["x", "", "dan", "srv-04", ""],
      ["5", "../etc", "eve", "srv-05", ""],
    ],
  });
  const info = dom.analyzeTable(t);
  const rows = t.rows;
  assert.deepEqual(dom.readRef(rows[1], info), { kind: "hash", value: "a1b2c3d4" });
  assert.deepEqual(dom.readContext(rows[1], info), { user: "ana", device: "srv-01" });
  assert.deepEqual(dom.readRef(rows[2], info), { kind: "hash", value: "ffee0011aabb" }, "full hash from title");
  assert.deepEqual(dom.readRef(rows[3], info), { kind: "row", value: "3" }, "falls back to the numeric id");
  assert.equal(dom.readRef(rows[4], info), null);
  assert.deepEqual(dom.readRef(rows[5], info), { kind: "row", value: "5" }, "dot segments are not a hash");
  const rowTable = table({ head: ["ID", "User", "Device"], rows: [["42", "ana", "db"], ["—", "", ""]] });
  const ri = dom.analyzeTable(rowTable);
  assert.deepEqual(dom.readRef(rowTable.rows[1], ri), { kind: "row", value: "42" });
  assert.equal(dom.readRef(rowTable.rows[2], ri), null, "placeholder row");
});

test("readRowId: the numeric ID a hash row shows next to its hash, else null", () => {
  const t = table({
    head: ["ID", "Session ID", "User", "Device"],
    rows: [
      [" 41 ", "a1b2c3d4", "ana", "srv-01"],
      ["", "b2c3d4e5", "bob", "srv-02"],
      ["4 2", "c3d4e5f6", "carl", "srv-03"],
      ["1".repeat(21), "d4e5f6a7", "dan", "srv-04"],
    ],
  });
  const info = dom.analyzeTable(t);
  const rows = t.rows;
  assert.equal(dom.readRowId(rows[1], info), "41");
  assert.equal(dom.readRowId(rows[1], info, rows[1].cells), "41", "from the row's cells (decoration path)");
  assert.equal(dom.readRowId(rows[2], info), null, "empty");
  assert.equal(dom.readRowId(rows[3], info), null, "not a row id");
  assert.equal(dom.readRowId(rows[4], info), null, "too long");
  const noId = table({ head: ["Session ID", "User"], rows: [["a1b2", "ana"]] });
  assert.equal(dom.readRowId(noId.rows[1], dom.analyzeTable(noId)), null, "no ID column");
  const rowTable = table({ head: ["ID", "User", "Device"], rows: [["42", "ana", "db"]] });
  assert.equal(dom.readRowId(rowTable.rows[1], dom.analyzeTable(rowTable)), null, "a row-id table: the reference is the ID already");
});

test("cellAt is colspan-aware", () => {
  const t = el("table", {},
    el("thead", {}, el("tr", {}, el("th", { colspan: "2" }, "ID"), el("th", {}, "User"), el("th", {}, "Device"))),
    el("tbody", {}, el("tr", {}, el("td", {}, "9"), el("td", {}, "x"), el("td", {}, "ana"), el("td", {}, "db"))));
  const info = dom.analyzeTable(t);
  assert.equal(info.spans, true);
  assert.equal(info.userCol, 2);
  const row = t.rows[1];
  assert.equal(dom.cellAt(row, 2, true).textContent, "ana");
  assert.deepEqual(dom.readContext(row, info), { user: "ana", device: "db" });
});

test("hash / row value checks", () => {
  for (const v of ["abc", "a1b2", "6f1c2e8a-9b1d-4c3e-8f7a-0123456789ab", "A_b-c.d~e"]) assert.equal(dom.isHashValue(v), true, v);
  for (const v of ["", "a b", "a/b", "a\\b", "a%2f", "a?b", "a#b", "..", "x..y", "ação", "x".repeat(257)]) assert.equal(dom.isHashValue(v), false, v);
  assert.equal(dom.isRowValue("123"), true);
  assert.equal(dom.isRowValue("1".repeat(21)), false);
  assert.equal(dom.isRowValue("-1"), false);
});

test("classifyHeaders: extra column titles from the options", () => {
  assert.equal(dom.classifyHeaders(["Código", "Hash", "Login"]), null);
  dom.setExtraHeaders({ session: ["Hash"], action: ["Opções"] });
  try {
    const c = dom.classifyHeaders(["Código", "HASH", "Login", "Opcoes"]);
    assert.equal(c.mode, "hash");
    assert.equal(c.sessionCol, 1);
    assert.equal(c.actionCol, 3);
    // built-in titles keep working
    assert.equal(dom.classifyHeaders(["Session ID"]).mode, "hash");
  } finally {
    dom.setExtraHeaders(null);
  }
  assert.equal(dom.classifyHeaders(["Código", "Hash", "Login"]), null);
});

test("dataRows: body rows and rows placed directly in the table, never the header, thead or tfoot", () => {
  const t = table({ head: ["ID", "Session ID", "User", "Device"], rows: [["1", "a", "u", "d"], ["2", "b", "u", "d"]] });
  const info = dom.analyzeTable(t);
  assert.deepEqual(dom.dataRows(t, info).map((r) => r.cells[0].textContent), ["1", "2"]);
  // header row inside the tbody (no thead)
  const noHead = table({ thead: false, head: ["ID", "User", "Device"], rows: [["7", "ana", "srv"]] });
  const ni = dom.analyzeTable(noHead);
  assert.deepEqual(dom.dataRows(noHead, ni).map((r) => r.cells[0].textContent), ["7"]);
  // a tfoot, a second tbody and a row appended straight to the table by a script
  t.appendChild(el("tfoot", {}, el("tr", {}, el("td", {}, "total"))));
  t.appendChild(el("tbody", {}, el("tr", {}, el("td", {}, "3"), el("td", {}, "c"))));
  t.appendChild(el("tr", {}, el("td", {}, "4"), el("td", {}, "d")));
  assert.deepEqual(dom.dataRows(t, info).map((r) => r.cells[0].textContent), ["1", "2", "3", "4"]);
});

test("itemOf: HTMLCollection.item, null out of range or for a missing column", () => {
  const row = el("tr", {}, el("td", {}, "x"), el("td", {}, "y"));
  assert.equal(dom.itemOf(row.cells, 1).textContent, "y");
  assert.equal(dom.itemOf(row.cells, 2), null);
  assert.equal(dom.itemOf(row.cells, -1), null);
  assert.equal(dom.itemOf(null, 0), null);
  assert.equal(dom.textOf(row.cells[0]), "x");
});
