//! interpret_drop against the vendor bodies (verbatim from the spec files) and every row of
//! API.md §2.
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{interpret_drop, HttpResponse, NextStep, Outcome, OutcomeKind};

/// Success body exactly as in drop-session.pt-BR.md.
const SEED_OK: &str = r#"{
    "code": 200,
    "response": {
        "status": 200,
        "message": "Sessão interrompida com sucesso",
        "error": false,
        "error_code": 0,
        "detail": "",
        "mensagem": "Sessão interrompida com sucesso",
        "erro": false,
        "cod_erro": 0
    }
}"#;

/// "Older" success body exactly as in API.md §2.
const OLDER_OK: &str = r#"{"code":200,"response":{"status":200,"message":"Sessão interrompida com sucesso","error":false,"error_code":0,"detail":"","mensagem":"Sessão interrompida com sucesso","erro":false,"cod_erro":0}}"#;

/// "Latest" success body per API.md §2 (new messages plus top-level tenant).
const LATEST_OK: &str = r#"{"code":200,"response":{"status":200,"message":"Session dropped successfully","error":false,"error_code":0,"detail":"","mensagem":"Sessão encerrada com sucesso","erro":false,"cod_erro":0},"tenant":"Segura"}"#;

/// Releases that omit code, error_code, detail, cod_erro.
const LEAN_OK: &str = r#"{"response":{"status":200,"message":"Session dropped successfully","error":false,"mensagem":"Sessão encerrada com sucesso","erro":false},"tenant":"Segura"}"#;

fn envelope(status: u16, message: &str, mensagem: &str, code: u32) -> String {
    format!(
        r#"{{"code":{status},"response":{{"status":{status},"message":"{message}","error":true,"error_code":{code},"detail":"","mensagem":"{mensagem}","erro":true,"cod_erro":{code}}}}}"#
    )
}

fn json(status: u16, body: &str) -> Outcome {
    interpret_drop(&HttpResponse::json(status, body.as_bytes().to_vec()), true)
}

fn check(o: &Outcome, kind: OutcomeKind, next: NextStep, status: Option<u16>) {
    assert_eq!(o.kind, kind, "{o:?}");
    assert_eq!(o.next, next, "{o:?}");
    assert_eq!(o.status, status, "{o:?}");
}

#[test]
fn seed_success_body_is_dropped() {
    let o = json(200, SEED_OK);
    check(&o, OutcomeKind::Dropped, NextStep::Done, Some(200));
    assert_eq!(
        o.server_message.as_deref(),
        Some("Sessão interrompida com sucesso")
    );
    assert!(o.is_ok());
}

#[test]
fn older_latest_and_lean_success_bodies_are_dropped() {
    let o = json(200, OLDER_OK);
    check(&o, OutcomeKind::Dropped, NextStep::Done, Some(200));
    let o = json(200, LATEST_OK);
    check(&o, OutcomeKind::Dropped, NextStep::Done, Some(200));
    // `message` preferred over `mensagem`.
    assert_eq!(
        o.server_message.as_deref(),
        Some("Session dropped successfully")
    );
    let o = json(200, LEAN_OK);
    check(&o, OutcomeKind::Dropped, NextStep::Done, Some(200));
    // Only `mensagem`: used as fallback.
    let o = json(
        200,
        r#"{"response":{"status":200,"mensagem":"Sessão encerrada com sucesso","erro":false}}"#,
    );
    check(&o, OutcomeKind::Dropped, NextStep::Done, Some(200));
    assert_eq!(
        o.server_message.as_deref(),
        Some("Sessão encerrada com sucesso")
    );
}

#[test]
fn success_needs_flags_not_message_text() {
    // 200 with error:true is not a success even with a success-looking message.
    let body = r#"{"code":200,"response":{"status":200,"message":"Session dropped successfully","error":true,"error_code":0}}"#;
    let o = json(200, body);
    assert_ne!(o.kind, OutcomeKind::Dropped);
    assert_eq!(o.kind, OutcomeKind::Unexpected);
    assert_eq!(o.status, Some(200));
    // erro:true alone is enough too.
    let body = r#"{"response":{"status":200,"message":"ok","error":false,"erro":true}}"#;
    assert_ne!(json(200, body).kind, OutcomeKind::Dropped);
    // A success message on a 500 is not a success.
    let o = json(500, r#"{"message":"Session dropped successfully"}"#);
    assert_ne!(o.kind, OutcomeKind::Dropped);
    // A 200 JSON with no flag nor status says nothing: not a success.
    assert_eq!(
        json(200, r#"{"message":"Session dropped successfully"}"#).kind,
        OutcomeKind::Unexpected
    );
    assert_eq!(json(200, "{}").kind, OutcomeKind::Unexpected);
    // 200 whose envelope status is an error.
    let body =
        r#"{"code":500,"response":{"status":500,"message":"Unexpected error.","error":true}}"#;
    assert_eq!(json(200, body).kind, OutcomeKind::ServerError);
}

#[test]
fn resource_sub_not_found_tries_other_generation() {
    let o = json(
        404,
        &envelope(
            404,
            "Resource sub not found",
            "Recurso sub não encontrado",
            4,
        ),
    );
    check(
        &o,
        OutcomeKind::ResourceNotFound,
        NextStep::TryOtherGeneration,
        Some(404),
    );
    assert_eq!(o.server_message.as_deref(), Some("Resource sub not found"));
}

#[test]
fn unexpected_error_is_server_error() {
    let o = json(
        500,
        &envelope(500, "Unexpected error.", "Erro inesperado.", 2),
    );
    check(&o, OutcomeKind::ServerError, NextStep::Report, Some(500));
    assert_eq!(o.server_message.as_deref(), Some("Unexpected error."));
}

#[test]
fn not_authorized_is_reported() {
    let body = envelope(
        500,
        "You are not authorized to access this resource",
        "Você não tem autorização para acessar este recurso",
        3,
    );
    let o = json(500, &body);
    check(&o, OutcomeKind::NotAuthorized, NextStep::Report, Some(500));
    assert_eq!(
        o.server_message.as_deref(),
        Some("You are not authorized to access this resource")
    );
    // Bare message form too.
    let o = json(
        500,
        r#"{"message":"You are not authorized to access this resource"}"#,
    );
    check(&o, OutcomeKind::NotAuthorized, NextStep::Report, Some(500));
}

#[test]
fn droping_and_dropping_are_already_ended() {
    for msg in [
        "An error occurred while droping session",
        "An error occurred while dropping session",
    ] {
        let o = json(
            500,
            &envelope(500, msg, "Ocorreu um erro ao encerrar a sessão", 1),
        );
        check(&o, OutcomeKind::AlreadyEnded, NextStep::Report, Some(500));
        assert_eq!(o.server_message.as_deref(), Some(msg));
    }
    // Bare.
    let o = json(
        500,
        r#"{"message":"An error occurred while droping session"}"#,
    );
    assert_eq!(o.kind, OutcomeKind::AlreadyEnded);
}

#[test]
fn the_500_variants_are_told_apart_by_message() {
    let kinds: Vec<OutcomeKind> = [
        "You are not authorized to access this resource",
        "An error occurred while droping session",
        "Unexpected error.",
        "Something else entirely",
    ]
    .iter()
    .map(|m| json(500, &envelope(500, m, m, 9)).kind)
    .collect();
    assert_eq!(
        kinds,
        [
            OutcomeKind::NotAuthorized,
            OutcomeKind::AlreadyEnded,
            OutcomeKind::ServerError,
            OutcomeKind::Unexpected
        ]
    );
}

#[test]
fn gateway_no_route_depends_on_sent_token() {
    let body = r#"{"message":"no Route matched with those values"}"#;
    let resp = HttpResponse::json(404, body.as_bytes().to_vec());
    let with = interpret_drop(&resp, true);
    check(
        &with,
        OutcomeKind::RouteNotMatched,
        NextStep::TryOtherGeneration,
        Some(404),
    );
    assert_eq!(
        with.server_message.as_deref(),
        Some("no Route matched with those values")
    );
    let without = interpret_drop(&resp, false);
    check(
        &without,
        OutcomeKind::RouteNotMatched,
        NextStep::RenewToken,
        Some(404),
    );
    // Any case, as the vendor page spells it.
    let resp = HttpResponse::json(
        404,
        &br#"{"message":"No route matched with those values"}"#[..],
    );
    assert_eq!(
        interpret_drop(&resp, false).kind,
        OutcomeKind::RouteNotMatched
    );
    let resp = HttpResponse::json(
        404,
        &br#"{"message":"NO ROUTE MATCHED WITH THOSE VALUES"}"#[..],
    );
    assert_eq!(
        interpret_drop(&resp, true).next,
        NextStep::TryOtherGeneration
    );
}

#[test]
fn client_authentication_failed_renews_token() {
    let o = json(
        401,
        r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#,
    );
    check(&o, OutcomeKind::AuthFailed, NextStep::RenewToken, Some(401));
    assert_eq!(
        o.server_message.as_deref(),
        Some("Client authentication failed")
    );
    // "401 or other": message is the key.
    let o = json(400, r#"{"message":"Client authentication failed"}"#);
    check(&o, OutcomeKind::AuthFailed, NextStep::RenewToken, Some(400));
    let o = json(
        403,
        r#"{"error":"invalid_token","message":"The resource owner or authorization server denied the request."}"#,
    );
    assert_eq!(o.kind, OutcomeKind::AuthFailed);
    // Any 401 body, even HTML.
    let o = interpret_drop(
        &HttpResponse::new(401, Some("text/html"), &b"<html>no</html>"[..]),
        true,
    );
    check(&o, OutcomeKind::AuthFailed, NextStep::RenewToken, Some(401));
    // Envelope form.
    let o = json(
        500,
        &envelope(
            500,
            "Client authentication failed",
            "Falha na autenticação do cliente",
            5,
        ),
    );
    assert_eq!(o.kind, OutcomeKind::AuthFailed);
}

#[test]
fn request_timed_out() {
    let o = json(504, r#"{"message":"Request timed out"}"#);
    check(&o, OutcomeKind::Timeout, NextStep::Report, Some(504));
    // Message is the key when the status differs.
    let o = json(408, r#"{"message":"Request timed out"}"#);
    assert_eq!(o.kind, OutcomeKind::Timeout);
    let o = json(500, r#"{"message":"Request timed out"}"#);
    assert_eq!(o.kind, OutcomeKind::Timeout);
    // 504 with an HTML page.
    let o = interpret_drop(
        &HttpResponse::new(
            504,
            Some("text/html"),
            &b"<html><title>504 Gateway Time-out</title></html>"[..],
        ),
        true,
    );
    assert_eq!(o.kind, OutcomeKind::Timeout);
}

#[test]
fn gateway_html_non_json_empty() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    let o = interpret_drop(
        &HttpResponse::new(502, Some("text/html"), html.as_bytes().to_vec()),
        true,
    );
    check(&o, OutcomeKind::Gateway, NextStep::Report, Some(502));
    assert_eq!(o.server_message.as_deref(), Some("502 Bad Gateway"));
    let o = json(503, r#"{"message":"Service Unavailable"}"#);
    check(&o, OutcomeKind::Gateway, NextStep::Report, Some(503));
    // HTML with 200 (a login page instead of the API).
    let o = interpret_drop(
        &HttpResponse::new(
            200,
            Some("text/html; charset=utf-8"),
            &b"<!DOCTYPE html><html><head><title>senhasegura</title></head></html>"[..],
        ),
        true,
    );
    check(&o, OutcomeKind::Gateway, NextStep::Report, Some(200));
    // Empty 200.
    let o = interpret_drop(&HttpResponse::new(200, None, Vec::new()), true);
    check(&o, OutcomeKind::Gateway, NextStep::Report, Some(200));
    assert_eq!(o.server_message, None);
    // Whitespace only.
    let o = interpret_drop(
        &HttpResponse::new(200, Some("application/json"), &b" \r\n "[..]),
        true,
    );
    assert_eq!(o.kind, OutcomeKind::Gateway);
    // Non-JSON text.
    let o = interpret_drop(
        &HttpResponse::new(500, Some("text/plain"), &b"Internal Server Error"[..]),
        true,
    );
    check(&o, OutcomeKind::Gateway, NextStep::Report, Some(500));
    // Truncated JSON.
    let o = json(200, r#"{"code":200,"response":{"status":200,"error":fal"#);
    assert_eq!(o.kind, OutcomeKind::Gateway);
    // JSON that is not an object.
    assert_eq!(json(200, "[1,2,3]").kind, OutcomeKind::Gateway);
    assert_eq!(json(200, "\"ok\"").kind, OutcomeKind::Gateway);
}

#[test]
fn anything_else_is_unexpected_with_status_kept() {
    let o = json(418, r#"{"message":"I'm a teapot","error":true}"#);
    check(&o, OutcomeKind::Unexpected, NextStep::Report, Some(418));
    assert_eq!(o.server_message.as_deref(), Some("I'm a teapot"));
    let o = json(429, r#"{"message":"API rate limit exceeded"}"#);
    check(&o, OutcomeKind::Unexpected, NextStep::Report, Some(429));
}

#[test]
fn server_message_is_sanitized_and_capped() {
    let long = "x".repeat(1000);
    let o = json(500, &format!(r#"{{"message":"{long}"}}"#));
    assert_eq!(
        o.server_message.as_ref().map(|m| m.chars().count()),
        Some(300)
    );
    let o = json(
        500,
        r#"{"message":"  evil\u0000\u001b[31m\nline\u202e two  "}"#,
    );
    let m = o.server_message.unwrap();
    assert!(!m.chars().any(|c| c.is_control()), "{m:?}");
    assert!(!m.contains('\u{202e}'));
    assert_eq!(m, "evil[31m line two");
    // Only control characters → None.
    let o = json(500, r#"{"message":"\u0001\u0002"}"#);
    assert_eq!(o.server_message, None);
    // Non-string message is ignored, mensagem used.
    let o = json(500, r#"{"message":42,"mensagem":"Erro inesperado."}"#);
    assert_eq!(o.server_message.as_deref(), Some("Erro inesperado."));
    assert_eq!(o.kind, OutcomeKind::ServerError);
}

#[test]
fn odd_types_never_break_classification() {
    // Flags as strings/numbers.
    let o = json(
        200,
        r#"{"response":{"status":"200","error":"false","erro":0}}"#,
    );
    assert_eq!(o.kind, OutcomeKind::Dropped);
    let o = json(200, r#"{"response":{"status":200,"error":1}}"#);
    assert_ne!(o.kind, OutcomeKind::Dropped);
    // response is a string, not an object.
    let o = json(200, r#"{"response":"weird","error":false}"#);
    assert_eq!(o.kind, OutcomeKind::Dropped);
    // Duplicate keys: last wins, no panic.
    let o = json(
        200,
        r#"{"response":{"error":true,"error":false,"status":200}}"#,
    );
    assert_eq!(o.kind, OutcomeKind::Dropped);
    // Invalid UTF-8.
    let o = interpret_drop(&HttpResponse::json(500, vec![0xff, 0xfe, b'{']), true);
    assert_eq!(o.kind, OutcomeKind::Gateway);
    // Deeply nested unknown values are skipped without a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let o = json(
        200,
        &format!(r#"{{"x":{deep},"response":{deep},"message":{deep}}}"#),
    );
    assert_eq!(o.kind, OutcomeKind::Unexpected);
    // Deep nesting of objects under a known key: refused (recursion limit) → not JSON.
    let deep_obj = format!("{}{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
    let o = json(200, &format!(r#"{{"response":{deep_obj}}}"#));
    assert_ne!(o.kind, OutcomeKind::Dropped);
}

#[test]
fn transport_errors() {
    use session_drop::{from_transport, TransportError};
    let o = from_transport(&TransportError::Timeout);
    check(&o, OutcomeKind::Timeout, NextStep::Report, None);
    let o = from_transport(&TransportError::Network(
        "TypeError: Failed to fetch".into(),
    ));
    check(&o, OutcomeKind::Network, NextStep::Report, None);
    assert_eq!(o.server_message, None);
}

#[test]
fn outcome_serializes_snake_case_kinds() {
    let o = json(404, r#"{"message":"no Route matched with those values"}"#);
    let v = serde_json::to_string(&o).unwrap();
    assert_eq!(
        v,
        r#"{"kind":"route_not_matched","status":404,"serverMessage":"no Route matched with those values","next":"try_other_generation"}"#
    );
    let names: std::collections::HashSet<String> = OutcomeKind::ALL
        .iter()
        .map(|k| serde_json::to_string(k).unwrap())
        .collect();
    assert_eq!(names.len(), OutcomeKind::ALL.len());
    for k in [
        "\"already_ended\"",
        "\"redirect\"",
        "\"too_large\"",
        "\"token_unreadable\"",
        "\"session_not_found\"",
    ] {
        assert!(names.contains(k), "{k}");
    }
    assert!(names.iter().all(|n| n
        .bytes()
        .all(|b| b == b'"' || b == b'_' || b.is_ascii_lowercase())));
}
