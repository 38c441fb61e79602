// Session Drop content script: DOM helpers and header matching (pure; node tests import it).
// Part of the content bundle (content/main.js is the entry; esbuild makes one IIFE of it).

const root = globalThis;

// Header texts, already folded (see fold()). DESIGN.md §3 DOM contract.
export const HEADERS = Object.freeze({
  session: ["session id", "id da sessao", "id de sessao", "sessionid", "session hash", "hash da sessao"],
  id: ["id"],
  user: ["user", "usuario", "username", "user name", "nome de usuario"],
  device: ["device", "dispositivo"],
  action: ["action", "actions", "acao", "acoes"],
});

// Titles added in the options ("Extra column titles"), folded; see setExtraHeaders().
let extra = { session: [], id: [], user: [], device: [], action: [] };

/** Adds the configured extra titles per role (replaces the previous extra set). */
export function setExtraHeaders(titles) {
  const next = { session: [], id: [], user: [], device: [], action: [] };
  if (titles && typeof titles === "object") {
    for (const role of Object.keys(next)) {
      const list = Array.isArray(titles[role]) ? titles[role] : [];
      for (const name of list.slice(0, 20)) {
        const f = typeof name === "string" ? fold(name) : "";
        if (f) next[role].push(f);
      }
    }
  }
  extra = next;
}

/** Case/accent-insensitive form: NFD, strip marks, lowercase, non-alphanumerics -> one space. */
export function fold(text) {
  return String(text == null ? "" : text)
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

const SKIP_TAGS = new Set(["I", "SVG", "IMG", "PICTURE", "CANVAS", "SCRIPT", "STYLE", "TEMPLATE",
  "INPUT", "SELECT", "OPTION", "TEXTAREA", "DATALIST", "NOSCRIPT"]);
const ICON_CLASS = /(^|\s)(fa|fas|far|fal|fad|fab|fa-[\w-]+|bi|bi-[\w-]+|glyphicon|glyphicon-[\w-]+|material-icons[\w-]*|material-symbols[\w-]*|mdi|mdi-[\w-]+|icon|icons|[\w-]+-icon|icon-[\w-]+|caret|sr-only|visually-hidden)(?=\s|$)/i;

export function isSkippedElement(el) {
  const name = String(el.nodeName || "").toUpperCase();
  if (SKIP_TAGS.has(name)) return true;
  if (typeof el.getAttribute === "function") {
    if (el.getAttribute("aria-hidden") === "true") return true;
    const cls = el.getAttribute("class");
    if (cls && ICON_CLASS.test(cls)) return true;
  }
  return false;
}

function collectText(node, out, depth) {
  if (depth > 12) return;
  const kids = node.childNodes || [];
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (k.nodeType === 3) out.push(k.data != null ? k.data : k.textContent || "");
    else if (k.nodeType === 1 && !isSkippedElement(k)) collectText(k, out, depth + 1);
  }
}

/** Visible header text of a cell: text nodes, ignoring icons, form controls and screen-reader extras. */
export function headerText(cell) {
  const parts = [];
  collectText(cell, parts, 0);
  let text = parts.join(" ").replace(/\s+/g, " ").trim();
  if (!text && typeof cell.getAttribute === "function") {
    text = (cell.getAttribute("aria-label") || cell.getAttribute("title") || "").trim();
  }
  return text;
}

/**
 * Classifies a header row from its cell texts.
 * @param {string[]} texts raw header texts, one per logical column
 * @returns {null | {mode:"hash"|"row", refCol:number, sessionCol:number, idCol:number,
 *                   userCol:number, deviceCol:number, actionCol:number}}
 */
export function classifyHeaders(texts) {
  const folded = texts.map(fold);
  const find = (role) => folded.findIndex((x) => HEADERS[role].includes(x) || extra[role].includes(x));
  const sessionCol = find("session");
  const idCol = find("id");
  const userCol = find("user");
  const deviceCol = find("device");
  const actionCol = find("action");
  if (sessionCol >= 0) {
    return { mode: "hash", refCol: sessionCol, sessionCol, idCol, userCol, deviceCol, actionCol };
  }
  if (idCol >= 0 && userCol >= 0 && deviceCol >= 0) {
    return { mode: "row", refCol: idCol, sessionCol, idCol, userCol, deviceCol, actionCol };
  }
  return null;
}

const ROW_ID = /^[0-9]{1,20}$/;
const HASH_CHARS = /^[\x21-\x7e]{1,256}$/;
const HASH_FORBIDDEN = /[/\\%?#]/;

export function isHashValue(v) {
  return HASH_CHARS.test(v) && !HASH_FORBIDDEN.test(v) && v.indexOf("..") < 0;
}

export function isRowValue(v) {
  return ROW_ID.test(v);
}

const WS = /\s/;
export function cleanCellText(text) {
  const s = String(text == null ? "" : text).trim();
  return WS.test(s) ? s.replace(/\s+/g, " ") : s;
}

function tagOf(node) {
  return node ? String(node.nodeName || "").toUpperCase() : "";
}

function isOurs(el) {
  return !!(el && typeof el.hasAttribute === "function"
    && (el.hasAttribute("data-session-drop-header") || el.hasAttribute("data-session-drop-cell")));
}

function hasHeaderCells(row) {
  const cells = row.cells || [];
  for (let i = 0; i < cells.length; i++) if (tagOf(cells[i]) === "TH") return true;
  return false;
}

/** Candidate header rows: the <thead> rows, else a first row made of <th>. */
export function headerRows(table) {
  const out = [];
  const thead = table.tHead;
  if (thead && thead.rows) for (let i = 0; i < thead.rows.length; i++) out.push(thead.rows[i]);
  if (!out.length) {
    const first = table.rows && table.rows[0];
    if (first && hasHeaderCells(first)) out.push(first);
  }
  return out;
}

/** Logical columns of a header row (colspan-aware), our own header cell excluded. */
export function headerColumns(row) {
  const texts = [];
  let spans = false;
  const cells = row.cells || [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (isOurs(c)) continue;
    const span = Math.max(1, Number(c.colSpan) || 1);
    if (span > 1) spans = true;
    const text = headerText(c);
    texts.push(text);
    for (let s = 1; s < span; s++) texts.push("");
  }
  return { texts, spans };
}

/**
 * Finds the session columns of a table. Returns null when the table is not a session table.
 * The result is what the feature caches per table (validated with headerRow + signature).
 */
export function analyzeTable(table) {
  const rows = headerRows(table);
  for (let i = 0; i < rows.length; i++) {
    const { texts, spans } = headerColumns(rows[i]);
    const cls = classifyHeaders(texts);
    if (cls) {
      return Object.assign(cls, {
        table,
        headerRow: rows[i],
        spans,
        columnCount: texts.length,
        inThead: tagOf(rows[i].parentNode) === "THEAD",
      });
    }
  }
  return null;
}

// Hot-loop DOM access (decorating 10,000 rows). A Firefox content script reaches the page's DOM
// through Xray wrappers, where `node.method(…)` / `node.getter` first resolves the property on
// the wrapper and `collection[i]` goes through a slow indexed lookup: calling the prototype's
// own functions skips both (about a third of the per-row cost there). Chrome's isolated world is
// as fast either way. Without a DOM (node tests): plain property access.
const fast = (function () {
  try {
    const N = root.Node.prototype;
    const E = root.Element.prototype;
    const get = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
    const f = {
      item: root.HTMLCollection.prototype.item,
      text: get(N, "textContent"),
      cells: get(root.HTMLTableRowElement.prototype, "cells"),
      hasAttribute: E.hasAttribute,
      setAttribute: E.setAttribute,
      cloneNode: N.cloneNode,
      appendChild: N.appendChild,
      lastElementChild: get(E, "lastElementChild"),
    };
    for (const k of Object.keys(f)) if (typeof f[k] !== "function") return null;
    return f;
  } catch {
    return null;
  }
})();

/** Item `i` of a DOM collection (HTMLCollection.item, never `list[i]`: see `fast`). */
export const itemOf = fast
  ? (list, i) => (i >= 0 && list ? fast.item.call(list, i) : null)
  : (list, i) => (i >= 0 && list ? list.item(i) : null);
export const textOf = fast ? (node) => fast.text.call(node) : (node) => node.textContent;
export const cellsOf = fast
  ? (row) => {
    try {
      return fast.cells.call(row);
    } catch {
      return row.cells; // not an HTML table row (e.g. a foreign-namespace "tr"): no cells
    }
  }
  : (row) => row.cells;
export const hasAttr = fast ? (el, name) => fast.hasAttribute.call(el, name) : (el, name) => el.hasAttribute(name);
export const setAttr = fast ? (el, name, v) => fast.setAttribute.call(el, name, v) : (el, name, v) => el.setAttribute(name, v);
export const cloneDeep = fast ? (node) => fast.cloneNode.call(node, true) : (node) => node.cloneNode(true);
export const lastElementOf = fast ? (el) => fast.lastElementChild.call(el) : (el) => el.lastElementChild || null;
export const append = fast ? (parent, child) => fast.appendChild.call(parent, child) : (parent, child) => parent.appendChild(child);

/** The cell covering logical column `col` of `row` (colspan-aware only when needed). */
export function cellAt(row, col, spans) {
  if (col < 0) return null;
  const cells = row.cells || [];
  if (!spans) return itemOf(cells, col);
  let pos = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    if (isOurs(c)) continue;
    const span = Math.max(1, Number(c.colSpan) || 1);
    if (col < pos + span) return c;
    pos += span;
  }
  return null;
}

/** Whether a table row is a data row of the analysed table (not the header, not thead/tfoot). */
export function isDataRow(row, info) {
  if (row === info.headerRow) return false;
  const parent = row.parentNode;
  const section = parent ? parent.nodeName : "";
  return section !== "THEAD" && section !== "TFOOT" && section !== "thead" && section !== "tfoot";
}

/**
 * The data rows of an analysed table, in one pass over its sections: every row of each <tbody>
 * and every <tr> placed directly in the <table>, except the header row; <thead>/<tfoot> rows
 * are skipped without being looked at one by one.
 */
export function dataRows(table, info) {
  const out = [];
  const header = info.headerRow;
  const kids = table.children || [];
  for (let i = 0; i < kids.length; i++) {
    const section = kids[i];
    const name = section.nodeName;
    if (name === "TBODY" || name === "tbody") {
      const rows = section.rows;
      const n = rows ? rows.length : 0;
      for (let j = 0; j < n; j++) {
        const r = itemOf(rows, j);
        if (r !== header) out.push(r);
      }
    } else if ((name === "TR" || name === "tr") && section !== header) {
      out.push(section);
    }
  }
  return out;
}

function attrValue(cell) {
  if (!cell || typeof cell.getAttribute !== "function") return "";
  const own = cell.getAttribute("title") || cell.getAttribute("data-value") || "";
  if (own) return cleanCellText(own);
  const inner = typeof cell.querySelector === "function" ? cell.querySelector("[title],[data-value]") : null;
  return inner ? cleanCellText(inner.getAttribute("title") || inner.getAttribute("data-value")) : "";
}

/** The session reference of a data row, read now (never cached: rows can be recycled). */
export function readRef(row, info, cells) {
  const cell = cells && !info.spans ? itemOf(cells, info.refCol) : cellAt(row, info.refCol, info.spans);
  if (!cell) return null;
  const text = cleanCellText(textOf(cell));
  if (info.mode === "hash") {
    if (isHashValue(text)) return { kind: "hash", value: text };
    const full = attrValue(cell); // a truncated hash ("a1b2…") often keeps the full one in a title
    if (full && isHashValue(full)) return { kind: "hash", value: full };
    if (info.idCol >= 0) {
      const idCell = cellAt(row, info.idCol, info.spans);
      const id = idCell ? cleanCellText(idCell.textContent) : "";
      if (isRowValue(id)) return { kind: "row", value: id };
    }
    return null;
  }
  return isRowValue(text) ? { kind: "row", value: text } : null;
}

/**
 * The numeric row ID a hash row also shows (the Remote sessions report has an "ID" column next to
 * "Session ID"), read now; null when the table has no ID column, the row is named by its row ID
 * already, or the cell holds no row ID. The background asks the appliance (list-one) about it
 * before a confirmed drop: the page's claim is checked, never trusted.
 */
export function readRowId(row, info, cells) {
  if (info.mode !== "hash" || info.idCol < 0 || info.idCol === info.refCol) return null;
  const cell = cells && !info.spans ? itemOf(cells, info.idCol) : cellAt(row, info.idCol, info.spans);
  if (!cell) return null;
  const text = cleanCellText(textOf(cell));
  return isRowValue(text) ? text : null;
}

function cellValue(row, col, spans) {
  const cell = cellAt(row, col, spans);
  if (!cell) return undefined;
  const v = cleanCellText(cell.textContent);
  return v ? v.slice(0, 256) : undefined;
}

/** user / device of a row when the table has those columns. */
export function readContext(row, info) {
  const ctx = {};
  const user = cellValue(row, info.userCol, info.spans);
  const device = cellValue(row, info.deviceCol, info.spans);
  if (user) ctx.user = user;
  if (device) ctx.device = device;
  return ctx;
}
