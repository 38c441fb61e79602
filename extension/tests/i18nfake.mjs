// chrome.i18n.getMessage over the real catalogue files, with the browser's rules: named
// placeholders ($NAME$ -> their "content"), "$1".."$9" in a content -> the substitutions (missing
// ones -> ""), "$$" -> "$", an unknown key -> "".
import { readJSON } from "./helpers.mjs";

export const catalogues = {
  en: readJSON("_locales/en/messages.json"),
  pt_BR: readJSON("_locales/pt_BR/messages.json"),
};

export function getMessageFor(catalogue) {
  return (key, subs) => {
    const m = catalogue[key];
    if (!m) return "";
    const list = subs === undefined || subs === null ? [] : [].concat(subs).map(String);
    const fill = (s) => s.replace(/\$(\d)/g, (_, d) => list[Number(d) - 1] ?? "");
    const ph = {};
    for (const [name, p] of Object.entries(m.placeholders || {})) ph[name.toLowerCase()] = fill(p.content);
    return m.message
      .replace(/\$\$/g, "\u0000")
      .replace(/\$([A-Za-z0-9_]+)\$/g, (all, name) => ph[name.toLowerCase()] ?? "")
      .replace(/\u0000/g, "$");
  };
}

export const tEn = getMessageFor(catalogues.en);
export const tPt = getMessageFor(catalogues.pt_BR);
