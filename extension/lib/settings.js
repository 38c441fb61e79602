// Effective settings = defaults <- preset.json (only when nothing saved) <- saved <- storage.managed.
// Pure module: used by background.js, tested with node:test.

import { checkSettings } from "./protocol.js";

export const DEFAULTS = Object.freeze({
  serverUrl: "",
  generation: "auto",
  timeoutMs: 15000,
  askBeforeTerminate: false,
  bulkConcurrency: 4,
  tokenAuth: "body",
  columnTitles: "",
});

/** Non-secret keys kept in storage.local["settings"]. */
export const STORED_KEYS = Object.freeze(Object.keys(DEFAULTS));

/** Keys an administrator may set through storage.managed (managed_schema.json). */
export const MANAGED_KEYS = Object.freeze([
  "serverUrl", "clientId", "clientSecret", "generation", "timeoutMs",
  "askBeforeTerminate", "bulkConcurrency", "tokenAuth", "columnTitles",
]);

/** Keeps only the well-typed managed values (a bad policy value is ignored, not fatal). */
export function sanitizeManaged(raw) {
  const out = {};
  if (!raw || typeof raw !== "object") return out;
  for (const k of MANAGED_KEYS) {
    if (raw[k] === undefined) continue;
    const one = checkSettings({ [k]: raw[k] });
    if (one && one[k] !== undefined) out[k] = one[k];
  }
  return out;
}

/** Keeps only the stored (non-secret) keys, well typed. */
export function sanitizeStored(raw) {
  const out = {};
  if (!raw || typeof raw !== "object") return out;
  for (const k of STORED_KEYS) {
    if (raw[k] === undefined) continue;
    const one = checkSettings({ [k]: raw[k] });
    if (one && one[k] !== undefined) out[k] = one[k];
  }
  return out;
}

function nonEmpty(v) {
  return typeof v === "string" && v !== "" ? v : null;
}

/**
 * @param {object} p
 * @param {object|undefined} p.saved   storage.local["settings"] (undefined when never saved)
 * @param {object|null} p.preset       preset.json or null
 * @param {object|null} p.vault        { clientId, clientSecret } from IndexedDB or null
 * @param {object} p.managed           storage.managed values (raw)
 * @returns {{ settings: object, managedKeys: string[], fromPreset: boolean }}
 *   settings holds every DEFAULTS key plus clientId / clientSecret (strings, possibly empty).
 */
export function mergeSettings({ saved, preset, vault, managed }) {
  const settings = { ...DEFAULTS, clientId: "", clientSecret: "" };
  let fromPreset = false;
  if (saved && typeof saved === "object") {
    Object.assign(settings, sanitizeStored(saved));
  } else if (preset && nonEmpty(preset.serverUrl)) {
    settings.serverUrl = preset.serverUrl.trim();
    fromPreset = true;
  }
  const v = vault || {};
  const presetCreds = preset && typeof preset === "object" ? preset : {};
  settings.clientId = nonEmpty(v.clientId) ?? nonEmpty(presetCreds.clientId) ?? "";
  settings.clientSecret = nonEmpty(v.clientSecret) ?? nonEmpty(presetCreds.clientSecret) ?? "";
  const m = sanitizeManaged(managed);
  Object.assign(settings, m);
  return { settings, managedKeys: Object.keys(m), fromPreset };
}

/** "pt-BR" when the browser UI language is Portuguese, else "en". */
export function uiLang(uiLanguage) {
  return typeof uiLanguage === "string" && uiLanguage.toLowerCase().startsWith("pt") ? "pt-BR" : "en";
}
