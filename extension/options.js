// Options page. Save asks for the appliance host permission inside the submit handler, before any
// await (the user gesture must still be there), then hands the values to the background.
import { ext, send, t, renderReport, renderText } from "./pages/common.js";
import { parseServerUrl } from "./lib/url.js";
import { parseColumnTitles } from "./lib/protocol.js";

const $ = (id) => document.getElementById(id);
const form = $("form");
const statusEl = $("status");
const fields = {
  serverUrl: $("serverUrl"),
  clientId: $("clientId"),
  clientSecret: $("clientSecret"),
  generation: $("generation"),
  timeoutMs: $("timeoutSeconds"),
  askBeforeTerminate: $("askBeforeTerminate"),
  bulkConcurrency: $("bulkConcurrency"),
  tokenAuth: $("tokenAuth"),
  columnTitles: $("columnTitles"),
};

let view = null; // last getSettings answer
let busy = false;

function isManaged(key) {
  return !!(view && view.managed && view.managed[key]);
}

function fill(v) {
  view = v;
  const s = v.settings;
  fields.serverUrl.value = s.serverUrl || "";
  fields.clientId.value = s.clientId || "";
  fields.clientSecret.value = "";
  fields.clientSecret.placeholder = v.hasSecret ? t("placeholderSecretUnchanged") : "";
  fields.generation.value = s.generation || "auto";
  fields.timeoutMs.value = String(Math.round((s.timeoutMs || 15000) / 1000));
  fields.askBeforeTerminate.checked = !!s.askBeforeTerminate;
  fields.bulkConcurrency.value = String(s.bulkConcurrency || 4);
  fields.tokenAuth.value = s.tokenAuth || "body";
  fields.columnTitles.value = s.columnTitles || "";
  for (const [key, input] of Object.entries(fields)) {
    const box = input.closest(".field");
    const note = box && box.querySelector(".managed-note");
    const locked = isManaged(key);
    input.disabled = locked;
    if (note) {
      note.hidden = !locked;
      if (!note.id) note.id = `${input.id}Managed`;
      const described = new Set((input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
      if (locked) described.add(note.id);
      else described.delete(note.id);
      if (described.size) input.setAttribute("aria-describedby", [...described].join(" "));
    }
    if (box) box.classList.toggle("is-managed", locked);
  }
  if (locked("clientSecret") && v.hasSecret) fields.clientSecret.placeholder = t("placeholderSecretManaged");
  $("presetNote").hidden = !v.fromPreset;
}

function locked(key) {
  return isManaged(key);
}

function setError(id, text) {
  const el = $(id);
  if (el) el.textContent = text || "";
}

function clearErrors() {
  for (const id of ["serverUrlError", "clientIdError", "timeoutError", "concurrencyError"]) setError(id, "");
  for (const input of Object.values(fields)) input.removeAttribute("aria-invalid");
}

function invalid(input, errorId, text) {
  input.setAttribute("aria-invalid", "true");
  setError(errorId, text);
}

const URL_REASONS = {
  empty: "errUrlEmpty",
  syntax: "errUrlSyntax",
  scheme: "errUrlScheme",
  insecure: "errUrlInsecure",
  userinfo: "errUrlUserinfo",
  query: "errUrlQuery",
};

/** Reads and checks the form. Returns { ok, settings, parsed } (settings excludes managed keys). */
function readForm({ requireServer }) {
  clearErrors();
  const settings = {};
  let ok = true;
  let parsed = null;
  if (!locked("serverUrl")) {
    const raw = fields.serverUrl.value.trim();
    settings.serverUrl = raw;
    if (raw || requireServer) {
      parsed = parseServerUrl(raw);
      if (!parsed.ok) {
        ok = false;
        invalid(fields.serverUrl, "serverUrlError", t(URL_REASONS[parsed.reason] || "errUrlSyntax"));
      }
    }
  } else if (view && view.settings.serverUrl) {
    parsed = parseServerUrl(view.settings.serverUrl);
  }
  if (!locked("clientId")) settings.clientId = fields.clientId.value.trim();
  if (!locked("clientSecret")) settings.clientSecret = fields.clientSecret.value;
  if (!locked("generation")) settings.generation = fields.generation.value;
  if (!locked("timeoutMs")) {
    const sec = Number(fields.timeoutMs.value);
    if (!Number.isInteger(sec) || sec < 1 || sec > 300) {
      ok = false;
      invalid(fields.timeoutMs, "timeoutError", t("errTimeoutRange"));
    } else settings.timeoutMs = sec * 1000;
  }
  if (!locked("askBeforeTerminate")) settings.askBeforeTerminate = fields.askBeforeTerminate.checked;
  if (!locked("bulkConcurrency")) {
    const n = Number(fields.bulkConcurrency.value);
    if (!Number.isInteger(n) || n < 1 || n > 16) {
      ok = false;
      invalid(fields.bulkConcurrency, "concurrencyError", t("errConcurrencyRange"));
    } else settings.bulkConcurrency = n;
  }
  if (!locked("tokenAuth")) settings.tokenAuth = fields.tokenAuth.value;
  if (!locked("columnTitles")) {
    const parsedTitles = parseColumnTitles(fields.columnTitles.value);
    if (!parsedTitles.ok) {
      ok = false;
      invalid(fields.columnTitles, "columnTitlesError", t("errColumnTitles", [String(parsedTitles.line)]));
    } else settings.columnTitles = fields.columnTitles.value;
  }
  if (!ok) {
    const first = form.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }
  return { ok, settings, parsed };
}

/** Must be called synchronously from the event handler (user gesture). */
function requestPermission(parsed) {
  if (!parsed || !parsed.ok) return Promise.resolve(true);
  try {
    return ext.permissions.request({ origins: [parsed.matchPattern] }).catch(() => false);
  } catch {
    return Promise.resolve(false);
  }
}

function setBusy(b) {
  busy = b;
  $("save").disabled = b;
  $("test").disabled = b;
  form.setAttribute("aria-busy", b ? "true" : "false");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (busy) return;
  const { ok, settings, parsed } = readForm({ requireServer: false });
  if (!ok) {
    renderText(statusEl, t("statusFixErrors"), "error");
    return;
  }
  const permission = requestPermission(parsed); // first, before any await
  setBusy(true);
  renderText(statusEl, t("statusSaving"));
  permission
    .then(async (granted) => {
      const answer = await send("saveSettings", { settings });
      if (!answer || answer.ok !== true) {
        renderReport(statusEl, answer);
        return;
      }
      fill(answer);
      if (parsed && parsed.ok && !granted) {
        renderText(statusEl, t("statusSavedNoPermission", [parsed.origin]), "error");
      } else if (!answer.configured) {
        renderText(statusEl, t("statusSavedIncomplete"), "info");
      } else {
        renderText(statusEl, t("statusSaved"), "ok");
      }
    })
    .finally(() => setBusy(false));
});

$("test").addEventListener("click", () => {
  if (busy) return;
  const { ok, settings, parsed } = readForm({ requireServer: true });
  if (!ok) {
    renderText(statusEl, t("statusFixErrors"), "error");
    return;
  }
  const permission = requestPermission(parsed); // first, before any await
  setBusy(true);
  renderText(statusEl, t("statusTesting"));
  permission
    .then(async () => {
      const report = await send("testConnection", { settings });
      renderReport(statusEl, report, report && report.ok ? t("statusConnected") : undefined);
    })
    .finally(() => setBusy(false));
});

$("auditLink").addEventListener("click", (event) => {
  event.preventDefault();
  ext.tabs.create({ url: ext.runtime.getURL("audit.html") });
});

(async () => {
  const v = await send("getSettings");
  if (v && v.ok === true && v.settings) {
    fill(v);
    if (v.settings.serverUrl && !v.permission) renderText(statusEl, t("statusNeedPermission"), "info");
  } else {
    renderReport(statusEl, v);
  }
})();
