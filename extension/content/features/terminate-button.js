// Session Drop feature: the "Terminate session" button on every session row.
//
// Feature contract (Refined GitHub style): `init(signal, ctx)`; rows are marked once with
// data-session-drop-ready; everything added is removed, and every listener dropped, when `signal`
// aborts. DOM contract: docs/DESIGN.md "DOM contract". Trust rules: binding.js (which session a
// button may drop, and when it is no longer where we put it) and gesture.js (which clicks come
// from the person). Texts: lib/report-text.js (the one formatter of Reports), shown as text only.

import * as dom from "../dom.js";
import { createBindings } from "../binding.js";
import { createGestureGuard, GESTURE_EVENTS } from "../gesture.js";
import { observeSessionRows } from "../session-tables.js";
import { createChannel, ContextGone, alive, message } from "../port.js";
import { describeReport } from "../../lib/report-text.js";

export const name = "terminate-button";

const READY = "data-session-drop-ready";
const STATE = "data-session-drop";
const BUTTON = "data-session-drop-button";
const OPEN_OPTIONS = "data-session-drop-open-options";
const OWN_SELECTOR = "[data-session-drop-button],[data-session-drop-cell],[data-session-drop-header],[data-session-drop-status]";

/** Longest text shown per part (title, cause, fix): the row is no place for a page of text. */
export const TEXT_MAX = 600;

function cap(text) {
  const s = typeof text === "string" ? text : "";
  return s.length > TEXT_MAX ? `${s.slice(0, TEXT_MAX)}…` : s;
}

/**
 * `{ title, cause, fix }` of a Report for the row: describeReport from the _locales catalogue;
 * when the catalogue has no text for it (an older package) the Report's own `message` if it has
 * one, else `fallback`. Plain strings, capped.
 */
export function reportTexts(report, t, fallback) {
  const r = report && typeof report === "object" ? report : {};
  let d = describeReport(r, t);
  if (!d.title) {
    const m = r.message && typeof r.message === "object" ? r.message : null;
    d = m && typeof m.title === "string" && m.title ? m : fallback;
  }
  return { title: cap(d.title), cause: cap(d.cause), fix: cap(d.fix) };
}

/** Removes every decoration (ours or left behind by a previous, unloaded instance). */
export function sweep(doc) {
  const own = doc.querySelectorAll(OWN_SELECTOR);
  for (let i = 0; i < own.length; i++) {
    const el = own[i];
    if (el.hasAttribute("data-session-drop-status") || el.hasAttribute(BUTTON)) {
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

/**
 * @param {AbortSignal} signal
 * @param {{ doc: Document, ext: any, later?: (fn: () => void) => void }} ctx
 */
export function init(signal, ctx) {
  const { doc, ext } = ctx;
  if (!doc || signal.aborted) return null;
  const t = (key, subs) => message(ext, key, subs);

  // Strings are read once: after the extension is reloaded, i18n may no longer answer.
  const S = {
    button: t("buttonTerminate") || "Terminate session",
    column: t("columnHeader"),
    pending: t("statusPending"),
    reload: t("statusReload"),
    openSettings: t("buttonOpenSettings"),
    noAnswer: { title: t("statusNoAnswerTitle"), cause: t("statusNoAnswerCause"), fix: t("statusNoAnswerFix") },
  };
  const fallbackTexts = (report) => ({ title: String((report && report.kind) || S.noAnswer.title), cause: "", fix: "" });
  const texts = (report) => reportTexts(report, t, fallbackTexts(report));

  const ours = new WeakSet(); // elements we created (buttons, cells, header, status)
  const bindings = createBindings(); // button -> where we put it and which session it drops
  const buttonOf = new WeakMap(); // row -> its current button (= rows decorated by this instance)
  const statusOf = new WeakMap(); // button -> its status element
  const busy = new WeakSet(); // rows with a click being handled
  const channel = createChannel(ext);
  const guard = createGestureGuard({
    buttonOf: (target) => (bindings.has(target) ? target : null),
    hasFocus: () => doc.hasFocus(),
    later: ctx.later,
  });

  // Built once, cloned per row: no per-row string lookups or attribute writes beyond the clone.
  const buttonTemplate = doc.createElement("button");
  buttonTemplate.type = "button";
  buttonTemplate.setAttribute(BUTTON, "");
  buttonTemplate.setAttribute("aria-label", S.button);
  buttonTemplate.textContent = S.button;
  // A new last cell that already holds its button: one clone and one insertion per row.
  const cellTemplate = doc.createElement("td");
  cellTemplate.setAttribute("data-session-drop-cell", "");
  cellTemplate.appendChild(buttonTemplate.cloneNode(true));

  sweep(doc);

  // ------------------------------------------------------------------ decoration

  const isOwn = (node) => ours.has(node) || bindings.has(node);

  function prepare(info) {
    if (info.actionCol >= 0) return;
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

  function decorateRow(row, info, cells, ref) {
    let cell = info.actionCol < 0 ? null : info.spans ? dom.cellAt(row, info.actionCol, true) : dom.itemOf(cells, info.actionCol);
    let btn;
    let prev = null;
    if (cell) {
      prev = dom.lastElementOf(cell);
      btn = dom.cloneDeep(buttonTemplate);
      dom.append(cell, btn);
    } else {
      cell = dom.cloneDeep(cellTemplate);
      btn = dom.lastElementOf(cell);
      ours.add(cell);
      dom.append(row, cell);
    }
    // A hash row's numeric ID too (when the table shows one): the background asks the appliance
    // about it in the confirmation window, which warns when the two disagree.
    const rowId = ref.kind === "hash" && info.idCol >= 0 ? dom.readRowId(row, info, cells) : null;
    bindings.bind(btn, { row, table: info.table, cell, prev, ref, rowId }); // bound buttons count as ours
    buttonOf.set(row, btn);
    dom.setAttr(row, READY, "");
  }

  // Markup copied from a decorated row (e.g. the page re-rendered it from its own innerHTML) or left by
  // an unloaded instance: lifeless copies of our elements. Remove them before decorating the row.
  function removeForeign(row) {
    const found = row.querySelectorAll(OWN_SELECTOR);
    for (let i = 0; i < found.length; i++) {
      const el = found[i];
      if (isOwn(el) || !el.isConnected) continue;
      if (!el.hasAttribute("data-session-drop-cell") && el.closest("[data-session-drop-cell]")) continue;
      el.remove();
    }
    row.removeAttribute(READY);
    row.removeAttribute(STATE);
  }

  /** Decorates the given data rows of one analysed table (hot loop: as few DOM calls as possible). */
  function decorate(rows, info) {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (buttonOf.has(row)) continue;
      if (dom.hasAttr(row, READY)) removeForeign(row);
      const cells = dom.cellsOf(row);
      // placeholder rows ("no records"), detail rows: no readable session reference
      const ref = dom.readRef(row, info, cells);
      if (ref) decorateRow(row, info, cells, ref);
    }
  }

  /** Takes our button (and its status, and our cell) out of `row`; the row can be decorated again. */
  function undecorate(row) {
    const btn = buttonOf.get(row);
    if (btn) {
      const b = bindings.get(btn);
      const st = statusOf.get(btn);
      if (st) st.remove();
      statusOf.delete(btn);
      if (b && ours.has(b.cell) && b.cell.parentNode === row) b.cell.remove();
      else if (btn.parentNode && b && btn.parentNode === b.cell) btn.remove();
      bindings.unbind(btn);
    }
    buttonOf.delete(row);
    row.removeAttribute(READY);
    row.removeAttribute(STATE);
  }

  /** A decorated row changed: a fresh button when ours left it or the row now shows another session. */
  function changed(row, info) {
    const btn = buttonOf.get(row);
    const b = btn && bindings.get(btn);
    if (!b || btn.parentNode !== b.cell || b.cell.parentNode !== row) {
      undecorate(row);
      return true;
    }
    const now = dom.readRef(row, info);
    if (!now || now.kind !== b.ref.kind || now.value !== b.ref.value || boundRowId(row, info, now) !== b.rowId) {
      undecorate(row); // recycled row: its state and its button belonged to another session
      return true;
    }
    return false;
  }

  const tables = observeSessionRows(doc, {
    isOwn,
    isDecorated: (row) => buttonOf.has(row),
    prepare,
    decorate,
    changed,
  }, { signal });

  /** The row ID a binding keeps for the reference `ref` read from `row` (see decorateRow). */
  function boundRowId(row, info, ref) {
    return ref.kind === "hash" && info.idCol >= 0 ? dom.readRowId(row, info) : null;
  }

  function readRefNow(row) {
    const table = row.closest("table");
    const info = table && tables.tableInfo(table);
    if (!info || info.table !== table) return null;
    const ref = dom.readRef(row, info);
    return ref ? { kind: ref.kind, value: ref.value, rowId: boundRowId(row, info, ref) } : null;
  }

  // ------------------------------------------------------------------ status

  function statusElement(btn) {
    let el = statusOf.get(btn);
    if (el && el.isConnected) return el;
    el = doc.createElement("span");
    el.setAttribute("role", "status");
    el.setAttribute("data-session-drop-status", "");
    ours.add(el);
    btn.insertAdjacentElement("afterend", el);
    statusOf.set(btn, el);
    return el;
  }

  function part(attr, text) {
    const s = doc.createElement("span");
    s.setAttribute(attr, "");
    s.textContent = text; // text only, never markup
    return s;
  }

  function showTexts(el, m, extraButton) {
    el.replaceChildren();
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

  function openSettingsButton() {
    const b = doc.createElement("button");
    b.type = "button";
    b.setAttribute(OPEN_OPTIONS, "");
    b.textContent = S.openSettings;
    ours.add(b);
    return b;
  }

  function finish(row, btn, ok, m, extra) {
    // The row's state only while this button is still the row's (a recycled row got a new one).
    if (buttonOf.get(row) === btn) row.setAttribute(STATE, ok ? "dropped" : "failed");
    btn.disabled = ok;
    const el = statusElement(btn);
    if (ok) {
      // success: the title says it all; the details stay available on hover
      showTexts(el, { title: m.title });
      if (m.cause) el.title = m.cause;
      else el.removeAttribute("title");
    } else {
      el.removeAttribute("title");
      showTexts(el, m, extra);
    }
  }

  /** Back to idle (the person answered No in the background's confirmation). */
  function idle(row, btn) {
    if (buttonOf.get(row) === btn) row.removeAttribute(STATE);
    btn.disabled = false;
    const st = statusOf.get(btn);
    if (st) st.remove();
    statusOf.delete(btn);
  }

  // ------------------------------------------------------------------ click

  async function terminate(btn, b) {
    const row = b.row;
    const table = row.closest("table");
    const info = table && tables.tableInfo(table);
    const context = info ? dom.readContext(row, info) : {};
    // The row ID bound at decoration (never read now): the background checks it with the appliance.
    if (b.rowId) context.rowId = b.rowId;
    if (!alive(ext)) {
      finish(row, btn, false, { title: S.reload });
      return;
    }
    // The message leaves first (synchronously, in the click's task); the row shows "pending" right
    // after. When confirmation is on, the background asks in its own window and answers after.
    const answer = channel.send({ type: "drop", ref: { kind: b.ref.kind, value: b.ref.value }, context, binding: { rowKey: b.key } });
    row.setAttribute(STATE, "pending");
    btn.disabled = true;
    statusElement(btn).textContent = S.pending;
    let report;
    try {
      report = await answer;
    } catch (err) {
      finish(row, btn, false, err instanceof ContextGone ? { title: S.reload } : S.noAnswer);
      return;
    }
    if (!report || typeof report !== "object") {
      finish(row, btn, false, S.noAnswer);
      return;
    }
    if (report.kind === "cancelled") {
      idle(row, btn);
      return;
    }
    const m = texts(report);
    const settings = report.kind === "not_configured" || report.kind === "no_permission";
    finish(row, btn, report.ok === true, m, settings ? openSettingsButton() : undefined);
  }

  /** A click on a button that is no longer where we put it: nothing is sent. */
  function refuseStale(btn, b) {
    const row = b.row;
    const inPlace = btn.parentNode === b.cell && b.cell.parentNode === row && row.isConnected;
    if (inPlace && buttonOf.get(row) === btn && !busy.has(row)) {
      // The row changed under it (another session shown, or something put in front of it): a
      // fresh button, bound to what the row shows now, which needs a new gesture.
      undecorate(row);
      tables.redo(row);
      const fresh = buttonOf.get(row);
      if (fresh) showTexts(statusElement(fresh), texts({ ok: false, kind: "stale_button" }));
      return;
    }
    // Moved away from its row by the page: it stays dead where the page put it.
    bindings.unbind(btn);
    btn.disabled = true;
    showTexts(statusElement(btn), texts({ ok: false, kind: "stale_button" }));
  }

  function onClick(event) {
    const target = event.target;
    if (ours.has(target) && target.hasAttribute(OPEN_OPTIONS)) {
      if (!event.isTrusted) return;
      event.stopPropagation();
      channel.send({ type: "openOptions" }).catch(() => {});
      return;
    }
    if (!bindings.has(target)) return; // not a button we made (the page's own copies included)
    const btn = target;
    if (!event.isTrusted) return; // a page script's .click(): ignore completely
    event.stopPropagation(); // the console's own row handlers must not see our clicks
    if (guard.refusal(event, btn) !== null) return; // not a gesture the person made on this button
    const b = bindings.get(btn);
    if (busy.has(b.row) || b.row.getAttribute(STATE) === "pending" || btn.disabled) return;
    if (bindings.staleReason(btn, readRefNow) !== null) {
      refuseStale(btn, b);
      return;
    }
    busy.add(b.row);
    terminate(btn, b)
      .catch(() => finish(b.row, btn, false, S.noAnswer))
      .finally(() => busy.delete(b.row));
  }

  // The pointer reaches a button (or the keyboard focuses it) well before the click: open the
  // request port then, which starts a stopped service worker / suspended event page (and its
  // core, config and client) while the person is still aiming.
  function onApproach(event) {
    if (event.isTrusted && bindings.has(event.target)) channel.warm();
  }

  const onGesture = (event) => guard.handle(event);
  for (const type of GESTURE_EVENTS) doc.addEventListener(type, onGesture, { capture: true, passive: true, signal });
  doc.addEventListener("click", onClick, { capture: true, signal });
  doc.addEventListener("pointerover", onApproach, { capture: true, passive: true, signal });
  doc.addEventListener("focusin", onApproach, { capture: true, signal });

  signal.addEventListener("abort", () => {
    channel.close();
    sweep(doc);
  }, { once: true });

  return { bindings, guard };
}
