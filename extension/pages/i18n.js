// Fills the page texts from _locales (chrome.i18n / browser.i18n). ES module, imported by every page.
//   data-i18n=KEY               -> textContent
//   data-i18n-aria=KEY          -> aria-label
//   data-i18n-placeholder=KEY   -> placeholder
//   data-i18n-title=KEY         -> title
const ext = globalThis.browser ?? globalThis.chrome;

/** Localised message (substitutions: string or array); "" when missing (for describeReport). */
export function msg(key, subs) {
  try {
    return ext.i18n.getMessage(key, subs) || "";
  } catch {
    return "";
  }
}

/** Localised message (substitutions: string or array); the key itself when missing. */
export function t(key, subs) {
  return msg(key, subs) || key;
}

export function uiLang() {
  try {
    return ext.i18n.getUILanguage() || "en";
  } catch {
    return "en";
  }
}

const ATTRS = [
  ["data-i18n-aria", "aria-label"],
  ["data-i18n-placeholder", "placeholder"],
  ["data-i18n-title", "title"],
];

export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.getAttribute("data-i18n"));
  }
  for (const [data, attr] of ATTRS) {
    for (const el of root.querySelectorAll(`[${data}]`)) el.setAttribute(attr, t(el.getAttribute(data)));
  }
}

if (typeof document !== "undefined") {
  document.documentElement.lang = uiLang();
  applyI18n(document);
}
