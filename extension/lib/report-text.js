// Operator texts of a Report, from the one message catalogue (_locales/*/messages.json).
// Pure module (no browser API): `t` is `i18n.getMessage` or a stand-in in tests.
// See docs/DESIGN.md §2.
//
// Keys, for a Report of kind K:
//   report_K_title, report_K_cause, report_K_fix       the texts, placeholders $1…$n
//   report_K_<variant>_cause / _fix / _title           override the plain key when the Report has a
//                                                      variant, tried in the order of variantsOf():
//                                                      params.reason (invalid_session_ref; invalid_config
//                                                      of the server URL), params.canDrop (connected),
//                                                      params.call (too_large, timeout), "unknown" for a redirect
//                                                      with no location, and for invalid_config the
//                                                      field in snake_case ("server_url", "client_id"…)
//   report_server_said                                 "The appliance said: “$1”." prefixed to the cause
//   report_http_status                                 " (HTTP $1)" appended for the kinds in WITH_STATUS
//   report_audit_incomplete                            appended to the fix when params.auditIncomplete
//                                                      is "yes" (the DELETE left, its record did not
//                                                      get the outcome)
//   report_char_space                                  how params.char " " is named ("a space")
//
// params.position (invalid_session_ref) is shown as given: the core sends it counted from 1.

/** Placeholder order per kind: `$1` is the first param named here, and so on. */
export const PARAMS = Object.freeze({
  redirect: ["location"],
  too_large: ["limit", "call"],
  invalid_session_ref: ["char", "position", "max"],
  invalid_config: ["field"],
  core_failed: ["detail"],
  audit_failed: ["detail"],
  bulk_running: ["count"],
  no_permission: ["origin"],
});

/** Kinds whose answer body must never be quoted, whatever the Report says (it may hold a token). */
const NEVER_QUOTE = new Set(["token_unreadable"]);

/** Kinds whose cause ends with the HTTP status, when there is one. */
const WITH_STATUS = new Set(["unexpected", "gateway", "server_error"]);

/** Longest server message quoted (the core already caps; this is defence in depth). */
export const SERVER_TEXT_MAX = 300;

/** Bytes as a short human figure: 65536 -> "64 KiB". */
export function formatBytes(n) {
  const v = Number(n);
  if (!Number.isFinite(v) || v < 0) return "";
  if (v >= 1024 * 1024 && v % (1024 * 1024) === 0) return `${v / (1024 * 1024)} MiB`;
  if (v >= 1024 && v % 1024 === 0) return `${v / 1024} KiB`;
  return `${v} B`;
}

const snake = (name) => String(name).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Variant names to try before the plain key, most specific first. */
function variantsOf(report) {
  const p = report.params || {};
  const out = [];
  const str = (v) => typeof v === "string" && /^[A-Za-z0-9_]{1,40}$/.test(v);
  if (report.kind === "invalid_config") {
    const field = str(p.field) ? p.field : null;
    // A server URL names its reason (ServerUrlError); other fields are told apart by the field.
    if (str(p.reason) && (!field || field === "serverUrl")) out.push(p.reason);
    if (field) out.push(snake(field));
    return out;
  }
  if (str(p.reason)) out.push(p.reason);
  if (str(p.canDrop)) out.push(p.canDrop);
  if (str(p.call)) out.push(p.call); // too_large per call; timeout of a list (the popup's)
  if (report.kind === "redirect" && !p.location) out.push("unknown");
  return out;
}

/** A character of a refused session id, as people can read it: “/”, U+0009, "a space". */
function showChar(v, t) {
  const c = String(v);
  if (c === " ") return t("report_char_space") || "U+0020";
  const cp = c.codePointAt(0);
  if (cp === undefined) return "";
  if (/^[\p{Cc}\p{Cf}\p{Z}\s]/u.test(c)) return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  return `“${String.fromCodePoint(cp)}”`;
}

function substitutions(report, t) {
  const p = report.params || {};
  return (PARAMS[report.kind] || []).map((name) => {
    const v = p[name];
    if (v === undefined || v === null) return "";
    if (name === "limit") return formatBytes(v);
    if (name === "char") return showChar(v, t);
    return String(v);
  });
}

/**
 * `{ title, cause, fix }` of a Report, as plain strings (to be shown with textContent only).
 * Unknown kinds fall back to the texts of "unexpected".
 */
export function describeReport(report, t) {
  const r = report && typeof report === "object" ? report : { kind: "unexpected" };
  const known = typeof r.kind === "string" && t(`report_${r.kind}_title`);
  const kind = known ? r.kind : "unexpected";
  const subs = substitutions({ ...r, kind }, t);
  const variants = kind === r.kind ? variantsOf(r) : [];
  const pick = (part) => {
    for (const variant of variants) {
      const v = t(`report_${kind}_${variant}_${part}`, subs);
      if (v) return v;
    }
    return t(`report_${kind}_${part}`, subs) || "";
  };
  let cause = pick("cause");
  const said = typeof r.serverMessage === "string" && !NEVER_QUOTE.has(kind) ? r.serverMessage.trim() : "";
  if (said) {
    const quoted = said.length > SERVER_TEXT_MAX ? `${said.slice(0, SERVER_TEXT_MAX)}…` : said;
    cause = `${t("report_server_said", [quoted]) || `“${quoted}”.`} ${cause}`;
  }
  if (WITH_STATUS.has(kind) && typeof r.status === "number") {
    cause += t("report_http_status", [String(r.status)]) || ` (HTTP ${r.status})`;
  }
  let fix = pick("fix");
  if (r.params && r.params.auditIncomplete === "yes") {
    fix += ` ${t("report_audit_incomplete") || "The audit trail could not record this outcome."}`;
  }
  return { title: pick("title"), cause, fix };
}
