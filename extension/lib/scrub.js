// Defence in depth at the background's boundary (docs/DESIGN.md §3): every report or answer
// that leaves the background for a content script, the audit trail or an export has the current
// token and client secret replaced by "[redacted]" in every string, at any depth.
// Pure module, tested with node:test.

export const REDACTED = "[redacted]";
const MAX_DEPTH = 32;

function secretList(secrets) {
  const list = [];
  for (const s of secrets || []) {
    if (typeof s === "string" && s.length > 0 && !list.includes(s)) list.push(s);
  }
  // Longest first: a secret that contains another is replaced whole.
  return list.sort((a, b) => b.length - a.length);
}

function scrubString(s, list) {
  let out = s;
  for (const secret of list) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * A copy of `value` (Report, answer, audit entry…) with every occurrence of every secret in every
 * string, keys included, replaced by "[redacted]". Plain objects, arrays and Maps are copied;
 * numbers, booleans and null kept; functions and symbols dropped; cycles and excessive depth cut.
 */
export function scrubReport(value, secrets) {
  const list = secretList(secrets);
  const seen = new WeakSet();
  const walk = (v, depth) => {
    if (typeof v === "string") return list.length ? scrubString(v, list) : v;
    if (v === null || typeof v !== "object") {
      return typeof v === "function" || typeof v === "symbol" ? undefined : v;
    }
    if (seen.has(v) || depth > MAX_DEPTH) return null;
    seen.add(v);
    let out;
    if (Array.isArray(v)) {
      out = v.map((x) => walk(x, depth + 1));
    } else {
      out = {};
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      for (const [k, x] of entries) {
        const w = walk(x, depth + 1);
        if (w !== undefined) out[walk(String(k), depth + 1)] = w;
      }
    }
    seen.delete(v);
    return out;
  };
  return walk(value, 0);
}
