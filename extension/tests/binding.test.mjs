// The button binding rules (content/binding.js): a click sends what the button was bound to, and
// only while the button is where we put it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { el, doc, table } from "./fakedom.mjs";
import { importContent } from "./content-helpers.mjs";

const { createBindings } = await importContent("content/binding.js");
const dom = await importContent("content/dom.js");

/** A connected session table with an action column; every row gets a bound button. */
function setup({ action = true } = {}) {
  const head = action ? ["ID", "Session ID", "User", "Device", "Action"] : ["ID", "Session ID", "User", "Device"];
  const rows = [
    ["1", "aaa111", "ana", "srv-1"],
    ["2", "bbb222", "bob", "srv-2"],
    ["3", "ccc333", "cid", "srv-3"],
  ].map((r) => (action ? [...r, el("td", {}, el("a", { class: "act" }, "logs"))] : r));
  const t = table({ head, rows });
  const d = doc(el("body", {}, t));
  const info = dom.analyzeTable(t);
  const bindings = createBindings();
  const buttons = [];
  for (const row of dom.dataRows(t, info)) {
    const ref = dom.readRef(row, info);
    let cell;
    let prev = null;
    const btn = el("button", { "data-session-drop-button": "" }, "Terminate session");
    if (action) {
      cell = dom.cellAt(row, info.actionCol, false);
      prev = cell.lastElementChild;
      cell.appendChild(btn);
    } else {
      cell = el("td", { "data-session-drop-cell": "" }, btn);
      row.appendChild(cell);
    }
    bindings.bind(btn, { row, table: t, cell, prev, ref });
    buttons.push(btn);
  }
  const readNow = (row) => dom.readRef(row, info);
  return { t, d, info, bindings, buttons, readNow, body: t.children.find((c) => c.nodeName === "TBODY") };
}

test("a bound button in place may act, and carries the reference read at decoration", () => {
  const { bindings, buttons, readNow } = setup();
  for (const [i, b] of buttons.entries()) {
    assert.equal(bindings.staleReason(b, readNow), null, `row ${i}`);
    assert.deepEqual(bindings.get(b).ref, { kind: "hash", value: ["aaa111", "bbb222", "ccc333"][i] });
  }
  assert.notEqual(bindings.get(buttons[0]).key, bindings.get(buttons[1]).key, "one opaque key per binding");
  assert.match(bindings.get(buttons[0]).key, /^r\d+$/);
});

test("a look-alike the page made is never bound", () => {
  const { bindings, buttons, readNow } = setup();
  const fake = el("button", { "data-session-drop-button": "" }, "Terminate session");
  buttons[0].parentNode.insertBefore(fake, buttons[0]);
  assert.equal(bindings.has(fake), false);
  assert.equal(bindings.staleReason(fake, readNow), "not_ours");
  // and ours, now behind it, no longer is where we put it
  assert.equal(bindings.staleReason(buttons[0], readNow), "covered");
});

test("moved to another row's cell: refused, for both rows", () => {
  const { bindings, buttons, readNow, info } = setup();
  const row1 = bindings.get(buttons[1]).row;
  dom.cellAt(row1, info.actionCol, false).appendChild(buttons[0]);
  assert.equal(bindings.staleReason(buttons[0], readNow), "button_moved");
  // the row it was moved into: its own button is still in place (nothing was put before it)
  assert.equal(bindings.staleReason(buttons[1], readNow), null);
  // moved to another cell of its own row
  const { bindings: b2, buttons: bs2, readNow: r2, info: i2 } = setup();
  const own = bs2[2];
  dom.cellAt(b2.get(own).row, i2.userCol, false).appendChild(own);
  assert.equal(b2.staleReason(own, r2), "button_moved");
});

test("its cell moved to another row: refused", () => {
  const { bindings, buttons, readNow } = setup();
  const cell = buttons[0].parentNode;
  bindings.get(buttons[1]).row.appendChild(cell);
  assert.equal(bindings.staleReason(buttons[0], readNow), "cell_moved");
});

test("its row detached or re-parented: refused", () => {
  const { bindings, buttons, readNow, t } = setup();
  const row = bindings.get(buttons[0]).row;
  row.remove();
  assert.equal(bindings.staleReason(buttons[0], readNow), "row_detached");
  // put into another table (connected, but not where it was)
  const other = setup();
  const row2 = other.bindings.get(other.buttons[1]).row;
  t.appendChild(el("tbody", {}, row2));
  other.d.appendChild(t);
  assert.equal(other.bindings.staleReason(other.buttons[1], other.readNow), "row_moved");
  // ... or into a table nested in one of its own cells
  const nest = setup();
  const nr = nest.bindings.get(nest.buttons[0]).row;
  const inner = el("table", {}, el("tbody", {}));
  nest.bindings.get(nest.buttons[2]).row.cells[0].appendChild(inner);
  inner.children[0].appendChild(nr);
  assert.equal(nest.bindings.staleReason(nest.buttons[0], nest.readNow), "row_moved");
  // moved within the same tbody (re-sorted by the page): still its row, still in place
  const third = setup();
  const r3 = third.bindings.get(third.buttons[2]).row;
  third.body.insertBefore(r3, third.body.childNodes[0]);
  assert.equal(third.bindings.staleReason(third.buttons[2], third.readNow), null);
});

test("something put in front of it, or taken from in front of it, in its cell: refused", () => {
  const { bindings, buttons, readNow } = setup({ action: false });
  const cell = buttons[0].parentNode;
  assert.equal(bindings.staleReason(buttons[0], readNow), null);
  cell.insertBefore(el("span", {}, "Terminate session"), buttons[0]);
  assert.equal(bindings.staleReason(buttons[0], readNow), "covered");
  // action column: the page removes the element our button followed
  const s = setup();
  const prev = s.bindings.get(s.buttons[1]).prev;
  assert.ok(prev, "our button followed the console's own action");
  prev.remove();
  assert.equal(s.bindings.staleReason(s.buttons[1], s.readNow), "covered");
  // appending after ours changes nothing
  const s3 = setup();
  s3.buttons[0].parentNode.appendChild(el("span", {}, "later"));
  assert.equal(s3.bindings.staleReason(s3.buttons[0], s3.readNow), null);
});

test("the row shows another session now: refused (the DOM can only veto, never choose)", () => {
  const { bindings, buttons, readNow, info } = setup();
  const row = bindings.get(buttons[0]).row;
  const cell = dom.cellAt(row, info.refCol, false);
  cell.childNodes[0].data = "zzz999";
  assert.equal(bindings.staleReason(buttons[0], readNow), "ref_changed");
  assert.deepEqual(bindings.get(buttons[0]).ref, { kind: "hash", value: "aaa111" }, "the binding is unchanged");
  cell.childNodes[0].data = "aaa111";
  assert.equal(bindings.staleReason(buttons[0], readNow), null);
});

test("a hash row's row ID is bound too: a changed or added ID cell makes the button stale", () => {
  const { bindings, buttons, info } = setup();
  // what the feature does: the ID read at decoration is bound, and read again at click time
  const readNow = (row) => {
    const ref = dom.readRef(row, info);
    return ref && { ...ref, rowId: dom.readRowId(row, info) };
  };
  const rebind = (btn) => {
    const b = bindings.get(btn);
    bindings.bind(btn, { row: b.row, table: b.table, cell: b.cell, prev: b.prev, ref: b.ref, rowId: dom.readRowId(b.row, info) });
  };
  buttons.forEach(rebind);
  assert.equal(bindings.get(buttons[0]).rowId, "1");
  assert.equal(bindings.staleReason(buttons[0], readNow), null);
  const idCell = dom.cellAt(bindings.get(buttons[0]).row, info.idCol, false);
  idCell.childNodes[0].data = "2";
  assert.equal(bindings.staleReason(buttons[0], readNow), "ref_changed", "the page now shows another row ID");
  assert.equal(bindings.get(buttons[0]).rowId, "1", "the binding is unchanged");
  idCell.childNodes[0].data = "";
  assert.equal(bindings.staleReason(buttons[0], readNow), "ref_changed", "the row ID is gone");
  idCell.childNodes[0].data = "1";
  assert.equal(bindings.staleReason(buttons[0], readNow), null);
  // bound without a row ID (none shown at decoration): one appearing later is a change too
  const b1 = bindings.get(buttons[1]);
  bindings.bind(buttons[1], { row: b1.row, table: b1.table, cell: b1.cell, prev: b1.prev, ref: b1.ref });
  assert.equal(bindings.get(buttons[1]).rowId, null);
  assert.equal(bindings.staleReason(buttons[1], readNow), "ref_changed");
});

test("unbind: the button is no longer ours", () => {
  const { bindings, buttons, readNow } = setup();
  bindings.unbind(buttons[0]);
  assert.equal(bindings.has(buttons[0]), false);
  assert.equal(bindings.staleReason(buttons[0], readNow), "not_ours");
});
