// The options form without the DOM: what the page shows at once (read from the stores here, not
// from the background, which may still be loading its wasm core: issue 10, "first minute"), the
// checks of what a person typed, and the rule that a late answer never overwrites what they typed.
// Pure: the browser API is passed in; tested with node:test (tests/options.test.mjs).
import { DEFAULTS, mergeSettings } from "../lib/settings.js";

/** Form field (input id) of each setting, and how its value is shown. */
export const FIELDS = Object.freeze({
  serverUrl: "serverUrl",
  clientId: "clientId",
  clientSecret: "clientSecret",
  generation: "generation",
  timeoutMs: "timeoutSeconds",
  askBeforeTerminate: "askBeforeTerminate",
  bulkConcurrency: "bulkConcurrency",
  tokenAuth: "tokenAuth",
  columnTitles: "columnTitles",
});

/** The text (or checked state) a field shows for a setting value. */
export function shown(key, value) {
  switch (key) {
    case "timeoutMs":
      return String(Math.round((Number(value) || DEFAULTS.timeoutMs) / 1000));
    case "bulkConcurrency":
      return String(Number(value) || DEFAULTS.bulkConcurrency);
    case "askBeforeTerminate":
      return !!value;
    case "clientSecret":
      return "";
    default:
      return value == null ? "" : String(value);
  }
}

async function settle(p, fallback) {
  try {
    return await p;
  } catch {
    return fallback;
  }
}

/**
 * What the page can show without the background: saved settings (storage.local), the policy
 * (storage.managed), the build's preset (preset.json). The client ID and the secret's presence
 * come from there too when a policy or the preset sets them; a client ID a person saved lives with
 * the secret in the background's vault (see `fromBackground`).
 * -> { settings (no secret), managed: {key: true}, fromPreset, hasSecret, credsKnown }
 */
export async function loadLocal(ext, fetchPreset) {
  const [local, managed, preset] = await Promise.all([
    settle(ext.storage.local.get("settings"), {}),
    settle(ext.storage.managed ? ext.storage.managed.get(null) : Promise.resolve({}), {}),
    settle(fetchPreset(), null),
  ]);
  const saved = local && local.settings && typeof local.settings === "object" ? local.settings : undefined;
  const p = preset && typeof preset === "object" && !Array.isArray(preset) ? preset : null;
  const { settings, managedKeys, fromPreset } = mergeSettings({ saved, preset: p, vault: null, managed: managed || {} });
  const hasSecret = !!settings.clientSecret;
  delete settings.clientSecret; // only its presence is shown
  const m = {};
  for (const k of managedKeys) m[k] = true;
  // Credentials known without the vault: set by policy, or the preset's (used only while the
  // vault has none; the background's answer settles it).
  const credsKnown = !!(m.clientId && (m.clientSecret || !hasSecret));
  return { settings, managed: m, fromPreset, hasSecret, credsKnown };
}

/** The background's getSettings answer folded into a local view (vault client ID, secret presence). */
export function fromBackground(view, answer) {
  if (!answer || answer.ok !== true || !answer.settings) return view;
  const managed = { ...view.managed, ...(answer.managed || {}) };
  const settings = { ...view.settings };
  if (!managed.clientId && typeof answer.settings.clientId === "string") settings.clientId = answer.settings.clientId;
  return { ...view, settings, managed, hasSecret: !!answer.hasSecret, credsKnown: true, permission: answer.permission };
}

/**
 * The values to put in the form: every field of `view` except those a person already changed
 * (`dirty`, a Set of setting keys). Managed values are the exception: the policy wins, and the
 * field is locked.
 */
export function valuesToFill(view, dirty) {
  const out = {};
  for (const key of Object.keys(FIELDS)) {
    if (key === "clientSecret") continue;
    if (dirty.has(key) && !(view.managed && view.managed[key])) continue;
    out[key] = shown(key, view.settings[key] ?? DEFAULTS[key]);
  }
  return out;
}

/** Whole number in [min, max] from what a person typed ("15", " 4 ", "15.0" but not "1e1"). */
export function wholeNumber(text, min, max) {
  const s = String(text ?? "").trim();
  if (!/^\d+(?:\.0+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

/** Seconds typed -> timeoutMs, or null when out of 1..300. */
export function timeoutMsOf(text) {
  const sec = wholeNumber(text, 1, 300);
  return sec === null ? null : sec * 1000;
}

/** Sessions at a time typed -> number, or null when out of 1..16. */
export function concurrencyOf(text) {
  return wholeNumber(text, 1, 16);
}
