// The effective configuration: saved settings (storage.local), managed policy (storage.managed),
// build preset (preset.json), credentials (vault), merged by lib/settings.js; plus the server check,
// the host permission and a fingerprint of what a token is tied to.
//
// A snapshot of the sources lives in storage.session (trusted contexts only, in memory, gone with
// the browser session): a restarted background reads it in the same single call as the token
// instead of storage.local + storage.managed + preset.json + IndexedDB. Dropped on every change.
import { mergeSettings } from "../lib/settings.js";
import { parseServerUrl } from "../lib/url.js";
import { get, makeReport } from "../lib/report.js";
import { shared } from "./shared.js";

export const CONFIG_SNAPSHOT = "configSnapshot";

/** storage.session for trusted contexts only (Chrome's default, made explicit before anything
 *  secret is written there; Firefox never exposes it to content scripts). */
export function lockSession(api) {
  return (async () => {
    try {
      await api.storage.session.setAccessLevel?.({ accessLevel: "TRUSTED_CONTEXTS" });
    } catch {
      // not supported: the default already excludes content scripts
    }
  })();
}

export async function fingerprint(parts) {
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The Report for a server URL the check refused. */
export function invalidServerUrl(check) {
  return makeReport("invalid_config", { ...(check && check.params), field: "serverUrl" });
}

/**
 * @param {object} d
 * @param {object} d.api            the extension API (storage, permissions, runtime)
 * @param {object} d.vault          { get() }
 * @param {{ready: Promise<boolean>}} d.core
 * @param {(url: string) => object} d.checkServerUrl   the core's check (docs/DESIGN.md §2)
 * @param {Promise<object>} [d.boot] storage.session read started at load (clientState + snapshot)
 * @param {Promise<void>} [d.sessionLocked]
 * @param {(url: string) => Promise<unknown>} [d.fetch]
 */
export function makeConfig({ api, vault, core, checkServerUrl, boot = null, sessionLocked = Promise.resolve(), fetch = globalThis.fetch }) {
  let snapshotPrefetch = boot;
  let generation = 0;
  let presetPromise = null;

  function readPreset() {
    presetPromise ??= Promise.resolve()
      .then(() => fetch(api.runtime.getURL("preset.json")))
      .then((r) => (r && r.ok ? r.json() : null))
      .catch(() => null)
      .then((p) => (p && typeof p === "object" && !Array.isArray(p) ? p : null));
    return presetPromise;
  }

  async function readManaged() {
    try {
      const m = await api.storage.managed.get(null);
      return m && typeof m === "object" ? m : {};
    } catch {
      return {}; // Firefox without a managed storage manifest, or no policy
    }
  }

  /** checkServerUrl through the core when it loaded, else the JS approximation. */
  function checkUrl(url, wasmOk) {
    if (wasmOk) {
      try {
        const r = checkServerUrl(url);
        if (get(r, "ok") === true) {
          return { ok: true, base: get(r, "base") ?? null, origin: get(r, "origin") ?? null, matchPattern: get(r, "matchPattern") ?? null };
        }
        return { ok: false, kind: String(get(r, "kind") ?? "invalid_config"), params: { ...(get(r, "params") ?? {}) } };
      } catch (err) {
        return { ok: false, kind: "invalid_config", params: { field: "serverUrl", reason: String(err && err.message ? err.message : err).slice(0, 100) } };
      }
    }
    const p = parseServerUrl(url);
    return p.ok
      ? { ok: true, base: p.base, origin: p.origin, matchPattern: p.matchPattern }
      : { ok: false, kind: "invalid_config", params: { field: "serverUrl", reason: p.reason } };
  }

  function hasPermission(matchPattern) {
    return Promise.resolve()
      .then(() => api.permissions.contains({ origins: [matchPattern] }))
      .catch(() => false);
  }

  /** -> { version, saved, managed, preset, vault }: the snapshot when this is the first read of
   *  this instance and nothing changed since, else the stores (which then replace the snapshot). */
  async function readSources() {
    const gen = generation;
    const prefetched = snapshotPrefetch;
    snapshotPrefetch = null;
    if (prefetched) {
      const snap = (await prefetched)?.[CONFIG_SNAPSHOT];
      if (gen === generation && snap && typeof snap === "object" && snap.version === 1) return snap;
    }
    let vaultOk = true;
    const [local, managed, preset, creds] = await Promise.all([
      api.storage.local.get("settings").catch(() => ({})),
      readManaged(),
      readPreset(),
      vault.get().catch((err) => {
        console.error("Session Drop: cannot read the credential vault", err);
        vaultOk = false;
        return null;
      }),
    ]);
    const saved = local && local.settings && typeof local.settings === "object" ? local.settings : null;
    const sources = { version: 1, saved, managed, preset, vault: creds };
    if (vaultOk && gen === generation) {
      sessionLocked
        .then(() => gen === generation && api.storage.session.set({ [CONFIG_SNAPSHOT]: sources }))
        .catch(() => {});
    }
    return sources;
  }

  async function load() {
    const { saved: savedOrNull, managed, preset, vault: creds } = await readSources();
    const saved = savedOrNull ?? undefined;
    const { settings, managedKeys, fromPreset } = mergeSettings({ saved, preset, vault: creds, managed });
    const fpOf = (base) => fingerprint([base, settings.clientId, settings.clientSecret, settings.tokenAuth]);
    // Permission and fingerprint from the JS reading of the URL while the core may still load;
    // the core's check decides below, and they are redone only if it disagrees.
    const early = settings.serverUrl ? parseServerUrl(settings.serverUrl) : null;
    const earlyPermission = early && early.ok ? hasPermission(early.matchPattern) : null;
    const earlyBase = early && early.ok ? early.base : "";
    const earlyFp = fpOf(earlyBase);
    const wasmOk = await core.ready;
    const check = settings.serverUrl ? checkUrl(settings.serverUrl, wasmOk) : null;
    const server = check && check.ok && check.origin && check.matchPattern ? check : null;
    const base = server ? server.base : "";
    const [permission, fp] = await Promise.all([
      !server ? false : earlyPermission && early.matchPattern === server.matchPattern ? earlyPermission : hasPermission(server.matchPattern),
      base === earlyBase ? earlyFp : fpOf(base),
    ]);
    const managedKeySet = new Set(managedKeys);
    return {
      settings,
      managedKeys,
      fromPreset,
      saved: saved ?? null,
      presetServerUrl: preset && typeof preset.serverUrl === "string" ? preset.serverUrl : "",
      server,
      check,
      permission,
      configured: !!(server && settings.clientId && settings.clientSecret),
      // configured entirely by the administrator (no badge, no options page at install)
      byPolicy: ["serverUrl", "clientId", "clientSecret"].every((k) => managedKeySet.has(k)),
      byPreset: !!(preset && preset.serverUrl && preset.clientId && preset.clientSecret),
      fingerprint: fp,
    };
  }

  const current = shared(load);
  return {
    get: () => current.get(),
    /** Something the configuration is made of changed: forget it and its snapshot. */
    invalidate() {
      generation++;
      snapshotPrefetch = null;
      current.reset();
      Promise.resolve()
        .then(() => api.storage.session.remove(CONFIG_SNAPSHOT))
        .catch(() => {});
    },
    checkUrl,
    hasPermission,
  };
}
