// Audit page: the recorded termination attempts, newest first; CSV / JSON export; clear.
import { send, t, h, describe, renderReport, renderText, ask, download, formatDateTime } from "./pages/common.js";
import { toCSV, toJSON } from "./lib/audit.js";

const $ = (id) => document.getElementById(id);
const statusEl = $("status");
const table = $("entries");
const tbody = $("rows");
let entries = []; // oldest first, as stored

const SOURCE_KEYS = { console: "sourceConsole", popup: "sourcePopup", bulk: "sourceBulk", confirm: "sourceConsole" };

/** Title and cause of an entry: from the catalogue (entries hold kind, status, params), or the
 *  texts stored by older versions; a write-ahead record never completed says so. */
function entryTexts(e) {
  if (typeof e.title === "string" || typeof e.cause === "string") return { title: e.title || "", cause: e.cause || "" };
  if (e.state === "sending") return { title: t("auditSendingTitle"), cause: t("auditSendingCause") };
  const m = describe(e);
  return { title: m.title, cause: m.cause };
}

function sourceText(e) {
  const label = t(SOURCE_KEYS[e.source] || "sourceConsole");
  return e.runId ? `${label} (${e.runId})` : label;
}

function row(e) {
  const m = entryTexts(e);
  return h("tr", { class: e.ok ? "is-ok" : e.kind === "already_ended" || e.state === "sending" ? "is-ended" : "is-error" },
    h("td", { class: "nowrap", title: e.at }, formatDateTime(e.at)),
    h("td", {}, e.appliance || ""),
    h("td", { class: "mono" }, e.sessionId || ""),
    h("td", { class: "mono" }, e.rowId || ""),
    h("td", {}, e.user || ""),
    h("td", {}, e.device || ""),
    h("td", {}, e.kind || e.state || "", e.status ? ` (${e.status})` : ""),
    h("td", {}, h("strong", {}, m.title), m.cause ? h("span", { class: "cause" }, m.cause) : null),
    h("td", {}, sourceText(e)),
  );
}

async function load() {
  renderText(statusEl, t("statusLoading"));
  const res = await send("auditList");
  if (!res || res.ok !== true || !Array.isArray(res.entries)) {
    renderReport(statusEl, res);
    return;
  }
  entries = res.entries;
  const frag = document.createDocumentFragment();
  for (let i = entries.length - 1; i >= 0; i--) frag.appendChild(row(entries[i]));
  tbody.replaceChildren(frag);
  table.hidden = entries.length === 0;
  renderText(statusEl, entries.length ? t("auditCount", [String(entries.length)]) : t("auditEmpty"));
}

function stamp() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

$("exportCsv").addEventListener("click", () => {
  const newestFirst = entries.slice().reverse();
  // BOM so that spreadsheet programs read the accents (UTF-8) correctly.
  download(`session-drop-audit-${stamp()}.csv`, "\uFEFF" + toCSV(newestFirst, entryTexts), "text/csv;charset=utf-8");
});

$("exportJson").addEventListener("click", () => {
  const newestFirst = entries.slice().reverse();
  download(`session-drop-audit-${stamp()}.json`, toJSON(newestFirst, entryTexts), "application/json");
});

$("reload").addEventListener("click", load);

$("clear").addEventListener("click", async () => {
  const yes = await ask($("confirmDialog"), {
    text: t("confirmClearAudit", [String(entries.length)]),
    yes: t("buttonClearConfirm"),
    no: t("buttonCancel"),
  });
  if (!yes) return;
  const res = await send("auditClear");
  if (!res || res.ok !== true) {
    renderReport(statusEl, res);
    return;
  }
  await load();
  renderText(statusEl, t("auditCleared"), "ok");
});

load();
