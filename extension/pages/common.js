// Shared helpers for the extension pages (options, popup, audit). ES module.
import { t, msg, applyI18n, uiLang } from "./i18n.js";
import { describeReport } from "../lib/report-text.js";

export { t, msg, applyI18n, uiLang };
export const ext = globalThis.browser ?? globalThis.chrome;

/** `{ title, cause, fix }` of a Report in the UI language (texts from _locales). */
export function describe(report) {
  return describeReport(report, msg);
}

/** The page-side Report when the background does not answer (kind "no_answer", pages only). */
export function noAnswer(detail) {
  if (detail) console.warn("Session Drop: no answer from the background:", detail);
  return { ok: false, kind: "no_answer", status: null, next: "report", serverMessage: null, params: {} };
}

/** Sends one protocol message to the background; always resolves (errors become Reports). */
export async function send(type, payload = {}) {
  try {
    const answer = await ext.runtime.sendMessage({ type, ...payload });
    if (answer === undefined || answer === null) return noAnswer("");
    return answer;
  } catch (err) {
    return noAnswer(err && err.message ? err.message : String(err));
  }
}

/** Creates an element; children are strings (as text) or nodes. Never parses HTML. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/** Renders a Report into `el` as text: title, cause, fix from _locales (describeReport; the
 *  cause quotes the appliance's own message when there is one). */
export function renderReport(el, report) {
  el.replaceChildren();
  if (!report) return;
  const m = describe(report);
  const ok = report.ok === true;
  el.dataset.kind = report.kind || "";
  el.classList.toggle("is-ok", ok);
  el.classList.toggle("is-error", !ok);
  // Connected, but the authorization may not (or may not be shown to) terminate sessions.
  const canDrop = report.params && report.params.canDrop;
  el.classList.toggle("is-warn", ok && (canDrop === "no" || canDrop === "unknown"));
  const title = m.title;
  const parts = [];
  if (title) parts.push(h("strong", { class: "report-title" }, title));
  if (m.cause) parts.push(h("span", { class: "report-cause" }, m.cause));
  if (m.fix) parts.push(h("span", { class: "report-fix" }, m.fix));
  parts.forEach((p, i) => {
    if (i) el.appendChild(document.createTextNode(" ")); // readable textContent
    el.appendChild(p);
  });
}

/** Shows a plain text status (info / ok / error). */
export function renderText(el, text, state = "info") {
  el.replaceChildren();
  el.dataset.kind = "";
  el.classList.toggle("is-ok", state === "ok");
  el.classList.toggle("is-error", state === "error");
  el.classList.remove("is-warn");
  if (text) el.appendChild(h("span", {}, text));
}

/** A modal yes/no question using a <dialog> (native confirm() is not available in Firefox popups). */
export function ask(dialog, { text, yes, no }) {
  return new Promise((resolve) => {
    const textEl = dialog.querySelector("[data-dialog-text]");
    const yesBtn = dialog.querySelector("[data-dialog-yes]");
    const noBtn = dialog.querySelector("[data-dialog-no]");
    textEl.textContent = text;
    yesBtn.textContent = yes;
    noBtn.textContent = no || t("buttonCancel");
    const done = (value) => {
      yesBtn.removeEventListener("click", onYes);
      noBtn.removeEventListener("click", onNo);
      dialog.removeEventListener("cancel", onNo);
      if (dialog.open) dialog.close();
      resolve(value);
    };
    const onYes = () => done(true);
    const onNo = (e) => {
      if (e && e.type === "cancel") e.preventDefault();
      done(false);
    };
    yesBtn.addEventListener("click", onYes);
    noBtn.addEventListener("click", onNo);
    dialog.addEventListener("cancel", onNo);
    dialog.showModal();
    noBtn.focus();
  });
}

/** Case- and accent-insensitive form used by the filters. */
export function foldText(s) {
  return String(s ?? "").normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();
}

/** Saves text as a file download (Blob + <a download>). */
export function download(filename, text, type) {
  const blob = new Blob([text], { type });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function openPage(path) {
  return ext.tabs.create({ url: ext.runtime.getURL(path) });
}

export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? "");
  try {
    return d.toLocaleString(uiLang());
  } catch {
    return d.toISOString();
  }
}
