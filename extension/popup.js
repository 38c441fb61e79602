// Popup: active sessions, filter, per-row terminate / copy as curl, bulk termination with progress.
// The list is fetched HERE (a list may take minutes; a service worker's fetch dies after 30 s) with
// a token-only client of the core and a token from the background (pages/list.js). The bulk run
// lives in the background: closing the popup does not stop it; reopening shows it.
import init, { DropClient } from "./wasm/session_drop.js";
import { ext, send, t, h, describe, renderReport, renderText, ask, foldText } from "./pages/common.js";
import { listSessions, humanBytes } from "./pages/list.js";

// Started at once, while the page renders; awaited only by the list.
const core = init({ module_or_path: new URL("./wasm/session_drop_bg.wasm", import.meta.url) }).then(
  () => null,
  (err) => ({ ok: false, kind: "core_failed", status: null, next: "report", serverMessage: null, params: { detail: String((err && err.message) || err) } }),
);

const PAGE = 200; // rows rendered at once; the rest is counted ("and N more")
const LIST_LIMIT = 200000; // sessions kept at most (the filter and select-all work on all of them)
const POLL_MS = 300;

const $ = (id) => document.getElementById(id);
const els = {
  filter: $("filter"),
  refresh: $("refresh"),
  listStatus: $("listStatus"),
  table: $("sessions"),
  rows: $("rows"),
  more: $("more"),
  selectAll: $("selectAll"),
  selectionInfo: $("selectionInfo"),
  terminateSelected: $("terminateSelected"),
  dialog: $("confirmDialog"),
  runPanel: $("runPanel"),
  runProgress: $("runProgress"),
  runSummary: $("runSummary"),
  runReasons: $("runReasons"),
  runResults: $("runResults"),
  runDismiss: $("runDismiss"),
};

let sessions = []; // prepared sessions
let byKey = new Map();
let matching = [];
const selected = new Set();
let runRunning = false;
let shownRunId = null;
/** Indices (in run.results) of the lines already shown: a line is shown once it is settled. */
let renderedResults = new Set();
/** Lines of a run that have no outcome yet (the background keeps every line, settled in place). */
const UNSETTLED = new Set(["pending", "sending"]);
let pollTimer = null;
// While a list is on its way: no select-all, no bulk start (both need the whole list).
let partial = false;
let loadSeq = 0;

// ------------------------------------------------------------------ sessions

const ROW_ID = /^[0-9]{1,20}$/;

function prepare(s) {
  const rowId = s.id != null && ROW_ID.test(String(s.id)) ? String(s.id) : null;
  const sessionId = s.sessionId ? String(s.sessionId) : null;
  const key = sessionId ? `hash:${sessionId}` : rowId ? `row:${rowId}` : null;
  return {
    ...s,
    rowId,
    sessionId,
    key,
    canAct: !!key,
    hay: foldText([s.user, s.device, s.credential, s.protocol, s.originIp].filter(Boolean).join("\u0001")),
  };
}

function refOf(s) {
  return s.sessionId ? { kind: "hash", value: s.sessionId } : { kind: "row", value: s.rowId };
}

function clip(v) {
  if (v == null) return null;
  const s = String(v);
  return s.length > 256 ? s.slice(0, 256) : s;
}

function contextOf(s) {
  const ctx = {};
  if (s.user) ctx.user = clip(s.user);
  if (s.device) ctx.device = clip(s.device);
  return ctx;
}

function parseStart(start) {
  if (!start) return NaN;
  const s = String(start).trim();
  let ms = Date.parse(s);
  if (Number.isNaN(ms)) ms = Date.parse(s.replace(" ", "T"));
  const br = /^(\d{2})\/(\d{2})\/(\d{4})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s); // dd/mm/yyyy hh:mm[:ss]
  if (Number.isNaN(ms) && br) ms = new Date(+br[3], +br[2] - 1, +br[1], +br[4], +br[5], +(br[6] || 0)).getTime();
  return ms;
}

function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return "";
  const total = Math.floor(ms / 1000);
  const d = Math.floor(total / 86400);
  const hh = Math.floor((total % 86400) / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const ss = String(total % 60).padStart(2, "0");
  return d > 0 ? `${d}d ${hh}:${mm}:${ss}` : `${hh}:${mm}:${ss}`;
}

function durationOf(s) {
  if (s.time) return String(s.time);
  return formatDuration(Date.now() - parseStart(s.start));
}

function applyFilter() {
  const terms = foldText(els.filter.value).split(/\s+/).filter(Boolean);
  matching = terms.length ? sessions.filter((s) => terms.every((term) => s.hay.includes(term))) : sessions;
  render();
}

function shortStart(start) {
  const v = String(start ?? "");
  // "2025-06-02 17:41:03" -> "06-02 17:41" (the full value is in the cell's title)
  return /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(v) ? `${v.slice(5, 10)} ${v.slice(11, 16)}` : v;
}

function cell(text, cls, full) {
  const v = text == null ? "" : String(text);
  return h("td", { class: cls || null, title: full ?? (v || null) }, v);
}

function rowFor(s) {
  const who = [s.user, s.device].filter(Boolean).join(" @ ") || s.sessionId || s.rowId || "";
  const check = h("input", {
    type: "checkbox",
    "data-act": "select",
    "aria-label": t("selectSession", [who]),
    disabled: !s.canAct,
  });
  check.checked = selected.has(s.key);
  const actions = h("td", { class: "row-actions" },
    h("button", { type: "button", "data-act": "drop", class: "danger small", disabled: !s.canAct, "aria-label": t("buttonTerminateRowLabel", [who]) }, t("buttonTerminateRow")),
    h("button", { type: "button", "data-act": "curl", class: "small", disabled: !s.sessionId, title: t("buttonCopyCurl"), "aria-label": t("buttonCopyCurlLabel", [who]) }, t("buttonCopyCurlShort")),
  );
  return h("tr", { "data-key": s.key || "" },
    h("td", { class: "col-check" }, check),
    cell(s.user),
    cell(s.device),
    cell(s.credential),
    cell(s.protocol),
    cell(s.originIp, "mono"),
    cell(shortStart(s.start), "mono", s.start || null),
    cell(durationOf(s), "mono"),
    actions,
  );
}

function render() {
  const frag = document.createDocumentFragment();
  const shown = Math.min(PAGE, matching.length);
  for (let i = 0; i < shown; i++) frag.appendChild(rowFor(matching[i]));
  els.rows.replaceChildren(frag);
  els.table.hidden = sessions.length === 0;
  const rest = matching.length - shown;
  els.more.hidden = rest <= 0;
  els.more.textContent = rest > 0 ? t("moreRows", [String(rest)]) : "";
  updateSelectionUi();
}

function updateSelectionUi() {
  const actionable = matching.filter((s) => s.canAct);
  const chosenMatching = actionable.filter((s) => selected.has(s.key)).length;
  els.selectAll.checked = actionable.length > 0 && chosenMatching === actionable.length;
  els.selectAll.indeterminate = chosenMatching > 0 && chosenMatching < actionable.length;
  els.selectAll.disabled = actionable.length === 0 || partial;
  els.selectAll.setAttribute("aria-label", t("selectAllMatchingCount", [String(actionable.length)]));
  const n = selected.size;
  els.terminateSelected.textContent = t("buttonTerminateSelected", [String(n)]);
  els.terminateSelected.disabled = n === 0 || runRunning || partial;
  els.selectionInfo.textContent = sessions.length && !partial
    ? t("listCounts", [String(matching.length), String(sessions.length)])
    : "";
}

function isList(res) {
  return !!res && res.ok === true && Array.isArray(res.sessions);
}

function setSessions(list, complete) {
  sessions = list.map(prepare);
  byKey = new Map(sessions.filter((s) => s.key).map((s) => [s.key, s]));
  // A selection is forgotten only when the whole list says the session is gone.
  if (complete) for (const k of [...selected]) if (!byKey.has(k)) selected.delete(k);
}

// The list comes in one answer (the core streams and filters it); while it comes, the bytes read
// so far are shown, throttled. The previous list stays on screen until the new one is here.
async function load() {
  const seq = ++loadSeq;
  els.refresh.disabled = true;
  partial = true;
  updateSelectionUi();
  els.listStatus.classList.add("loading");
  renderText(els.listStatus, t("statusLoadingSessions"));
  let lastPaint = 0;
  const onProgress = (read) => {
    const now = Date.now();
    if (seq !== loadSeq || now - lastPaint < 200) return;
    lastPaint = now;
    renderText(els.listStatus, t("statusLoadingProgress", [humanBytes(read)]));
  };
  const failed = await core;
  const res = failed || (await listSessions({ send, DropClient, limit: LIST_LIMIT, onProgress }));
  if (seq !== loadSeq) return;
  partial = false;
  els.refresh.disabled = false;
  els.listStatus.classList.remove("loading");
  if (!isList(res)) {
    sessions = [];
    byKey = new Map();
    matching = [];
    render();
    renderReport(els.listStatus, res);
    if (res && (res.kind === "not_configured" || res.kind === "no_permission" || res.kind === "invalid_config")) {
      els.listStatus.appendChild(
        h("button", { type: "button", class: "small", onclick: openOptions }, t("buttonOpenSettings")),
      );
    }
    return;
  }
  setSessions(res.sessions, true);
  const active = typeof res.activeCount === "number" ? res.activeCount : sessions.length;
  if (sessions.length === 0) renderText(els.listStatus, t("statusNoActive"));
  else if (active > sessions.length) renderText(els.listStatus, t("statusActiveTruncated", [String(sessions.length), String(active)]));
  else renderText(els.listStatus, t("statusActiveCount", [String(sessions.length)]));
  applyFilter();
}

// ------------------------------------------------------------------ row actions

// A row's result goes in a full-width line under it (the columns are narrow).
function rowStatus(tr) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains("status-row")) return next.querySelector(".row-status");
  const st = h("div", { class: "row-status status", role: "status" });
  tr.after(h("tr", { class: "status-row" }, h("td", { colspan: String(tr.cells.length) }, st)));
  return st;
}

async function dropOne(tr, s) {
  const btn = tr.querySelector('[data-act="drop"]');
  const st = rowStatus(tr);
  btn.disabled = true;
  tr.classList.add("is-pending");
  renderText(st, t("statusPending"));
  const report = await send("drop", { ref: refOf(s), context: contextOf(s) });
  tr.classList.remove("is-pending");
  renderReport(st, report);
  if (report && report.ok) {
    tr.classList.add("is-dropped");
    selected.delete(s.key);
    updateSelectionUi();
  } else {
    btn.disabled = false;
  }
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = h("textarea", { class: "offscreen", readonly: true });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    ta.remove();
    return ok;
  }
}

async function copyCurl(tr, s) {
  const st = rowStatus(tr);
  const res = await send("curl", { ref: refOf(s) });
  if (!res || res.ok !== true || typeof res.curl !== "string") {
    renderReport(st, res);
    return;
  }
  if (await copyText(res.curl)) {
    renderText(st, t("statusCurlCopied"), "ok");
  } else {
    st.replaceChildren(h("textarea", { class: "curl-text", readonly: true, rows: "3", "aria-label": t("buttonCopyCurl") }, res.curl));
  }
}

els.rows.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.dataset.act !== "select") return;
  const key = input.closest("tr").dataset.key;
  if (!key) return;
  if (input.checked) selected.add(key);
  else selected.delete(key);
  updateSelectionUi();
});

els.rows.addEventListener("click", (event) => {
  const btn = event.target instanceof Element ? event.target.closest("button[data-act]") : null;
  if (!btn) return;
  const tr = btn.closest("tr");
  const s = byKey.get(tr.dataset.key);
  if (!s) return;
  if (btn.dataset.act === "drop") dropOne(tr, s);
  else if (btn.dataset.act === "curl") copyCurl(tr, s);
});

els.selectAll.addEventListener("change", () => {
  for (const s of matching) {
    if (!s.canAct) continue;
    if (els.selectAll.checked) selected.add(s.key);
    else selected.delete(s.key);
  }
  syncChecks();
  updateSelectionUi();
});

// The rendered checkboxes follow `selected` (after select-all, and once a run took the selection).
function syncChecks() {
  for (const input of els.rows.querySelectorAll('input[data-act="select"]')) {
    input.checked = selected.has(input.closest("tr").dataset.key);
  }
}

let filterTimer = null;
els.filter.addEventListener("input", () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(applyFilter, sessions.length > 5000 ? 150 : 40);
});

els.refresh.addEventListener("click", () => load());

// ------------------------------------------------------------------ bulk run

async function startBulk() {
  const chosen = [...selected].map((k) => byKey.get(k)).filter((s) => s && s.canAct);
  if (!chosen.length || runRunning) return;
  const n = String(chosen.length);
  const yes = await ask(els.dialog, {
    text: t("confirmBulk", [n]),
    yes: t("buttonConfirmBulk", [n]),
    no: t("buttonCancel"),
  });
  if (!yes) return;
  els.terminateSelected.disabled = true;
  const payload = chosen.map((s) => ({
    sessionId: s.sessionId || null,
    rowId: s.rowId || null,
    user: clip(s.user),
    device: clip(s.device),
  }));
  const res = await send("bulkStart", { sessions: payload });
  if (!res || res.ok !== true || !res.run) {
    els.runPanel.hidden = false;
    renderReport(els.runSummary, res);
    updateSelectionUi();
    return;
  }
  selected.clear();
  syncChecks();
  updateSelectionUi();
  showRun(res.run);
  startPolling();
}

els.terminateSelected.addEventListener("click", startBulk);

/** One item of a run: a result, an item refused before it ran ("invalid"), or one not run ("skipped"). */
function resultLine(r) {
  const who = [r.user, r.device].filter(Boolean).join(" @ ") || r.sessionId || r.rowId || "";
  const report = r.report && typeof r.report === "object" ? r.report : r;
  let cls;
  let mark;
  let what;
  if (r.state === "skipped") {
    cls = "is-ended";
    mark = "–";
    what = t("runSkippedItem");
  } else if (r.state === "invalid") {
    const m = describe(report);
    cls = "is-error";
    mark = "!";
    what = t("runInvalidItem", [m.cause ? `${m.title}: ${m.cause}` : m.title]);
  } else {
    const m = describe(report);
    const ended = report.kind === "already_ended";
    cls = report.ok ? "is-ok" : ended ? "is-ended" : "is-error";
    mark = report.ok ? "✓" : ended ? "–" : "✗";
    what = report.ok || !m.cause ? m.title : `${m.title}: ${m.cause}`;
  }
  return h("li", { class: cls, "data-kind": report.kind || "", "data-state": r.state || "done" },
    h("span", { class: "mark", "aria-hidden": "true" }, mark),
    h("span", { class: "who" }, who),
    h("span", { class: "what" }, what),
  );
}

function showRun(run) {
  if (!run) return;
  if (run.id !== shownRunId) {
    shownRunId = run.id;
    renderedResults = new Set();
    els.runResults.replaceChildren();
  }
  els.runPanel.hidden = false;
  runRunning = !!run.running;
  els.runProgress.max = Math.max(1, run.total || 0);
  els.runProgress.value = run.done || 0;
  const results = Array.isArray(run.results) ? run.results : [];
  const frag = document.createDocumentFragment();
  // One line per session as its outcome arrives (in the order they are seen settled).
  results.forEach((r, i) => {
    if (renderedResults.has(i) || !r || UNSETTLED.has(r.state)) return;
    renderedResults.add(i);
    frag.appendChild(resultLine(r));
  });
  els.runResults.appendChild(frag);
  const sum = run.summary || { dropped: 0, alreadyEnded: 0, failed: 0, reasons: [] };
  els.runSummary.classList.remove("is-ok", "is-error");
  els.runSummary.dataset.kind = "";
  let text;
  if (run.running) {
    text = t("runInProgress", [String(run.done || 0), String(run.total || 0)]);
  } else {
    text = t("runFinished", [String(sum.dropped), String(sum.alreadyEnded), String(sum.failed)]);
    if (run.interrupted) text += " " + t("runInterrupted", [String((run.total || 0) - (run.done || 0))]);
  }
  els.runSummary.textContent = text;
  els.runReasons.replaceChildren(
    ...(!run.running && sum.reasons ? sum.reasons : []).map((r) =>
      h("li", {}, t("runReason", [String(r.count), r.title || describe({ kind: r.kind }).title]))),
  );
  if (run.error && !run.running) {
    const m = run.error.kind ? describe(run.error) : run.error;
    if (m.title) els.runReasons.prepend(h("li", { class: "is-error" }, [m.title, m.cause, m.fix].filter(Boolean).join(" ")));
  }
  els.runDismiss.hidden = !!run.running;
  updateSelectionUi();
}

function startPolling() {
  if (pollTimer) return;
  pollTimer = setInterval(async () => {
    const res = await send("bulkState");
    if (!res || res.ok !== true || !res.run) return;
    showRun(res.run);
    if (!res.run.running) {
      clearInterval(pollTimer);
      pollTimer = null;
      load();
    }
  }, POLL_MS);
}

els.runDismiss.addEventListener("click", () => {
  try {
    localStorage.setItem("dismissedRun", shownRunId || "");
  } catch {
    // ignore
  }
  els.runPanel.hidden = true;
});

// ------------------------------------------------------------------ links and start

function openOptions() {
  ext.runtime.openOptionsPage();
  window.close();
}

$("optionsLink").addEventListener("click", (event) => {
  event.preventDefault();
  openOptions();
});

$("auditLink").addEventListener("click", (event) => {
  event.preventDefault();
  ext.tabs.create({ url: ext.runtime.getURL("audit.html") });
  window.close();
});

(async () => {
  updateSelectionUi();
  const state = await send("bulkState");
  if (state && state.ok === true && state.run) {
    let dismissed = "";
    try {
      dismissed = localStorage.getItem("dismissedRun") || "";
    } catch {
      dismissed = "";
    }
    if (state.run.running || state.run.id !== dismissed) showRun(state.run);
    if (state.run.running) startPolling();
  }
  await load();
  els.filter.focus();
})();
