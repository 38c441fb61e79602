// The popup lists the active sessions itself (issue 8 item 8): a list may take minutes, longer
// than a service worker's fetch may wait (30 s in Chrome). The background hands over a fresh token
// (`freshToken`, extension pages only) and this page asks the appliance with a token-only client of
// the wasm core (no client ID, no secret here). Pure: the messaging and the DropClient class are
// passed in; tested with node:test (tests/popup-list.test.mjs).

/** The longest a list may take, whatever the settings' timeout (the vendor: "a few minutes"). */
export const LIST_TIMEOUT_MS = 300000;
/** Extra time the page waits for the core's own timeout before it gives up itself. */
const GRACE_MS = 10000;

import { get, plainReport, plainSession, reportFromError } from "../lib/report.js";
export { plainSession };

function isReport(v) {
  return !!v && typeof get(v, "kind") === "string";
}

function failure(kind, params = {}) {
  return { ok: false, kind, status: null, next: "report", serverMessage: null, params };
}

function deadline(ms) {
  let timer;
  const p = new Promise((resolve) => {
    timer = setTimeout(() => resolve(failure("timeout", { call: "list" })), ms);
  });
  return { p, cancel: () => clearTimeout(timer) };
}

/**
 * -> { ok: true, total, activeCount, sessions } | Report.
 * @param {object} a
 * @param {(type: string, payload?: object) => Promise<any>} a.send  messages to the background
 * @param {Function} a.DropClient   the wasm core's class (v2 API)
 * @param {number} a.limit          sessions wanted at most
 * @param {(read: number, total: number|null) => void} [a.onProgress]
 * @param {number} [a.timeoutMs]    LIST_TIMEOUT_MS unless a test says otherwise
 * @param {number} [a.graceMs]      how long past it the page waits for the core's own answer
 */
export async function listSessions({ send, DropClient, limit, onProgress, timeoutMs = LIST_TIMEOUT_MS, graceMs = GRACE_MS }) {
  let renewed = false;
  let answer = await send("freshToken");
  if (!answer || answer.ok !== true || !answer.token || !answer.config) return isReport(answer) ? answer : failure("no_answer");
  const cfg = answer.config;
  let client;
  try {
    client = new DropClient({
      serverUrl: cfg.serverUrl,
      clientId: "",
      clientSecret: "",
      generation: cfg.generation || "auto",
      timeoutMs: cfg.timeoutMs,
      tokenAuth: cfg.tokenAuth || "body",
    });
  } catch (err) {
    return reportFromError(err);
  }
  const progress = typeof onProgress === "function" ? onProgress : () => {};
  for (;;) {
    let res;
    const stop = deadline(timeoutMs + graceMs);
    try {
      client.restoreState({ token: answer.token });
      res = await Promise.race([
        Promise.resolve(client.listActive({ limit, timeoutMs, onProgress: (read, total) => progress(Number(read) || 0, total == null ? null : Number(total)) })),
        stop.p,
      ]);
    } catch (err) {
      res = err;
      if (!isReport(err)) return reportFromError(err);
    } finally {
      stop.cancel();
    }
    if (get(res, "ok") === true && Array.isArray(get(res, "sessions"))) {
      const sessions = get(res, "sessions").map(plainSession);
      const total = Number(get(res, "total") ?? sessions.length);
      const activeCount = Number(get(res, "activeCount") ?? sessions.length);
      return { ok: true, total, activeCount, sessions };
    }
    if (!isReport(res)) return failure("unexpected");
    const report = plainReport(res);
    // The token expired or was revoked: one fresh token from the background, once.
    if (report.kind === "auth_failed" && report.next === "renew_token" && !renewed) {
      renewed = true;
      answer = await send("freshToken");
      if (!answer || answer.ok !== true || !answer.token) return isReport(answer) ? answer : failure("no_answer");
      continue;
    }
    return report;
  }
}

/** Bytes read, for people: "850 B", "12.4 KiB", "3.1 MiB". */
export function humanBytes(n) {
  const v = Number(n);
  if (!Number.isFinite(v) || v < 0) return "";
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${(v / (1024 * 1024)).toFixed(1)} MiB`;
}
