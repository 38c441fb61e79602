// Session Drop content script 2/3: the "Terminate session" button on every session row.
// Classic script. Feature contract (Refined GitHub style): init(signal, ctx); rows are marked once
// with data-session-drop-ready; everything added is removed when `signal` aborts.
(function (root) {
  "use strict";

  const ns = root.__sessionDrop || (root.__sessionDrop = {});
  const ext = root.browser ?? root.chrome;

  const READY = "data-session-drop-ready";
  const PORT_NAME = "session-drop";
  const PORT_IDLE_MS = 10000;
  const STATE = "data-session-drop";
  const OWN_SELECTOR = "[data-session-drop-button],[data-session-drop-cell],[data-session-drop-header],[data-session-drop-status]";

  function msg(key, subs) {
    try {
      return (ext && ext.i18n && ext.i18n.getMessage(key, subs)) || key;
    } catch {
      return key;
    }
  }

  /** Removes every decoration (ours or left behind by a previous, unloaded instance). */
  function sweep(doc) {
    const own = doc.querySelectorAll(OWN_SELECTOR);
    for (let i = 0; i < own.length; i++) {
      const el = own[i];
      if (el.hasAttribute("data-session-drop-status") || el.hasAttribute("data-session-drop-button")) {
        // buttons / status inside a cell we created go with the cell
        if (el.closest("[data-session-drop-cell]")) continue;
      }
      el.remove();
    }
    const rows = doc.querySelectorAll(`[${READY}],[${STATE}]`);
    for (let i = 0; i < rows.length; i++) {
      rows[i].removeAttribute(READY);
      rows[i].removeAttribute(STATE);
    }
  }

  class ContextGone extends Error {}

  function init(signal, ctx) {
    const dom = ns.dom;
    const doc = root.document;
    if (!dom || !doc || signal.aborted) return;

    // Strings are read once: after the extension is reloaded, i18n may no longer answer.
    const S = {
      button: msg("buttonTerminate"),
      column: msg("columnHeader"),
      pending: msg("statusPending"),
      reload: msg("statusReload"),
      openSettings: msg("buttonOpenSettings"),
      noRef: msg("statusNoRef"),
      noAnswerTitle: msg("statusNoAnswerTitle"),
      noAnswerCause: msg("statusNoAnswerCause"),
      noAnswerFix: msg("statusNoAnswerFix"),
    };

    const ours = new WeakSet(); // elements we created (buttons, cells, status)
    const busy = new WeakSet(); // rows with a click being handled
    const infoCache = new WeakMap(); // table -> { info, sig }
    const statusOf = new WeakMap(); // row -> status element
    const refOf = new WeakMap(); // row -> ref value when its state was set
    const decorated = new WeakSet(); // rows marked data-session-drop-ready by this instance

    // Built once, cloned per row: no per-row string lookups or attribute writes beyond the clone.
    const buttonTemplate = doc.createElement("button");
    buttonTemplate.type = "button";
    buttonTemplate.setAttribute("data-session-drop-button", "");
    buttonTemplate.setAttribute("aria-label", S.button);
    buttonTemplate.textContent = S.button;
    // A new last cell that already holds its button: one clone and one insertion per row.
    const cellTemplate = doc.createElement("td");
    cellTemplate.setAttribute("data-session-drop-cell", "");
    cellTemplate.appendChild(buttonTemplate.cloneNode(true));

    sweep(doc);

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
      if (info.actionCol < 0) ensureHeaderCell(info);
      infoCache.set(table, { info, sig: info.headerRow.textContent });
      return info;
    }

    function ensureHeaderCell(info) {
      const hr = info.headerRow;
      const cells = hr.cells;
      for (let i = 0; i < cells.length; i++) if (cells[i].hasAttribute("data-session-drop-header")) return;
      const th = doc.createElement("th");
      th.setAttribute("scope", "col");
      th.setAttribute("data-session-drop-header", "");
      th.textContent = S.column;
      ours.add(th);
      hr.appendChild(th);
    }

    function decorateRow(row, info, cells) {
      const cell = info.actionCol < 0 ? null : info.spans ? dom.cellAt(row, info.actionCol, true) : dom.itemOf(cells, info.actionCol);
      if (cell) {
        const btn = dom.cloneDeep(buttonTemplate);
        ours.add(btn);
        dom.append(cell, btn);
      } else {
        // the button inside is recognised through its cell (isOurButton)
        const td = dom.cloneDeep(cellTemplate);
        ours.add(td);
        dom.append(row, td);
      }
      dom.setAttr(row, READY, "");
      decorated.add(row);
    }

    // Markup copied from a decorated row (e.g. the page re-rendered it from its own innerHTML) or left by
    // an unloaded instance: lifeless copies of our elements. Remove them before decorating the row.
    function removeForeign(row) {
      const found = row.querySelectorAll(OWN_SELECTOR);
      for (let i = 0; i < found.length; i++) {
        const el = found[i];
        if (ours.has(el) || !el.isConnected) continue;
        if (!el.hasAttribute("data-session-drop-cell") && el.closest("[data-session-drop-cell]")) continue;
        el.remove();
      }
      row.removeAttribute(READY);
      row.removeAttribute(STATE);
    }

    /** Decorates the given data rows of one analysed table (hot loop: as few DOM calls as possible). */
    function decorateRows(rows, info) {
      let n = 0;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (decorated.has(row)) continue;
        if (dom.hasAttr(row, READY)) removeForeign(row);
        const cells = dom.cellsOf(row);
        // placeholder rows ("no records"), detail rows: no readable session reference
        if (!dom.readRef(row, info, cells)) continue;
        decorateRow(row, info, cells);
        n++;
      }
      return n;
    }

    function tryRow(row, info) {
      if (decorated.has(row) || !dom.isDataRow(row, info)) return false;
      return decorateRows([row], info) === 1;
    }

    function decorateTable(table) {
      const info = tableInfo(table);
      if (!info) return 0;
      // A snapshot of the body rows (a live collection would be re-walked after each insertion).
      return decorateRows(dom.dataRows(table, info), info);
    }

    function resetRow(row) {
      row.removeAttribute(STATE);
      const st = statusOf.get(row);
      if (st) st.remove();
      statusOf.delete(row);
      refOf.delete(row);
      const btn = row.querySelector("[data-session-drop-button]");
      if (btn && isOurButton(btn)) btn.disabled = false;
    }

    // ------------------------------------------------------------------ mutations

    /** Our row button: one we inserted in the action column, or the first element of a cell we added. */
    function isOurButton(btn) {
      if (ours.has(btn)) return true;
      const p = btn.parentNode;
      return !!p && ours.has(p) && p.firstElementChild === btn && btn.hasAttribute("data-session-drop-button");
    }

    function insideOurs(node) {
      for (let n = node, d = 0; n && d < 3; n = n.parentNode, d++) if (ours.has(n)) return true;
      return false;
    }

    function process(records, tables, rows) {
      for (let r = 0; r < records.length; r++) {
        const rec = records[r];
        const target = rec.target;
        const added = rec.addedNodes;
        const removed = rec.removedNodes;
        if (added.length === 1 && removed.length === 0 && ours.has(added[0])) continue;
        if (target.nodeType !== 1 || insideOurs(target)) continue;
        let removedOurs = false;
        for (let i = 0; i < removed.length; i++) {
          if (ours.has(removed[i]) || (removed[i].nodeType === 1 && removed[i].querySelector && removed[i].querySelector("[data-session-drop-button]"))) {
            removedOurs = true;
            break;
          }
        }
        const tag = target.nodeName;
        if (tag === "TABLE" || tag === "TBODY" || tag === "THEAD" || tag === "TFOOT") {
          tables.add(tag === "TABLE" ? target : target.parentNode);
          continue;
        }
        const tr = target.closest("tr");
        if (tr) {
          const table = tr.closest("table");
          if (!table) continue;
          const section = tr.parentNode && tr.parentNode.nodeName;
          if (section === "THEAD" || tr.querySelector("th")) tables.add(table); // header may have changed
          if (removedOurs && decorated.has(tr) && !tr.querySelector("[data-session-drop-button]")) {
            tr.removeAttribute(READY);
            decorated.delete(tr);
            resetRow(tr);
          }
          if (tr.hasAttribute(STATE) && refOf.has(tr)) {
            const info = tableInfo(table);
            const ref = info && dom.readRef(tr, info);
            if (!ref || ref.value !== refOf.get(tr)) resetRow(tr); // recycled row: state no longer applies
          }
          if (!decorated.has(tr)) rows.add(tr);
          // tables nested in a cell
          for (let i = 0; i < added.length; i++) {
            const a = added[i];
            if (a.nodeType !== 1) continue;
            if (a.nodeName === "TABLE") tables.add(a);
            else if (a.firstElementChild) {
              const inner = a.getElementsByTagName("table");
              for (let j = 0; j < inner.length; j++) tables.add(inner[j]);
            }
          }
          continue;
        }
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
    }

    function run(tables, rows) {
      for (const table of tables) if (table.isConnected) decorateTable(table);
      for (const row of rows) {
        if (!row.isConnected || decorated.has(row)) continue;
        const table = row.closest("table");
        if (!table || tables.has(table)) continue;
        const info = tableInfo(table);
        if (info && row.closest("table") === info.table) tryRow(row, info);
      }
    }

    const OBSERVE = { childList: true, subtree: true };
    const observer = new MutationObserver((records) => {
      if (signal.aborted) return;
      const tables = new Set();
      const rows = new Set();
      process(records, tables, rows);
      if (tables.size || rows.size) runUnobserved(tables, rows);
    });

    // Our own insertions need no records: not observing while decorating saves one record per
    // inserted cell (and handing them over). Nothing else runs meanwhile (synchronous).
    function runUnobserved(tables, rows) {
      observer.disconnect();
      try {
        run(tables, rows);
      } finally {
        if (!signal.aborted) observer.observe(doc.documentElement, OBSERVE);
      }
    }

    // ------------------------------------------------------------------ status + click

    function statusElement(row, btn) {
      let el = statusOf.get(row);
      if (el && el.isConnected) return el;
      el = doc.createElement("span");
      el.setAttribute("role", "status");
      el.setAttribute("data-session-drop-status", "");
      ours.add(el);
      btn.insertAdjacentElement("afterend", el);
      statusOf.set(row, el);
      return el;
    }

    function part(cls, text) {
      const s = doc.createElement("span");
      s.setAttribute(cls, "");
      s.textContent = text; // server text: textContent only
      return s;
    }

    function showMessage(el, message, extraButton) {
      el.replaceChildren();
      const m = message || {};
      const parts = [];
      if (m.title) parts.push(part("data-session-drop-title", m.title));
      if (m.cause) parts.push(part("data-session-drop-cause", m.cause));
      if (m.fix) parts.push(part("data-session-drop-fix", m.fix));
      if (extraButton) parts.push(extraButton);
      parts.forEach((p, i) => {
        if (i) el.appendChild(doc.createTextNode(" ")); // readable textContent
        el.appendChild(p);
      });
    }

    function alive() {
      try {
        return !!(ext && ext.runtime && ext.runtime.id);
      } catch {
        return false;
      }
    }

    // ------------------------------------------------------------------ request port
    // Drops go to the background over a port (background.js, PORT_NAME): one message each way
    // instead of opening a new channel per call. It is opened when the pointer or the focus reaches
    // a row button (which also wakes a stopped background while the user is still aiming), or at
    // the click, and closed after a while without use.
    let port = null; // { p: runtime.Port, pending: Map<id, { resolve, reject }> }
    let nextId = 1;
    let portTimer = 0;

    function openPort() {
      if (port) return port;
      const p = ext.runtime.connect({ name: PORT_NAME });
      const entry = { p, pending: new Map() };
      p.onMessage.addListener((m) => {
        const waiter = m && typeof m === "object" ? entry.pending.get(m.id) : undefined;
        if (!waiter) return;
        entry.pending.delete(m.id);
        waiter.resolve(m.answer);
      });
      p.onDisconnect.addListener(() => {
        void (ext.runtime && ext.runtime.lastError); // read, so that it is not reported as unchecked
        if (port === entry) port = null;
        for (const w of entry.pending.values()) w.reject(new Error("the background closed the port"));
        entry.pending.clear();
      });
      port = entry;
      closeWhenIdle();
      return entry;
    }

    function closePort() {
      const entry = port;
      port = null;
      clearTimeout(portTimer);
      if (!entry) return;
      try {
        entry.p.disconnect();
      } catch {
        // already gone
      }
      for (const w of entry.pending.values()) w.reject(new Error("closed"));
      entry.pending.clear();
    }

    function closeWhenIdle() {
      clearTimeout(portTimer);
      portTimer = setTimeout(() => {
        if (port && port.pending.size) closeWhenIdle();
        else closePort();
      }, PORT_IDLE_MS);
    }

    /** One request over the port, posted synchronously (in the caller's task). */
    function request(message) {
      return new Promise((resolve, reject) => {
        const entry = openPort();
        const id = nextId++;
        entry.pending.set(id, { resolve, reject });
        entry.p.postMessage({ id, msg: message });
        closeWhenIdle();
      });
    }

    async function send(message) {
      if (!alive()) throw new ContextGone();
      try {
        return await (message.type === "drop" ? request(message) : ext.runtime.sendMessage(message));
      } catch (err) {
        if (!alive() || /context invalidated/i.test(String(err && err.message))) throw new ContextGone();
        throw err;
      }
    }

    function openSettingsButton() {
      const b = doc.createElement("button");
      b.type = "button";
      b.setAttribute("data-session-drop-open-options", "");
      b.textContent = S.openSettings;
      ours.add(b);
      return b;
    }

    function finish(row, btn, ok, message, extra) {
      row.setAttribute(STATE, ok ? "dropped" : "failed");
      btn.disabled = ok;
      const el = statusElement(row, btn);
      const m = message || {};
      if (ok) {
        // success: the title says it all; the details stay available on hover
        showMessage(el, { title: m.title });
        if (m.cause) el.title = m.cause;
        else el.removeAttribute("title");
      } else {
        el.removeAttribute("title");
        showMessage(el, m, extra);
      }
    }

    async function terminate(row, btn) {
      const table = row.closest("table");
      const info = table && tableInfo(table);
      const ref = info && dom.readRef(row, info);
      if (!ref) {
        finish(row, btn, false, { title: S.noRef });
        return;
      }
      const context = dom.readContext(row, info);
      if (!alive()) {
        finish(row, btn, false, { title: S.reload });
        return;
      }
      let status = ctx.cachedStatus();
      if (!status) {
        try {
          status = await ctx.getStatus();
        } catch {
          status = null;
        }
      }
      if (status && status.askBeforeTerminate) {
        const who = context.user || ref.value;
        if (!root.confirm(msg("confirmTerminateOne", [who]))) return;
      }
      // The message leaves first (synchronously, in the click's task); the row shows "pending" right after.
      const answer = send({ type: "drop", ref, context });
      row.setAttribute(STATE, "pending");
      refOf.set(row, ref.value);
      btn.disabled = true;
      statusElement(row, btn).textContent = S.pending;
      let report;
      try {
        report = await answer;
      } catch (err) {
        if (err instanceof ContextGone) {
          finish(row, btn, false, { title: S.reload });
        } else {
          finish(row, btn, false, { title: S.noAnswerTitle, cause: S.noAnswerCause, fix: S.noAnswerFix });
        }
        return;
      }
      if (!report || typeof report !== "object") {
        finish(row, btn, false, { title: S.noAnswerTitle, cause: S.noAnswerCause, fix: S.noAnswerFix });
        return;
      }
      if (report.kind === "not_configured" || report.kind === "no_permission") {
        finish(row, btn, false, report.message, openSettingsButton());
        return;
      }
      finish(row, btn, report.ok === true, report.message);
    }

    function onClick(event) {
      const target = event.target;
      if (!target || typeof target.closest !== "function") return;
      const btn = target.closest("[data-session-drop-button],[data-session-drop-open-options]");
      if (!btn || !isOurButton(btn)) return;
      if (!event.isTrusted) return; // a page script's .click(): ignore completely
      event.stopPropagation(); // the console's own row handlers must not see our clicks
      if (btn.hasAttribute("data-session-drop-open-options")) {
        send({ type: "openOptions" }).catch(() => {});
        return;
      }
      const row = btn.closest("tr");
      if (!row || busy.has(row) || row.getAttribute(STATE) === "pending" || btn.disabled) return;
      busy.add(row);
      terminate(row, btn)
        .catch(() => finish(row, btn, false, { title: S.noAnswerTitle, cause: S.noAnswerCause, fix: S.noAnswerFix }))
        .finally(() => busy.delete(row));
    }

    // ------------------------------------------------------------------ start / teardown

    // The pointer reaches a button (or the keyboard focuses it) well before the click: open the
    // request port then, which starts a stopped service worker / suspended event page (and its
    // core, config and client) while the user is still aiming.
    function onApproach(event) {
      if (port || !event.isTrusted) return;
      const target = event.target;
      if (!target || typeof target.closest !== "function") return;
      const btn = target.closest("[data-session-drop-button]");
      if (!btn || !isOurButton(btn) || !alive()) return;
      try {
        openPort();
      } catch {
        // extension reloaded: the click will say so
      }
    }

    doc.addEventListener("click", onClick, { capture: true, signal });
    doc.addEventListener("pointerover", onApproach, { capture: true, passive: true, signal });
    doc.addEventListener("focusin", onApproach, { capture: true, signal });
    const all = doc.getElementsByTagName("table");
    const initial = new Set();
    for (let i = 0; i < all.length; i++) initial.add(all[i]);
    run(initial, new Set());
    observer.observe(doc.documentElement, OBSERVE);

    signal.addEventListener("abort", () => {
      observer.disconnect();
      closePort();
      sweep(doc);
    }, { once: true });
  }

  ns.features = ns.features || {};
  ns.features["terminate-button"] = { name: "terminate-button", init, sweep };
})(typeof globalThis !== "undefined" ? globalThis : this);
