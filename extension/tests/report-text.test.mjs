// describeReport against the real catalogue files: every kind x language has a title, a cause and a
// fix, every placeholder is filled, every variant key is reachable. The message-text assertions of
// the Rust tests (tests/messages.rs, tests/client_flow.rs, tests/id_server.rs) moved here with the
// texts (issue 9: one catalogue).
import { test } from "node:test";
import assert from "node:assert/strict";
import { importLib } from "./helpers.mjs";
import { catalogues, tEn, tPt } from "./i18nfake.mjs";

const R = await importLib("report-text");
const { describeReport, PARAMS } = R;

const CORE_KINDS = ["dropped", "already_ended", "resource_not_found", "route_not_matched", "auth_failed",
  "not_authorized", "server_error", "timeout", "network", "gateway", "unexpected", "invalid_session_ref",
  "session_not_found", "invalid_config", "connected", "resolved", "redirect", "too_large", "token_unreadable"];
const EXTENSION_KINDS = ["not_configured", "no_permission", "bulk_running", "invalid_request", "core_failed",
  "audit_failed", "not_top_frame", "stale_button", "cancelled", "skipped"];
const PAGE_KINDS = ["no_answer"];
const ALL = [...CORE_KINDS, ...EXTENSION_KINDS, ...PAGE_KINDS];

/** A value for every parameter a kind has. */
const SAMPLE = { location: "https://pam.example.net", limit: 65536, call: "token", char: "/", position: 4, max: 256,
  field: "serverUrl", detail: "CompileError: bad magic", count: 12, origin: "https://pam.example.com" };
function full(kind, extra = {}) {
  const params = {};
  for (const name of PARAMS[kind] || []) params[name] = SAMPLE[name];
  return { ok: false, kind, status: null, serverMessage: null, params: { ...params, ...extra } };
}
const LANGS = [["en", tEn], ["pt_BR", tPt]];

test("every kind has a title, a cause and a fix in both languages, all placeholders filled", () => {
  for (const [lang, t] of LANGS) {
    const titles = new Map();
    for (const kind of ALL) {
      for (const k of ["title", "cause", "fix"]) assert.ok(t(`report_${kind}_${k}`), `${lang}: report_${kind}_${k}`);
      const m = describeReport(full(kind), t);
      assert.ok(m.title.length > 3 && m.cause.length > 15 && m.fix.length > 5, `${lang} ${kind}: ${JSON.stringify(m)}`);
      assert.ok(/[.]$/.test(m.cause) && /[.]$/.test(m.fix), `${lang} ${kind} ends with a full stop: ${JSON.stringify(m)}`);
      for (const text of Object.values(m)) {
        assert.doesNotMatch(text, /\$|undefined|null|\(\)|  |“”/, `${lang} ${kind}: ${text}`);
      }
      assert.ok(!titles.has(m.title), `${lang}: ${kind} reuses the title of ${titles.get(m.title)}`);
      titles.set(m.title, kind);
    }
  }
  for (const kind of ALL) {
    const en = describeReport(full(kind), tEn);
    const pt = describeReport(full(kind), tPt);
    assert.notEqual(en.cause, pt.cause, `${kind} not translated`);
    assert.notEqual(en.fix, pt.fix, `${kind} not translated`);
  }
});

test("placeholders: positional, in PARAMS order, declared alike in en and pt_BR", () => {
  const kinds = [...ALL].sort((a, b) => b.length - a.length);
  for (const [lang, cat] of Object.entries(catalogues)) {
    for (const [key, m] of Object.entries(cat)) {
      if (!key.startsWith("report_")) continue;
      const kind = kinds.find((k) => key.startsWith(`report_${k}_`));
      for (const [name, p] of Object.entries(m.placeholders || {})) {
        if (!kind) continue; // report_server_said, report_http_status
        const i = (PARAMS[kind] || []).indexOf(name);
        assert.ok(i >= 0, `${lang}:${key} placeholder ${name} is not a param of ${kind}`);
        assert.equal(p.content, `$${i + 1}`, `${lang}:${key} ${name}`);
      }
    }
  }
});

/** The Report that selects variant `v` of `kind`. */
function reportFor(kind, v) {
  switch (kind) {
    case "invalid_session_ref": case "cancelled": return full(kind, { reason: v });
    case "connected": return { ...full(kind, { canDrop: v }), ok: true };
    case "too_large": case "timeout": return full(kind, { call: v });
    case "redirect": return v === "unknown" ? full(kind, { location: undefined }) : null;
    case "invalid_config": {
      const field = v.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
      return ["serverUrl", "clientId", "clientSecret", "timeoutMs", "bulkConcurrency"].includes(field)
        ? full(kind, { field }) : full(kind, { field: "serverUrl", reason: v });
    }
    default: return null;
  }
}

test("every variant key of the catalogue is reachable and used", () => {
  const kinds = [...ALL].sort((a, b) => b.length - a.length);
  let count = 0;
  for (const key of Object.keys(catalogues.en)) {
    const m = /^report_(.+)_(title|cause|fix)$/.exec(key);
    if (!m) continue;
    const kind = kinds.find((k) => m[1] === k || m[1].startsWith(`${k}_`));
    assert.ok(kind, `${key}: no such kind`);
    if (m[1] === kind) continue;
    const variant = m[1].slice(kind.length + 1);
    const report = reportFor(kind, variant);
    assert.ok(report, `${key}: variant ${variant} of ${kind} cannot be selected`);
    for (const [lang, t] of LANGS) {
      const got = describeReport(report, t)[m[2]];
      assert.ok(got.endsWith(t(key, (PARAMS[kind] || []).map(() => "")).slice(-20)) || got.includes(t(key).slice(0, 20)),
        `${lang} ${key}: got ${got}`);
      assert.doesNotMatch(got, /\$|  |\(\)/, `${lang} ${key}`);
      if (m[2] !== "title") assert.match(got, /\.$/, `${lang} ${key} ends with a full stop`);
    }
    count++;
  }
  assert.ok(count >= 30, `only ${count} variant keys`);
});

test("the key advice of the Rust tests (tests/messages.rs key_advice)", () => {
  let m = describeReport({ kind: "not_authorized", status: 500 }, tEn);
  assert.ok(m.fix.includes("Ask the administrator to grant this application PAM Core read and write in A2A"), m.fix);
  m = describeReport({ kind: "not_authorized", status: 500 }, tPt);
  assert.ok(m.fix.includes("leitura e escrita no PAM Core"), m.fix);
  m = describeReport({ kind: "network" }, tEn);
  assert.ok(m.cause.includes("TLS certificate"));
  assert.ok(m.fix.includes("Open the server URL in a browser tab once"));
  assert.ok(m.cause.includes("HTTP referrers") && m.cause.includes("Origin"));
  m = describeReport({ kind: "network" }, tPt);
  assert.ok(m.cause.includes("certificado TLS") && m.fix.includes("aba"));
  m = describeReport({ kind: "already_ended", status: 500 }, tEn);
  assert.ok(m.cause.includes("already ended") && m.fix.includes("Check the session ID"));
  m = describeReport({ kind: "already_ended", status: 500 }, tPt);
  assert.ok(m.cause.includes("já terminou"));
  m = describeReport({ kind: "auth_failed", status: 401 }, tEn);
  assert.ok(m.fix.includes("client ID") && m.fix.includes("client secret"));
  m = describeReport({ kind: "resource_not_found", status: 404 }, tEn);
  assert.ok(m.fix.includes("auto"));
  m = describeReport({ kind: "timeout" }, tEn);
  assert.ok(m.cause.includes("may or may not"));
  // tests/client_flow.rs: read_only_grant_is_not_authorized, report_view_shape
  assert.ok(describeReport({ kind: "not_authorized" }, tEn).fix.includes("PAM Core read and write"));
  assert.equal(describeReport({ ok: true, kind: "dropped", status: 200 }, tPt).title, "Sessão encerrada");
});

test("the appliance's message leads the cause; the status follows it where it helps", () => {
  let m = describeReport({ kind: "not_authorized", status: 500, serverMessage: "You are not authorized to access this resource" }, tEn);
  assert.ok(m.cause.startsWith("The appliance said: “You are not authorized to access this resource”. "), m.cause);
  m = describeReport({ ok: true, kind: "dropped", status: 200, serverMessage: "Sessão interrompida com sucesso" }, tPt);
  assert.ok(m.cause.startsWith("O senhasegura respondeu: “Sessão interrompida com sucesso”. "), m.cause);
  m = describeReport({ kind: "unexpected", status: 500, serverMessage: null }, tEn);
  assert.ok(m.cause.endsWith(" (HTTP 500)"), m.cause);
  m = describeReport({ kind: "gateway", status: 502, serverMessage: "502 Bad Gateway" }, tEn);
  assert.ok(m.cause.includes("502 Bad Gateway") && m.cause.includes("(HTTP 502)"), m.cause);
  m = describeReport({ kind: "timeout", status: 504 }, tEn);
  assert.doesNotMatch(m.cause, /HTTP 504/);
  const long = "x ".repeat(400);
  m = describeReport({ kind: "server_error", serverMessage: long }, tEn);
  assert.ok(m.cause.length < 300 + 200, "server text capped");
  // (Leaving out a message not worth quoting, e.g. "42", is now the core's job: serverMessage null.)
});

test("input texts: session ids (tests/id_server.rs) and settings", () => {
  let m = describeReport({ kind: "invalid_session_ref", params: { reason: "forbidden", char: "/", position: 4 } }, tPt);
  assert.ok(m.cause.includes("posição 4"), m.cause);
  assert.ok(m.cause.includes("“/”"), m.cause);
  m = describeReport({ kind: "invalid_session_ref", params: { reason: "forbidden", char: " ", position: 1 } }, tEn);
  assert.ok(m.cause.includes("contains a space at position 1"), m.cause);
  m = describeReport({ kind: "invalid_session_ref", params: { reason: "forbidden", char: "\t", position: 2 } }, tEn);
  assert.ok(m.cause.includes("U+0009 at position 2"), m.cause);
  m = describeReport({ kind: "invalid_session_ref", params: { reason: "too_long", max: 256 } }, tEn);
  assert.ok(m.cause.includes("longer than 256 characters"), m.cause);
  for (const reason of ["empty", "too_long", "forbidden", "dot_segment", "not_a_row_id"]) {
    const en = describeReport({ kind: "invalid_session_ref", params: { reason, char: "#", position: 3, max: 256 } }, tEn);
    const pt = describeReport({ kind: "invalid_session_ref", params: { reason, char: "#", position: 3, max: 256 } }, tPt);
    assert.equal(en.title, "Invalid session ID");
    assert.notEqual(en.cause, describeReport({ kind: "invalid_session_ref" }, tEn).cause, reason);
    assert.notEqual(en.cause, pt.cause, reason);
  }
  m = describeReport({ kind: "invalid_config", params: { field: "serverUrl", reason: "non_ascii_host" } }, tEn);
  assert.equal(m.title, "Invalid server URL");
  assert.ok(m.fix.includes("punycode"), m.fix);
  for (const reason of ["empty", "insecure_http", "non_ascii_host", "bad_port"]) {
    const en = describeReport({ kind: "invalid_config", params: { field: "serverUrl", reason } }, tEn);
    const pt = describeReport({ kind: "invalid_config", params: { field: "serverUrl", reason } }, tPt);
    assert.ok(en.title && en.cause && en.fix);
    assert.notEqual(en.cause, pt.cause);
  }
  m = describeReport({ kind: "invalid_config", params: { field: "clientId" } }, tPt);
  assert.equal(m.title, "Client ID ausente");
  m = describeReport({ kind: "invalid_config", params: { field: "clientId", reason: "empty" } }, tEn);
  assert.equal(m.title, "Client ID missing", "a reason of another field is not read as a server URL reason");
  m = describeReport({ kind: "invalid_config", params: { field: "timeoutMs" } }, tEn);
  assert.ok(m.fix.includes("between 1 and 300 seconds"));
  m = describeReport({ kind: "invalid_config", params: {} }, tEn);
  assert.equal(m.title, "Settings incomplete or invalid");
});

test("new kinds: redirect, too_large, token_unreadable", () => {
  let m = describeReport({ kind: "redirect", params: { location: "https://pam2.example.com" } }, tEn);
  assert.ok(m.cause.includes("https://pam2.example.com") && m.cause.includes("credentials were not sent there"), m.cause);
  assert.ok(m.fix.includes("redirects to https://pam2.example.com") && m.fix.includes("use that address as Server URL"), m.fix);
  m = describeReport({ kind: "redirect", params: { location: "https://pam2.example.com" } }, tPt);
  assert.ok(m.fix.includes("https://pam2.example.com") && m.fix.includes("URL do servidor"), m.fix);
  m = describeReport({ kind: "redirect", params: {} }, tEn);
  assert.doesNotMatch(m.cause + m.fix, /redirect to \.|redirects to :/);
  assert.ok(m.fix.includes("Server URL"));

  m = describeReport({ kind: "too_large", params: { limit: 65536, call: "token" } }, tEn);
  assert.ok(m.cause.includes("token request") && m.cause.includes("64 KiB"), m.cause);
  m = describeReport({ kind: "too_large", params: { limit: 64 * 1024 * 1024, call: "list" } }, tPt);
  assert.ok(m.cause.includes("lista de sessões") && m.cause.includes("64 MiB"), m.cause);
  m = describeReport({ kind: "too_large", params: { limit: 65536, call: "drop" } }, tEn);
  assert.ok(m.cause.includes("may or may not"), m.cause);
  m = describeReport({ kind: "too_large", params: { limit: 1048576, call: "list_one" } }, tEn);
  assert.ok(m.cause.includes("1 MiB"), m.cause);
  m = describeReport({ kind: "too_large", params: { limit: 1000, call: "something_new" } }, tEn);
  assert.ok(m.cause.includes("1000 B"), m.cause);

  const token = '{"access_token":"eyJhbGciOi.secret-token-value"}';
  for (const t of [tEn, tPt]) {
    m = describeReport({ kind: "token_unreadable", status: 200, serverMessage: token }, t);
    const all = m.title + m.cause + m.fix;
    assert.doesNotMatch(all, /secret-token-value|access_token/, "a token-endpoint body is never quoted");
  }
  assert.ok(describeReport({ kind: "token_unreadable" }, tEn).cause.includes("may contain a token"));
});

test("a list that takes too long says so (not the drop's 'may or may not')", () => {
  const m = describeReport({ kind: "timeout", params: { call: "list" } }, tEn);
  assert.ok(m.cause.includes("list of active sessions") && m.cause.includes("5 minutes"), m.cause);
  assert.doesNotMatch(m.cause, /may or may not/);
  assert.ok(describeReport({ kind: "timeout", params: { call: "list" } }, tPt).cause.includes("5 minutos"));
});

test("connected: what the authorization may do (canDrop yes / no / unknown)", () => {
  const yes = describeReport({ ok: true, kind: "connected", params: { canDrop: "yes" } }, tEn);
  const no = describeReport({ ok: true, kind: "connected", params: { canDrop: "no" } }, tEn);
  const unknown = describeReport({ ok: true, kind: "connected", params: { canDrop: "unknown" } }, tEn);
  assert.match(yes.title, /may terminate/);
  assert.match(no.title, /not allowed to terminate/);
  assert.ok(no.fix.includes("PAM Core read and write"), no.fix);
  assert.match(unknown.title, /unknown/);
  assert.ok(unknown.cause.includes("did not tell"), unknown.cause);
  assert.equal(new Set([yes.title, no.title, unknown.title]).size, 3);
  const pt = describeReport({ ok: true, kind: "connected", params: { canDrop: "no" } }, tPt);
  assert.ok(pt.fix.includes("leitura e escrita no PAM Core"), pt.fix);
});

test("extension-only kinds fill their parameters", () => {
  let m = describeReport({ kind: "no_permission", params: { origin: "https://pam.example.com" } }, tEn);
  assert.ok(m.cause.includes("https://pam.example.com"), m.cause);
  m = describeReport({ kind: "core_failed", params: { detail: "CompileError" } }, tPt);
  assert.ok(m.cause.includes("CompileError"), m.cause);
  m = describeReport({ kind: "bulk_running", params: { count: 7 } }, tEn);
  assert.ok(m.cause.includes("7 sessions"), m.cause);
  m = describeReport({ kind: "audit_failed", params: { detail: "QuotaExceededError" } }, tEn);
  assert.ok(m.cause.includes("QuotaExceededError") && m.cause.includes("not sent"), m.cause);
});

test("unknown kinds and junk fall back to 'unexpected'", () => {
  const u = describeReport({ kind: "unexpected" }, tEn);
  assert.deepEqual(describeReport({ kind: "no_such_kind" }, tEn), u);
  assert.deepEqual(describeReport(null, tEn), u);
  assert.deepEqual(describeReport({ kind: "__proto__" }, tEn), u);
});

test("a report whose audit record could not be completed says so in the fix, in both languages", () => {
  for (const [lang, t] of LANGS) {
    const plain = describeReport({ ok: true, kind: "dropped", params: {} }, t);
    const warned = describeReport({ ok: true, kind: "dropped", params: { auditIncomplete: "yes" } }, t);
    assert.equal(warned.title, plain.title, lang);
    assert.ok(warned.fix.startsWith(plain.fix) && warned.fix.length > plain.fix.length + 20, `${lang}: ${warned.fix}`);
    assert.ok(warned.fix.includes(t("report_audit_incomplete")), lang);
  }
});
