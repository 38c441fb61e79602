// The confirmation window of "Ask before terminating" (docs/DESIGN.md §3): opened by the background as
// confirm.html?id=N, an extension page the console cannot reach. Shows the session id, the row id
// and what the appliance itself says about that row (list-one), with a warning when the appliance
// names another session than the one the button was bound to (the page may be lying); answers yes
// or no. Closing the window is a no. Texts come from _locales only (describeReport for a Report), set as text.
import { t } from "./pages/i18n.js";
import { describeReport } from "./lib/report-text.js";

const ext = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);
const id = Number(new URLSearchParams(location.search).get("id"));
/** i18n.getMessage as describeReport wants it: "" when a key is missing. */
const raw = (key, subs) => {
  try {
    return ext.i18n.getMessage(key, subs) || "";
  } catch {
    return "";
  }
};

function el(tag, text, cls, max = 512) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text).slice(0, max);
  return e;
}

function fact(list, key, value, cls) {
  if (value === undefined || value === null || value === "") return;
  list.append(el("dt", t(key)), el("dd", value, cls ? `mono ${cls}` : "mono"));
}

function showReport(box, intro, report) {
  const { title, cause, fix } = describeReport(report, raw);
  box.replaceChildren(el("p", intro), el("strong", title, "report-title"), document.createTextNode(" "),
    el("span", cause, "report-cause"), document.createTextNode(" "), el("span", fix, "report-fix"));
}

let answered = false;
async function answer(yes) {
  if (answered) return;
  answered = true;
  $("yes").disabled = true;
  $("no").disabled = true;
  try {
    await ext.runtime.sendMessage({ type: "confirmAnswer", id, yes });
  } catch {
    // the background went away: it treats the question as unanswered (no)
  }
  window.close();
}

async function load() {
  let info = null;
  try {
    info = Number.isSafeInteger(id) && id > 0 ? await ext.runtime.sendMessage({ type: "confirmGet", id }) : null;
  } catch {
    info = null;
  }
  const facts = $("facts");
  const box = $("lookup");
  if (!info || info.ok !== true) {
    box.replaceChildren(el("p", t("confirmGone")));
    box.classList.add("is-error");
    $("yes").disabled = true;
    $("no").focus();
    return;
  }
  // What this window's "Terminate" ends: the session the row's button was bound to.
  fact(facts, "confirmSessionId", info.sessionId);
  fact(facts, "confirmRowId", info.rowId);
  const s = info.session;
  if (s) {
    // What the appliance itself says (list-one of the row ID), in its own list.
    const mismatch = info.mismatch === true;
    const rowId = String(info.rowId ?? s.id ?? "");
    box.replaceChildren(el("p", mismatch ? t("confirmApplianceSaysOther", [rowId]) : t("confirmApplianceSays")));
    const list = $("appliance");
    fact(list, "confirmSessionId", s.sessionId, mismatch ? "differs" : "");
    fact(list, "confirmUser", s.user);
    fact(list, "confirmDevice", s.device);
    fact(list, "confirmCredential", s.credential);
    fact(list, "confirmProtocol", s.protocol);
    fact(list, "confirmOrigin", s.originIp);
    fact(list, "confirmStart", s.start);
    fact(list, "confirmEnd", s.end);
    if (mismatch) {
      // The page showed a row ID the appliance gives to another session: the page may be lying.
      const warn = $("mismatch");
      warn.replaceChildren(el("strong", t("confirmMismatchTitle")),
        el("span", t("confirmMismatch", [rowId, String(s.sessionId ?? ""), String(info.sessionId ?? "")]), "", 1500));
      warn.hidden = false;
      document.title = t("confirmMismatchTitle");
    }
  } else if (info.lookupError) {
    showReport(box, t("confirmLookupFailed"), info.lookupError);
    box.classList.add("is-error");
  } else {
    box.replaceChildren(el("p", t("confirmNoLookup")));
  }
  $("yes").disabled = false;
  $("no").focus(); // the safe answer is the default
}

$("yes").addEventListener("click", () => answer(true));
$("no").addEventListener("click", () => answer(false));
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") answer(false);
});
load();
