// The wasm DropClient v2 (docs/DESIGN.md §2) for the current configuration: made once and shared,
// made again when the configuration changes; its state (token + remembered generation) kept in
// storage.session for the next instance of this background, tied to a fingerprint of the server
// and credentials.
import { get, makeReport, plainReport, reportFromError, withDeadline } from "../lib/report.js";
import { shared } from "./shared.js";

/** A token with less than this left is renewed before a bulk run or a freshToken answer. */
export const TOKEN_MARGIN_MS = 60000;
/** How many tokens seen by this instance are still scrubbed (the current one and a few before). */
const TOKENS_REMEMBERED = 8;

export function clientOptions(s) {
  return {
    serverUrl: s.serverUrl,
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    generation: s.generation,
    timeoutMs: s.timeoutMs,
    tokenAuth: s.tokenAuth,
  };
}

export function plainState(st) {
  const token = get(st, "token");
  return {
    token: token
      ? { accessToken: String(get(token, "accessToken") ?? ""), expiresAtMs: Number(get(token, "expiresAtMs") ?? 0) }
      : null,
    generation: get(st, "generation") ?? null,
  };
}

/** Bound of one core call that itself makes up to `requests` requests of timeoutMs each. */
export function callDeadline(cfg, requests) {
  return cfg.settings.timeoutMs * requests + 1000;
}

/**
 * @param {object} d
 * @param {object} d.api
 * @param {{ready: Promise<boolean>, failed: () => object}} d.core
 * @param {Function} d.DropClient
 * @param {{get: () => Promise<object>}} d.config
 * @param {Promise<object>} [d.boot]  storage.session read started at load
 * @param {Promise<void>} [d.sessionLocked]
 */
export function makeClients({ api, core, DropClient, config, boot = null, sessionLocked = Promise.resolve() }) {
  let statePrefetch = boot;
  let lastStateJson = null;
  let stateTimer = null;
  let pendingState = null;
  const tokens = [];
  const clientSecrets = [];
  const noteSecret = (secret) => {
    if (typeof secret !== "string" || !secret || clientSecrets.includes(secret)) return;
    clientSecrets.push(secret);
    if (clientSecrets.length > TOKENS_REMEMBERED) clientSecrets.shift();
  };

  function rememberToken(entry) {
    try {
      const st = plainState(entry.client.state());
      const tok = st.token && st.token.accessToken;
      if (tok && !tokens.includes(tok)) {
        tokens.push(tok);
        if (tokens.length > TOKENS_REMEMBERED) tokens.shift();
      }
      return st;
    } catch {
      return null;
    }
  }

  async function create() {
    const cfg = await config.get();
    if (!(await core.ready)) return { error: core.failed(), cfg };
    noteSecret(cfg.settings.clientSecret);
    if (!cfg.configured) return { error: makeReport("not_configured"), cfg };
    let client;
    try {
      client = new DropClient(clientOptions(cfg.settings));
    } catch (err) {
      return { error: reportFromError(err), cfg };
    }
    try {
      // The first client of this instance uses the read started at load (a round trip saved cold).
      const pending = statePrefetch;
      statePrefetch = null;
      const { clientState } = (await pending) ?? (await api.storage.session.get("clientState"));
      if (clientState && clientState.fp === cfg.fingerprint && clientState.state) {
        client.restoreState(clientState.state);
      }
    } catch (err) {
      console.warn("Session Drop: could not restore the client state", err);
    }
    const entry = { client, cfg };
    rememberToken(entry);
    return entry;
  }

  const current = shared(create);

  /** Client ready to talk to the appliance, or { error: Report, cfg }. */
  async function usable() {
    const entry = await current.get();
    if (entry.error) return entry;
    if (!entry.cfg.permission) {
      return { error: makeReport("no_permission", { origin: entry.cfg.server.origin }), cfg: entry.cfg };
    }
    return entry;
  }

  /** Writes the client's state to storage.session (coalesced; an unchanged state is not written). */
  function persist(entry) {
    const st = rememberToken(entry);
    if (!st) return;
    const value = { fp: entry.cfg.fingerprint, state: st };
    const json = JSON.stringify(value);
    if (json === lastStateJson && !stateTimer) return;
    lastStateJson = json;
    pendingState = value;
    if (stateTimer) return;
    stateTimer = setTimeout(() => {
      stateTimer = null;
      const v = pendingState;
      pendingState = null;
      if (v) sessionLocked.then(() => api.storage.session.set({ clientState: v })).catch(() => {});
    }, 0);
  }

  /**
   * Makes sure the client holds a token valid for at least TOKEN_MARGIN_MS: null when it does
   * (or now does), else the Report of the failure. Only the token endpoint is asked
   * (`ensureToken`): never a DELETE, never a list.
   */
  async function obtainToken(entry) {
    const valid = () => {
      const st = rememberToken(entry);
      return !!(st && st.token && st.token.accessToken && st.token.expiresAtMs - Date.now() > TOKEN_MARGIN_MS);
    };
    if (valid()) return null;
    const held = rememberToken(entry);
    let report;
    try {
      report = plainReport(await withDeadline(
        entry.client.ensureToken(!!(held && held.token)),
        callDeadline(entry.cfg, 3),
        () => makeReport("timeout", { stillWaiting: "yes" }),
      ));
    } catch (err) {
      report = reportFromError(err);
    }
    persist(entry);
    if (valid()) return null;
    return report.ok ? makeReport("auth_failed") : report;
  }

  return {
    get: () => current.get(),
    usable,
    persist,
    obtainToken,
    invalidate: () => current.reset(),
    /** The strings scrubbed from anything leaving the background: the client secret and every
     *  token this instance has seen. */
    secrets() {
      return [...clientSecrets, ...tokens];
    },
    /** A throw-away client for `settings` (Test connection of the form's values). */
    make(settings) {
      noteSecret(settings.clientSecret);
      return new DropClient(clientOptions(settings));
    },
    rememberToken,
  };
}
