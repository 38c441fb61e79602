// Settings handlers: getSettings (never the secret), saveSettings (non-secret settings in
// storage.local, credentials in the vault), testConnection (saved or form values; the core's
// Report passes through, params.canDrop included).
import { DEFAULTS, STORED_KEYS, sanitizeStored } from "../lib/settings.js";
import { parseColumnTitles } from "../lib/protocol.js";
import { makeReport, plainReport, reportFromError, withDeadline } from "../lib/report.js";
import { callDeadline } from "./client.js";
import { fingerprint, invalidServerUrl } from "./config.js";

export function settingsView(cfg) {
  const s = cfg.settings;
  const managed = {};
  for (const k of cfg.managedKeys) managed[k] = true;
  return {
    ok: true,
    settings: {
      serverUrl: s.serverUrl,
      clientId: s.clientId,
      generation: s.generation,
      timeoutMs: s.timeoutMs,
      askBeforeTerminate: s.askBeforeTerminate,
      bulkConcurrency: s.bulkConcurrency,
      tokenAuth: s.tokenAuth,
      columnTitles: s.columnTitles,
    },
    hasSecret: !!s.clientSecret,
    managed,
    fromPreset: cfg.fromPreset,
    configured: cfg.configured,
    permission: cfg.permission,
    matchPattern: cfg.server ? cfg.server.matchPattern : null,
    origin: cfg.server ? cfg.server.origin : null,
  };
}

/** The options' extra column titles, parsed for the content script (an invalid value gives none). */
export function columnTitlesOf(cfg) {
  const parsed = parseColumnTitles((cfg && cfg.settings.columnTitles) || "");
  return parsed.ok ? parsed.titles : {};
}

/**
 * @param {object} d
 * @param {object} d.api       storage.local
 * @param {object} d.core      { ready, failed }
 * @param {object} d.config    background/config.js
 * @param {object} d.clients   background/client.js
 * @param {object} d.vault     background/vault.js
 * @param {object} [d.audit]   background/audit.js: shrunk when storage.local is full (settings first)
 * @param {() => Promise<void>} [d.changed]  after a save: registration, badge…
 */
export function makeSettings({ api, core, config, clients, vault, audit = null, changed = async () => {} }) {
  async function testWith(entry, persist) {
    let report;
    try {
      report = plainReport(await withDeadline(
        entry.client.testConnection(),
        callDeadline(entry.cfg, 3),
        () => makeReport("timeout", { stillWaiting: "yes" }),
      ));
    } catch (err) {
      report = reportFromError(err);
    }
    if (persist) clients.persist(entry);
    else clients.rememberToken(entry);
    return report;
  }

  /** storage.local.set of the settings; when the quota is hit, the audit trail gives room (a
   *  failed or full audit never blocks saving settings). */
  async function storeSettings(stored) {
    try {
      await api.storage.local.set({ settings: stored });
    } catch (err) {
      if (!audit) throw err;
      await audit.shrink().catch(() => {});
      await api.storage.local.set({ settings: stored });
    }
  }

  return {
    async get() {
      return settingsView(await config.get());
    },

    async save(input) {
      const wasmOk = await core.ready;
      const cfg = await config.get();
      const locked = new Set(cfg.managedKeys);
      // Start from what is saved (or the effective values when nothing was saved yet).
      const stored = { ...DEFAULTS, ...sanitizeStored(cfg.saved ?? { serverUrl: cfg.presetServerUrl }) };
      for (const k of STORED_KEYS) {
        if (input[k] === undefined || locked.has(k)) continue;
        stored[k] = input[k];
      }
      if (input.serverUrl !== undefined && !locked.has("serverUrl")) {
        if (input.serverUrl === "") {
          stored.serverUrl = "";
        } else {
          const check = config.checkUrl(input.serverUrl, wasmOk);
          if (!check.ok) return invalidServerUrl(check);
          stored.serverUrl = check.base || input.serverUrl;
        }
      }
      let current = null;
      try {
        current = await vault.get();
      } catch {
        current = null;
      }
      const creds = { clientId: (current && current.clientId) || "", clientSecret: (current && current.clientSecret) || "" };
      let credsChanged = false;
      if (input.clientId !== undefined && !locked.has("clientId") && input.clientId !== creds.clientId) {
        creds.clientId = input.clientId;
        credsChanged = true;
      }
      if (typeof input.clientSecret === "string" && input.clientSecret !== "" && !locked.has("clientSecret")) {
        creds.clientSecret = input.clientSecret;
        credsChanged = true;
      }
      try {
        if (credsChanged) await vault.put(creds);
        await storeSettings(stored);
      } catch (err) {
        const detail = err && err.message ? err.message : String(err);
        return makeReport("invalid_config", { field: "storage", reason: detail.slice(0, 200) });
      }
      config.invalidate();
      clients.invalidate();
      await changed();
      return settingsView(await config.get());
    },

    async test(form) {
      if (!(await core.ready)) return core.failed();
      const cfg = await config.get();
      if (!form) {
        const entry = await clients.usable();
        if (entry.error) return entry.error;
        return testWith(entry, true);
      }
      // What the form holds (not saved yet). Managed values still win; an empty secret means
      // "the stored one".
      const s = { ...cfg.settings };
      for (const [k, v] of Object.entries(form)) {
        if (cfg.managedKeys.includes(k)) continue;
        if (k === "clientSecret" && v === "") continue;
        s[k] = v;
      }
      if (!s.serverUrl) return makeReport("not_configured");
      const check = config.checkUrl(s.serverUrl, true);
      if (!check.ok) return invalidServerUrl(check);
      if (!s.clientId || !s.clientSecret) return makeReport("not_configured");
      if (!(await config.hasPermission(check.matchPattern))) return makeReport("no_permission", { origin: check.origin });
      const fp = await fingerprint([check.base, s.clientId, s.clientSecret, s.tokenAuth]);
      if (fp === cfg.fingerprint && s.generation === cfg.settings.generation && s.timeoutMs === cfg.settings.timeoutMs) {
        const entry = await clients.usable();
        if (!entry.error) return testWith(entry, true);
      }
      let client;
      try {
        client = clients.make(s);
      } catch (err) {
        return reportFromError(err);
      }
      return testWith({ client, cfg: { ...cfg, settings: s, fingerprint: fp } }, false);
    },
  };
}
