//! Token answers and the token cache.
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{interpret_token, HttpResponse, NextStep, OutcomeKind, Token, TokenCache};

const NOW: f64 = 1_700_000_000_000.0;

fn tok(status: u16, body: &str) -> Result<Token, session_drop::Outcome> {
    interpret_token(&HttpResponse::json(status, body.as_bytes().to_vec()), NOW)
}

#[test]
fn documented_answer() {
    let t = tok(200, r#"{"token_type":"Bearer","expires_in":3600,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.x.y"}"#).unwrap();
    assert_eq!(t.access_token, "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.x.y");
    assert_eq!(t.expires_at_ms, NOW + 3_600_000.0);
}

#[test]
fn lower_case_bearer_and_string_expiry() {
    let t = tok(
        200,
        r#"{"token_type":"bearer","expires_in":"86400","access_token":"abc"}"#,
    )
    .unwrap();
    assert_eq!(t.access_token, "abc");
    assert_eq!(t.expires_at_ms, NOW + 86_400_000.0);
    let t = tok(
        200,
        r#"{"token_type":"BEARER","expires_in":60.5,"access_token":"abc"}"#,
    )
    .unwrap();
    assert_eq!(t.expires_at_ms, NOW + 60_500.0);
    // Missing expires_in: one hour assumed.
    let t = tok(200, r#"{"token_type":"Bearer","access_token":"abc"}"#).unwrap();
    assert_eq!(t.expires_at_ms, NOW + 3_600_000.0);
}

#[test]
fn invalid_client_is_auth_failed() {
    let e = tok(
        401,
        r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#,
    )
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::AuthFailed);
    assert_eq!(e.status, Some(401));
    assert_eq!(
        e.server_message.as_deref(),
        Some("Client authentication failed")
    );
    // Renewing cannot help a refused client.
    assert_eq!(e.next, NextStep::Report);
    // Same with another status, and with the message alone.
    let e = tok(400, r#"{"error":"invalid_client","error_description":"Client authentication failed","message":"Client authentication failed"}"#).unwrap_err();
    assert_eq!(e.kind, OutcomeKind::AuthFailed);
    let e = tok(500, r#"{"message":"Client authentication failed"}"#).unwrap_err();
    assert_eq!(e.kind, OutcomeKind::AuthFailed);
}

#[test]
fn gateway_answers() {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body></body></html>";
    let e = interpret_token(
        &HttpResponse::new(502, Some("text/html"), html.as_bytes().to_vec()),
        NOW,
    )
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::Gateway);
    // A login page served with 200.
    let e = interpret_token(
        &HttpResponse::new(200, Some("text/html"), &b"<!doctype html><html></html>"[..]),
        NOW,
    )
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::Gateway);
    assert_eq!(e.status, Some(200));
    // Empty body.
    let e = interpret_token(&HttpResponse::new(200, None, Vec::new()), NOW).unwrap_err();
    assert_eq!(e.kind, OutcomeKind::Gateway);
    // Plain text.
    let e = tok(200, "ok").unwrap_err();
    assert_eq!(e.kind, OutcomeKind::Gateway);
    // Gateway "no route" (wrong prefix) is reported, not retried.
    let e = tok(404, r#"{"message":"no Route matched with those values"}"#).unwrap_err();
    assert_eq!(e.kind, OutcomeKind::RouteNotMatched);
    assert_eq!(e.next, NextStep::Report);
    let e = tok(504, r#"{"message":"Request timed out"}"#).unwrap_err();
    assert_eq!(e.kind, OutcomeKind::Timeout);
}

#[test]
fn missing_or_bad_fields_are_unexpected() {
    for body in [
        r#"{"token_type":"Bearer","expires_in":3600}"#,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":""}"#,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":42}"#,
        r#"{"token_type":"mac","expires_in":3600,"access_token":"abc"}"#,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"a\nb"}"#,
        r#"{}"#,
        r#"{"code":200,"response":{"status":200,"error":false}}"#,
    ] {
        let e = tok(200, body).unwrap_err();
        assert_eq!(e.kind, OutcomeKind::TokenUnreadable, "{body}");
        assert_eq!(e.server_message, None, "{body}");
        assert_eq!(e.status, Some(200));
        assert_eq!(e.next, NextStep::Report);
    }
    // A token-looking body with a non-2xx status is not a token.
    assert!(tok(
        500,
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"abc"}"#
    )
    .is_err());
    // Unsupported grant type (body/Basic mismatch) is reported with the appliance's text.
    let e = tok(400, r#"{"error":"unsupported_grant_type","error_description":"The authorization grant type is not supported by the authorization server.","hint":"Check that all required parameters have been provided"}"#).unwrap_err();
    assert_eq!(e.kind, OutcomeKind::Unexpected);
    assert_eq!(
        e.server_message.as_deref(),
        Some("The authorization grant type is not supported by the authorization server.")
    );
}

fn token(expires_at_ms: f64) -> Token {
    Token {
        access_token: "t".into(),
        expires_at_ms,
    }
}

#[test]
fn cache_refreshes_60s_before_expiry() {
    let mut c = TokenCache::new();
    assert!(c.get(NOW).is_none());
    c.store(token(NOW + 3_600_000.0), NOW);
    assert!(c.get(NOW).is_some());
    assert!(c.get(NOW + 3_600_000.0 - 60_001.0).is_some());
    assert!(c.get(NOW + 3_600_000.0 - 60_000.0).is_none());
    assert!(c.get(NOW + 3_600_000.0).is_none());
    assert!(c.get(NOW + 10_000_000.0).is_none());
    assert!(c.peek().is_some(), "stale token still visible to peek");
    c.clear();
    assert!(c.get(NOW).is_none());
    assert!(c.peek().is_none());
}

#[test]
fn cache_short_tokens_use_half_their_lifetime() {
    let mut c = TokenCache::new();
    // 30 s token: refreshed after 15 s (60 s skew would make it useless).
    c.store(token(NOW + 30_000.0), NOW);
    assert!(c.get(NOW + 14_999.0).is_some());
    assert!(c.get(NOW + 15_000.0).is_none());
    // 2 min token: 60 s skew == half.
    c.store(token(NOW + 120_000.0), NOW);
    assert!(c.get(NOW + 59_999.0).is_some());
    assert!(c.get(NOW + 60_000.0).is_none());
    // Already expired token: never served.
    c.store(token(NOW - 1.0), NOW);
    assert!(c.get(NOW).is_none());
}

#[test]
fn token_serde_shape_and_debug_hides_secrets() {
    let t = Token {
        access_token: "secret-token".into(),
        expires_at_ms: 1.5e12,
    };
    assert_eq!(
        serde_json::to_string(&t).unwrap(),
        r#"{"accessToken":"secret-token","expiresAtMs":1500000000000.0}"#
    );
    assert!(!format!("{t:?}").contains("secret-token"));
    let c = session_drop::Credentials::new("id", "s3cr3t");
    assert!(!format!("{c:?}").contains("s3cr3t"));
}
