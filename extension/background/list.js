// Tokens and curl commands for the extension pages.
//  - freshToken (docs/DESIGN.md §3): the popup lists sessions itself with a token-only client (a list
//    may take minutes; a service worker's fetch dies after 30 s). Extension pages only.
//  - curl: the DELETE of a session as a curl command, token redacted.
import { makeReport, reportFromError } from "../lib/report.js";
import { plainState } from "./client.js";

/**
 * @param {object} d
 * @param {object} d.clients  background/client.js
 */
export function makeLists({ clients }) {
  return {
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
