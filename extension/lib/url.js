// Synchronous server-URL helper for places that cannot wait for the wasm core:
// the options page must call permissions.request() inside the click handler before any await,
// so it needs the match pattern at once. The authoritative check is the core's checkServerUrl
// (run by the background on save); this one follows the same rules closely enough to ask for the
// right permission and to reject the obvious mistakes early.

const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

export function isLoopbackHost(hostname) {
  return hostname === "localhost" || hostname === "[::1]" || LOOPBACK_V4.test(hostname);
}

/**
 * @returns {{ok:true, origin:string, base:string, matchPattern:string} | {ok:false, reason:string}}
 * reason: "empty" | "syntax" | "scheme" | "insecure" | "userinfo" | "query"
 */
export function parseServerUrl(input) {
  const s = typeof input === "string" ? input.trim() : "";
  if (!s) return { ok: false, reason: "empty" };
  let u;
  try {
    u = new URL(s);
  } catch {
    return { ok: false, reason: "syntax" };
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return { ok: false, reason: "scheme" };
  if (!u.hostname) return { ok: false, reason: "syntax" };
  if (u.username || u.password) return { ok: false, reason: "userinfo" };
  if (u.search || u.hash || /[?#]/.test(s)) return { ok: false, reason: "query" };
  if (u.protocol === "http:" && !isLoopbackHost(u.hostname)) return { ok: false, reason: "insecure" };
  const scheme = u.protocol.slice(0, -1);
  const path = u.pathname.replace(/\/+$/, "");
  return {
    ok: true,
    origin: u.origin,
    base: u.origin + path,
    // Port-less: Firefox ignores patterns that name a port (TOOLCHAIN.md).
    matchPattern: `${scheme}://${u.hostname}/*`,
  };
}

/** Origin of a URL string, or null. */
export function originOf(url) {
  try {
    const o = new URL(url).origin;
    return o && o !== "null" ? o : null;
  } catch {
    return null;
  }
}
