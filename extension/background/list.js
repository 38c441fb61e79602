// Lists and tokens for the extension pages.
//  - freshToken (docs/DESIGN.md §3): the popup lists sessions itself with a token-only client (a list
//    may take minutes; a service worker's fetch dies after 30 s). Extension pages only.
//  - listActive: the background's own list (kept for pages that still use it), the last one kept
//    a few seconds for a follow-up `cached` request, forgotten at any drop or configuration change.
//  - curl: the DELETE of a session as a curl command, token redacted.
import { get, makeReport, plainReport, plainSession, reportFromError, withDeadline } from "../lib/report.js";
import { callDeadline, plainState } from "./client.js";

export const LIST_LIMIT_DEFAULT = 20000;
export const LIST_CACHE_MS = 15000;

/**
 * @param {object} d
 * @param {object} d.clients  background/client.js
 */
export function makeLists({ clients }) {
  let cache = null;
  let cacheTimer = null;

  function forget() {
    cache = null;
    if (cacheTimer) {
      clearTimeout(cacheTimer);
      cacheTimer = null;
    }
  }

  function answer(c, limit) {
    const n = Math.min(limit, c.raw.length);
    while (c.plain.length < n) c.plain.push(plainSession(c.raw[c.plain.length]));
    return { ok: true, total: c.total, activeCount: c.activeCount, sessions: c.plain.slice(0, n) };
  }

  return {
    forget,

    async freshToken() {
      const entry = await clients.usable();
      if (entry.error) return entry.error;
      const failure = await clients.obtainToken(entry);
      if (failure) return failure;
      const st = plainState(entry.client.state());
      if (!st.token) return makeReport("auth_failed");
      const s = entry.cfg.settings;
      return {
        ok: true,
        token: { accessToken: st.token.accessToken, expiresAtMs: st.token.expiresAtMs },
        generation: st.generation ?? null,
        config: {
          serverUrl: entry.cfg.server.base,
          generation: s.generation,
          timeoutMs: s.timeoutMs,
          tokenAuth: s.tokenAuth,
        },
      };
    },

    async listActive(limit, cached) {
      const entry = await clients.usable();
      if (entry.error) return entry.error;
      const want = limit ?? LIST_LIMIT_DEFAULT;
      if (cached && cache && cache.fp === entry.cfg.fingerprint && Date.now() - cache.at < LIST_CACHE_MS) {
        return answer(cache, want);
      }
      let res;
      try {
        res = await withDeadline(
          entry.client.listActive({ limit: Math.max(want, LIST_LIMIT_DEFAULT) }),
          callDeadline(entry.cfg, 5),
          () => makeReport("timeout", { stillWaiting: "yes" }),
        );
      } catch (err) {
        return reportFromError(err);
      }
      clients.persist(entry);
      if (get(res, "ok") !== true) return plainReport(res);
      const list = get(res, "sessions");
      const raw = Array.isArray(list) ? list : [];
      forget();
      cache = {
        fp: entry.cfg.fingerprint,
        at: Date.now(),
        total: Number(get(res, "total") ?? raw.length),
        activeCount: Number(get(res, "activeCount") ?? raw.length),
        raw,
        plain: [],
      };
      cacheTimer = setTimeout(forget, LIST_CACHE_MS);
      return answer(cache, want);
    },

    async curl(ref) {
      const entry = await clients.get();
      if (entry.error) return entry.error;
      try {
        return { ok: true, curl: String(entry.client.curl({ kind: ref.kind, value: ref.value }, true)) };
      } catch (err) {
        return reportFromError(err);
      }
    },
  };
}
