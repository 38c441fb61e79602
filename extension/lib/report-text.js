// Operator texts of a Report, from the one message catalogue (_locales/*/messages.json).
// Pure module (no browser API): `t` is `i18n.getMessage` or a stand-in in tests.
// See docs/CONTRACT-V2.md §C.
//
// Keys, for a Report of kind K:
//   report_K_title, report_K_cause, report_K_fix       the texts, placeholders $1…$n
//   report_K_<variant>_cause / _fix / _title           override the plain key when the Report has a
//                                                      variant (params.reason, params.canDrop, or
//                                                      "unknown" for a redirect with no location)
//   report_server_said                                 "The appliance said: “$1”." prefixed to the cause
//   report_http_status                                 " (HTTP $1)" appended for the kinds in WITH_STATUS

/** Placeholder order per kind: `$1` is the first param named here, and so on. */
export const PARAMS = Object.freeze({
  redirect: ["location"],
  too_large: ["limit", "call"],
  invalid_session_ref: ["char", "position", "max"],
  invalid_config: ["field"],
  core_failed: ["detail"],
  audit_failed: ["detail"],
  bulk_running: ["count"],
});

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

function variantOf(report) {
  const p = report.params || {};
  if (typeof p.reason === "string" && p.reason) return p.reason;
  if (typeof p.canDrop === "string" && p.canDrop) return p.canDrop;
  if (report.kind === "redirect" && !p.location) return "unknown";
  return null;
}

function substitutions(report) {
  const p = report.params || {};
  return (PARAMS[report.kind] || []).map((name) => {
    const v = p[name];
    if (v === undefined || v === null) return "";
    if (name === "limit") return formatBytes(v);
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
  const subs = substitutions({ ...r, kind });
  const variant = variantOf(r);
  const pick = (part) => {
    if (variant) {
      const v = t(`report_${kind}_${variant}_${part}`, subs);
      if (v) return v;
    }
    return t(`report_${kind}_${part}`, subs) || "";
  };
  let cause = pick("cause");
  const said = typeof r.serverMessage === "string" ? r.serverMessage.trim() : "";
  if (said) {
    const quoted = said.length > SERVER_TEXT_MAX ? `${said.slice(0, SERVER_TEXT_MAX)}…` : said;
    cause = `${t("report_server_said", [quoted]) || `“${quoted}”.`} ${cause}`;
  }
  if (WITH_STATUS.has(kind) && typeof r.status === "number") {
    cause += t("report_http_status", [String(r.status)]) || ` (HTTP ${r.status})`;
  }
  return { title: pick("title"), cause, fix: pick("fix") };
}
