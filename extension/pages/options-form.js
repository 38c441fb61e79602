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

/** How long the page waits for storage.managed before the form becomes editable without it.
 *  Chromium answers storage.managed up to 2–3 s late right after start-up (its policy service is
 *  still loading; the first options page after an install by hand), Firefox at once. A bound, so
 *  that a read that never answers cannot keep the form disabled; a policy the page's read misses
 *  still comes with the background's answer (`fromBackground`), and then wins. */
export const MANAGED_WAIT_MS = 5000;

/** The view of the three sources (the secret's presence only). */
function viewOf(local, managed, preset) {
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

/**
 * What the page can show without the background, in two steps:
 * - `shown`: saved settings (storage.local) and the build's preset (preset.json), and the policy
 *   (storage.managed) if it is in by then: the values go on screen at once (issue 10, "first
 *   minute"), the form still disabled;
 * - `complete`: with the policy too (storage.managed's answer; none when it fails or has not
 *   answered within `managedWaitMs`): the form becomes editable, managed fields locked.
 * A client ID a person saved lives with the secret in the background's vault (`fromBackground`).
 * Each view: { settings (no secret), managed: {key: true}, fromPreset, hasSecret, credsKnown }.
 */
export function loadLocalSteps(ext, fetchPreset, { managedWaitMs = MANAGED_WAIT_MS } = {}) {
  const local = settle(ext.storage.local.get("settings"), {});
  const preset = settle(fetchPreset(), null);
  let managedIn = null; // the policy, once storage.managed answered
  const managed = settle(ext.storage.managed ? ext.storage.managed.get(null) : Promise.resolve({}), {}).then((m) => {
    managedIn = m || {};
    return managedIn;
  });
  const shown = Promise.all([local, preset]).then(([l, p]) => viewOf(l, managedIn || {}, p));
  const bounded = new Promise((resolve) => {
    const timer = setTimeout(() => resolve({}), managedWaitMs);
    managed.then((m) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
  const complete = Promise.all([local, preset, bounded]).then(([l, p, m]) => viewOf(l, m, p));
  return { shown, complete };
}

/** Both steps in one: the view with the policy (see `loadLocalSteps`). */
export function loadLocal(ext, fetchPreset, options) {
  return loadLocalSteps(ext, fetchPreset, options).complete;
}

/** The background's getSettings answer folded into a local view (vault client ID, secret presence). */
export function fromBackground(view, answer) {
  if (!answer || answer.ok !== true || !answer.settings) return view;
  const managed = { ...view.managed, ...(answer.managed || {}) };
  const settings = { ...view.settings };
  if (!managed.clientId && typeof answer.settings.clientId === "string") settings.clientId = answer.settings.clientId;
  // A policy the page's own read missed (storage.managed late): its values, as the background has them.
  for (const key of Object.keys(answer.managed || {})) {
    if (!view.managed[key] && key !== "clientSecret" && key in answer.settings) settings[key] = answer.settings[key];
  }
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
