//! Request builders and curl rendering.
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{
    drop_request, list_request, to_curl, token_request, Credentials, Generation, Method, ServerUrl,
    SessionId, TokenAuthStyle,
};

fn server() -> ServerUrl {
    ServerUrl::parse("https://pam.example.com:8443/pam/").unwrap()
}

fn header<'a>(req: &'a session_drop::HttpRequest, name: &str) -> Option<&'a str> {
    req.header(name)
}

#[test]
fn token_request_body_style() {
    let creds = Credentials::new("my client", "s&cr=t+/ é");
    let req = token_request(&server(), &creds, TokenAuthStyle::Body);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, "https://pam.example.com:8443/pam/iso/oauth2/token");
    assert_eq!(
        header(&req, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(header(&req, "accept"), Some("application/json"));
    assert_eq!(header(&req, "authorization"), None);
    assert_eq!(
        req.body.as_deref(),
        Some("grant_type=client_credentials&client_id=my+client&client_secret=s%26cr%3Dt%2B%2F+%C3%A9")
    );
}

#[test]
fn token_request_basic_style() {
    let creds = Credentials::new("demo-client", "demo-secret");
    let req = token_request(&server(), &creds, TokenAuthStyle::Basic);
    assert_eq!(req.body.as_deref(), Some("grant_type=client_credentials"));
    // base64("demo-client:demo-secret")
    assert_eq!(
        header(&req, "Authorization"),
        Some("Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=")
    );
    assert_eq!(
        header(&req, "Content-Type"),
        Some("application/x-www-form-urlencoded")
    );
    // Padding variants.
    assert_eq!(session_drop::request::base64(b"a"), "YQ==");
    assert_eq!(session_drop::request::base64(b"ab"), "YWI=");
    assert_eq!(session_drop::request::base64(b"abc"), "YWJj");
    assert_eq!(session_drop::request::base64(b""), "");
}

#[test]
fn drop_request_both_generations() {
    let id = SessionId::new("1dbd4cdcf4b0123456789abcdef9554cd6308975").unwrap();
    let req = drop_request(&server(), Generation::Api, &id, "tok");
    assert_eq!(req.method, Method::Delete);
    assert_eq!(
        req.url,
        "https://pam.example.com:8443/pam/api/pam/session/drop/1dbd4cdcf4b0123456789abcdef9554cd6308975"
    );
    assert_eq!(header(&req, "Authorization"), Some("Bearer tok"));
    assert_eq!(header(&req, "Accept"), Some("application/json"));
    assert_eq!(req.body, None);
    assert!(req.has_bearer());
    let req = drop_request(&server(), Generation::Iso, &id, "tok");
    assert_eq!(
        req.url,
        "https://pam.example.com:8443/pam/iso/session/drop/1dbd4cdcf4b0123456789abcdef9554cd6308975"
    );
    // UUID ids.
    let id = SessionId::new("018d3131-0bf6-71c2-be17-999f062b8312").unwrap();
    let req = drop_request(
        &ServerUrl::parse("https://pam.example.com").unwrap(),
        Generation::Api,
        &id,
        "t",
    );
    assert_eq!(
        req.url,
        "https://pam.example.com/api/pam/session/drop/018d3131-0bf6-71c2-be17-999f062b8312"
    );
    // Reserved-but-allowed characters are still encoded.
    let id = SessionId::new("a:b@c+d=e;f,g!h*i'j(k)l&m$n").unwrap();
    assert_eq!(
        id.encoded(),
        "a%3Ab%40c%2Bd%3De%3Bf%2Cg%21h%2Ai%27j%28k%29l%26m%24n"
    );
}

#[test]
fn list_request_shape() {
    let req = list_request(&server(), "/api/session/remotesessions/42", "tok");
    assert_eq!(req.method, Method::Get);
    assert_eq!(
        req.url,
        "https://pam.example.com:8443/pam/api/session/remotesessions/42"
    );
    assert_eq!(header(&req, "authorization"), Some("Bearer tok"));
    assert_eq!(req.body, None);
}

#[test]
fn curl_redacts_by_default() {
    let id = SessionId::new("abc123").unwrap();
    let req = drop_request(&server(), Generation::Api, &id, "SECRET-TOKEN");
    let c = to_curl(&req, true);
    assert!(!c.contains("SECRET-TOKEN"), "{c}");
    assert_eq!(
        c,
        "curl -sS -X DELETE -H 'Accept: application/json' -H 'Authorization: Bearer <redacted>' 'https://pam.example.com:8443/pam/api/pam/session/drop/abc123'"
    );
    let c = to_curl(&req, false);
    assert!(c.contains("'Authorization: Bearer SECRET-TOKEN'"), "{c}");

    let creds = Credentials::new("cid", "TOP-SECRET");
    let req = token_request(&server(), &creds, TokenAuthStyle::Body);
    let c = to_curl(&req, true);
    assert!(!c.contains("TOP-SECRET"), "{c}");
    assert!(
        c.contains(
            "--data-raw 'grant_type=client_credentials&client_id=cid&client_secret=<redacted>'"
        ),
        "{c}"
    );
    assert!(c.contains("-X POST"));
    assert!(to_curl(&req, false).contains("client_secret=TOP-SECRET"));

    let req = token_request(&server(), &creds, TokenAuthStyle::Basic);
    let c = to_curl(&req, true);
    assert!(c.contains("'Authorization: Basic <redacted>'"), "{c}");
    assert!(!c.contains(&session_drop::request::base64(b"cid:TOP-SECRET")));

    let req = list_request(&server(), "/api/session/remotesessions", "SECRET-TOKEN");
    let c = to_curl(&req, true);
    assert!(!c.contains("-X"), "GET needs no -X: {c}");
    assert!(!c.contains("SECRET-TOKEN"));
}

#[test]
fn curl_quotes_hostile_values() {
    let creds = Credentials::new("it's $(rm -rf ~) `x`", "a'b");
    let req = token_request(&server(), &creds, TokenAuthStyle::Body);
    let c = to_curl(&req, false);
    // Every argument is single-quoted; a quote inside is closed, escaped and reopened.
    assert_eq!(session_drop::request::shell_quote("it's"), r"'it'\''s'");
    assert!(
        c.contains("client_id=it%27s+%24%28rm+-rf+%7E%29+%60x%60"),
        "{c}"
    );
    // Basic with a raw quote in the header.
    let req = token_request(&server(), &creds, TokenAuthStyle::Basic);
    let c = to_curl(&req, true);
    assert!(c.ends_with("'https://pam.example.com:8443/pam/iso/oauth2/token'"));
    // IPv6 host: curl globbing off.
    let s = ServerUrl::parse("http://[::1]:8080").unwrap();
    let req = drop_request(&s, Generation::Iso, &SessionId::new("x").unwrap(), "t");
    let c = to_curl(&req, true);
    assert!(c.contains(" -g "), "{c}");
    assert!(c.ends_with("'http://[::1]:8080/iso/session/drop/x'"));
}
