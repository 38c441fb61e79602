// Session Drop content script: finds session tables (by their header texts, dom.js) and hands
// their data rows to a feature, now and whenever the page adds, re-renders or recycles rows (in
// the manner of Refined GitHub's helpers/selector-observer: the feature says what to do with an
// element, this module says when).
//
// Hooks (all synchronous; the observer is disconnected while they run, so the feature's own
// insertions produce no records):
//   isOwn(node)                 a node the feature created (its insertions are not page changes)
//   isDecorated(row)            the feature already handled this row
//   prepare(info)               a table was just recognised as a session table (info: dom.analyzeTable)
//   decorate(rows, info)        undecorated data rows of one session table, in document order
//   changed(row, info, lostOwn) a decorated row changed; lostOwn: one of the feature's nodes was
//                               removed from it. Returns true when the row must be decorated again.

import * as dom from "./dom.js";

const OBSERVE = { childList: true, subtree: true };

export function observeSessionRows(doc, hooks, { signal }) {
  const infoCache = new WeakMap(); // table -> { info, sig } | { info: null, hr, sig }

  function tableInfo(table) {
    const cached = infoCache.get(table);
    if (cached) {
      if (cached.info) {
        const hr = cached.info.headerRow;
        if (hr.isConnected && table.contains(hr) && hr.textContent === cached.sig) return cached.info;
      } else {
        // not a session table: re-analyse only when its header changes
        const hr = dom.headerRows(table)[0] || null;
        if (hr === cached.hr && (hr ? hr.textContent : "") === cached.sig) return null;
      }
    }
    const info = dom.analyzeTable(table);
    if (!info) {
      const hr = dom.headerRows(table)[0] || null;
      infoCache.set(table, { info: null, hr, sig: hr ? hr.textContent : "" });
      return null;
    }
    hooks.prepare(info);
    infoCache.set(table, { info, sig: info.headerRow.textContent });
    return info;
  }

  function decorateTable(table) {
    const info = tableInfo(table);
    // A snapshot of the body rows (a live collection would be re-walked after each insertion).
    if (info) hooks.decorate(dom.dataRows(table, info), info);
  }

  function insideOwn(node) {
    for (let n = node, d = 0; n && d < 3; n = n.parentNode, d++) if (hooks.isOwn(n)) return true;
    return false;
  }

  function addNestedTables(added, tables) {
    for (let i = 0; i < added.length; i++) {
      const a = added[i];
      if (a.nodeType !== 1) continue;
      if (a.nodeName === "TABLE") tables.add(a);
      else if (a.nodeName === "TR" || a.nodeName === "TBODY" || a.nodeName === "THEAD") {
        const tb = a.closest && a.closest("table");
        if (tb) tables.add(tb);
      } else if (a.firstElementChild) {
        const inner = a.getElementsByTagName("table");
        for (let j = 0; j < inner.length; j++) tables.add(inner[j]);
      }
    }
  }

  function process(records, tables, rows) {
    for (let r = 0; r < records.length; r++) {
      const rec = records[r];
      const target = rec.target;
      const added = rec.addedNodes;
      const removed = rec.removedNodes;
      if (added.length === 1 && removed.length === 0 && hooks.isOwn(added[0])) continue;
      if (target.nodeType !== 1 || insideOwn(target)) continue;
      let lostOwn = false;
      for (let i = 0; i < removed.length; i++) {
        const n = removed[i];
        if (hooks.isOwn(n) || (n.nodeType === 1 && n.querySelector && n.querySelector("[data-session-drop-button]"))) {
          lostOwn = true;
          break;
        }
      }
      const tag = target.nodeName;
      if (tag === "TABLE" || tag === "TBODY" || tag === "THEAD" || tag === "TFOOT") {
        tables.add(tag === "TABLE" ? target : target.parentNode);
        continue;
      }
      const tr = target.closest("tr");
      if (!tr) {
        addNestedTables(added, tables);
        continue;
      }
      const table = tr.closest("table");
      if (!table) continue;
      const section = tr.parentNode && tr.parentNode.nodeName;
      if (section === "THEAD" || tr.querySelector("th")) tables.add(table); // header may have changed
      if (hooks.isDecorated(tr)) {
        const info = tableInfo(table);
        if (info && hooks.changed(tr, info, lostOwn)) rows.add(tr);
      } else {
        rows.add(tr);
      }
      addNestedTables(added, tables); // tables nested in a cell
    }
  }

  function run(tables, rows) {
    for (const table of tables) if (table.isConnected) decorateTable(table);
    for (const row of rows) {
      if (!row.isConnected || hooks.isDecorated(row)) continue;
      const table = row.closest("table");
      if (!table || tables.has(table)) continue;
      const info = tableInfo(table);
      if (info && row.closest("table") === info.table && dom.isDataRow(row, info)) hooks.decorate([row], info);
    }
  }

  const observer = new MutationObserver((records) => {
    if (signal.aborted) return;
    observer.disconnect();
    try {
      const tables = new Set();
      const rows = new Set();
      process(records, tables, rows);
      if (tables.size || rows.size) run(tables, rows);
    } finally {
      if (!signal.aborted) observer.observe(doc.documentElement, OBSERVE);
    }
  });

  // First pass over the tables already there.
  const all = doc.getElementsByTagName("table");
  const initial = new Set();
  for (let i = 0; i < all.length; i++) initial.add(all[i]);
  run(initial, new Set());
  observer.observe(doc.documentElement, OBSERVE);
  signal.addEventListener("abort", () => observer.disconnect(), { once: true });

  return {
    tableInfo,
    /** Decorates `row` again now (e.g. after the feature unbound it), without a mutation record. */
    redo(row) {
      observer.disconnect();
      try {
        run(new Set(), new Set([row]));
      } finally {
        if (!signal.aborted) observer.observe(doc.documentElement, OBSERVE);
      }
    },
  };
}
