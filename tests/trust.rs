//! Issue 8's core items: BOM/whitespace, token bodies never quoted, scrubbing, redirects,
//! caps per kind of call, `expires_in` clamping, token-only clients and the testConnection probe.
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{
    interpret_drop, interpret_token, parse_list_all, Call, Client, Config, HttpRequest,
    HttpResponse, ListOptions, Method, OutcomeKind, Report, SessionRef, Transport, TransportError,
};
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut cx = Context::from_waker(Waker::noop());
    let mut f = pin!(f);
    for _ in 0..10_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("future never completed");
}

const NOW: f64 = 1_700_000_000_000.0;
const SECRET: &str = "demo-secret-9f8e7d";
const TOKEN: &str = "eyJhbGciOi.SECRET-TOKEN-77.sig";
const DROP_OK: &str = r#"{"code":200,"response":{"status":200,"message":"Session dropped successfully","error":false,"error_code":0},"tenant":"Segura"}"#;
const H1: &str = "3fcf1e4a16104e328d6794e1b9693cfc457871d2";

/// How the fake appliance answers one kind of request.
type Answer = Box<dyn Fn(&HttpRequest) -> Result<HttpResponse, TransportError>>;

/// A scripted appliance: `token_body` answers the token POST; `drop` answers DELETEs.
/// Bodies are produced lazily and read like a stream honouring `max_body_bytes`.
struct Fake {
    token: Answer,
    drop: Answer,
    probe_final_url: Option<String>,
    log: RefCell<Vec<HttpRequest>>,
}

impl Fake {
    fn new() -> Fake {
        Fake {
            token: Box::new(|_| Ok(token_ok(TOKEN))),
            drop: Box::new(|_| Ok(HttpResponse::json(200, DROP_OK))),
            probe_final_url: None,
            log: RefCell::new(Vec::new()),
        }
    }
}

fn token_ok(t: &str) -> HttpResponse {
    HttpResponse::json(
        200,
        format!(r#"{{"token_type":"Bearer","expires_in":3600,"access_token":"{t}"}}"#),
    )
}

impl Transport for Fake {
    async fn send(&self, req: HttpRequest, _: u32) -> Result<HttpResponse, TransportError> {
        self.log.borrow_mut().push(req.clone());
        if req.call == Call::Probe {
            let mut r = HttpResponse::new(200, Some("text/html"), Vec::new());
            r.url = self.probe_final_url.clone();
            return Ok(r);
        }
        let resp = if req.url.ends_with("/iso/oauth2/token") {
            (self.token)(&req)?
        } else {
            (self.drop)(&req)?
        };
        if resp.body.len() as u64 > req.max_body_bytes {
            return Err(TransportError::TooLarge {
                limit: req.max_body_bytes,
            });
        }
        Ok(resp)
    }
}

fn client(fake: &Fake) -> Client<&Fake, fn() -> f64> {
    let config = Config::new("https://pam.example.com", "demo-client", SECRET).unwrap();
    Client::new(config, fake, (|| NOW) as fn() -> f64)
}

fn view_json(r: &Report) -> String {
    serde_json::to_string(&r.to_view()).unwrap()
}

fn hash() -> SessionRef {
    SessionRef::hash(H1).unwrap()
}

// ---- BOM and whitespace ----------------------------------------------------------------------

#[test]
fn bom_and_surrounding_whitespace_are_accepted_everywhere() {
    let bom = |s: &str| format!("\u{feff}{s}\r\n \n\t");
    let o = interpret_drop(&HttpResponse::json(200, bom(DROP_OK)), true);
    assert_eq!(o.kind, OutcomeKind::Dropped);
    let o = interpret_drop(&HttpResponse::json(200, format!(" \n{DROP_OK}\n\n")), true);
    assert_eq!(o.kind, OutcomeKind::Dropped);
    let t = interpret_token(
        &HttpResponse::json(
            200,
            bom(r#"{"token_type":"Bearer","expires_in":3600,"access_token":"abc"}"#),
        ),
        NOW,
    )
    .unwrap();
    assert_eq!(t.access_token, "abc");
    let l = parse_list_all(
        bom(r#"{"remote_sessions":[{"id":"1","session_id":"x","end":""}]}"#).as_bytes(),
        true,
    )
    .unwrap();
    assert_eq!(l.sessions.len(), 1);
}

// ---- token bodies are never quoted -----------------------------------------------------------

fn unreadable_token_bodies() -> Vec<(&'static str, Vec<u8>)> {
    let json = format!(r#"{{"token_type":"Bearer","expires_in":3600,"access_token":"{TOKEN}"}}"#);
    vec![
        ("BOM + garbage", {
            let mut b = b"\xEF\xBB\xBFgarbage ".to_vec();
            b.extend_from_slice(json.as_bytes());
            b
        }),
        (
            "PHP notice after JSON",
            format!("{json}\n<br />\n<b>Notice</b>:  Undefined index: scope in /var/www/oauth.php on line 42<br />\n")
                .into_bytes(),
        ),
        (
            "PHP notice before JSON",
            format!("<br />\n<b>Notice</b>: Undefined variable {json}").into_bytes(),
        ),
        (
            "lone surrogate",
            format!(r#"{{"token_type":"Bearer","expires_in":3600,"access_token":"{TOKEN}\ud800"}}"#)
                .into_bytes(),
        ),
        (
            "token in a bad token_type answer",
            format!(r#"{{"token_type":"mac {TOKEN}","access_token":"{TOKEN}"}}"#).into_bytes(),
        ),
    ]
}

#[test]
fn a_token_endpoint_body_is_never_quoted() {
    for (name, body) in unreadable_token_bodies() {
        let o = interpret_token(&HttpResponse::json(200, body.clone()), NOW).unwrap_err();
        assert_eq!(o.kind, OutcomeKind::TokenUnreadable, "{name}");
        assert_eq!(o.server_message, None, "{name}");
        // Through the client: the drop and the connection test report it without the body.
        let mut fake = Fake::new();
        fake.token = Box::new(move |_| Ok(HttpResponse::json(200, body.clone())));
        let c = client(&fake);
        for rep in [
            block_on(c.drop_session(&hash())),
            block_on(c.test_connection()),
        ] {
            assert_eq!(rep.kind(), OutcomeKind::TokenUnreadable, "{name}");
            let v = view_json(&rep);
            assert!(!v.contains("SECRET-TOKEN"), "{name}: {v}");
            assert!(v.contains(r#""serverMessage":null"#), "{name}: {v}");
        }
        assert_eq!(
            fake.log
                .borrow()
                .iter()
                .filter(|r| r.method == Method::Delete)
                .count(),
            0
        );
    }
}

#[test]
fn expires_in_1e400_is_clamped_not_quoted() {
    let body = format!(r#"{{"token_type":"Bearer","expires_in":1e400,"access_token":"{TOKEN}"}}"#);
    let t = interpret_token(&HttpResponse::json(200, body.clone()), NOW).unwrap();
    assert_eq!(t.expires_at_ms, NOW + 7.0 * 86_400_000.0);
    let mut fake = Fake::new();
    fake.token = Box::new(move |_| Ok(HttpResponse::json(200, body.clone())));
    let c = client(&fake);
    let rep = block_on(c.drop_session(&hash()));
    assert_eq!(rep.kind(), OutcomeKind::Dropped);
    assert!(!view_json(&rep).contains("SECRET-TOKEN"));
}

#[test]
fn token_error_answers_quote_only_their_message_fields() {
    // An error answer echoing a token elsewhere: only error_description is quoted.
    let body = format!(
        r#"{{"error":"invalid_client","error_description":"Client authentication failed","hint":"{TOKEN}"}}"#
    );
    let o = interpret_token(&HttpResponse::json(401, body), NOW).unwrap_err();
    assert_eq!(o.kind, OutcomeKind::AuthFailed);
    assert_eq!(
        o.server_message.as_deref(),
        Some("Client authentication failed")
    );
    // A non-JSON error body is never quoted.
    let o = interpret_token(
        &HttpResponse::new(500, Some("text/plain"), format!("fatal: {TOKEN}")),
        NOW,
    )
    .unwrap_err();
    assert_eq!(o.server_message, None);
    let o = interpret_token(
        &HttpResponse::new(502, Some("text/html"), "<title>Bad gateway</title>"),
        NOW,
    )
    .unwrap_err();
    assert_eq!((o.kind, o.server_message), (OutcomeKind::Gateway, None));
}

// ---- scrubbing -------------------------------------------------------------------------------

#[test]
fn reports_are_scrubbed_of_the_token_and_the_secret() {
    let mut fake = Fake::new();
    fake.drop = Box::new(|_| {
        Ok(HttpResponse::json(
            500,
            format!(
                r#"{{"code":500,"response":{{"status":500,"message":"Unexpected error: token {TOKEN} of client secret {SECRET}","error":true}}}}"#
            ),
        ))
    });
    let c = client(&fake);
    let rep = block_on(c.drop_session(&hash()));
    assert_eq!(rep.kind(), OutcomeKind::ServerError);
    let m = rep.outcome.server_message.as_deref().unwrap();
    assert_eq!(
        m,
        "Unexpected error: token [redacted] of client secret [redacted]"
    );
    let v = view_json(&rep);
    assert!(!v.contains(TOKEN) && !v.contains(SECRET), "{v}");
    // Params too.
    let mut r = Report::new(
        session_drop::Outcome::local(OutcomeKind::Redirect).with("location", format!("x{SECRET}")),
    );
    r.scrub(&[SECRET]);
    assert_eq!(r.outcome.params["location"], "x[redacted]");
}

// ---- redirects -------------------------------------------------------------------------------

#[test]
fn a_redirect_is_never_followed_and_its_origin_is_learnt_without_credentials() {
    let mut fake = Fake::new();
    fake.token = Box::new(|_| Err(TransportError::Redirect { location: None }));
    fake.probe_final_url = Some("https://new-pam.example.com:8443/iso/oauth2/token".into());
    let c = client(&fake);
    let rep = block_on(c.drop_session(&hash()));
    assert_eq!(rep.kind(), OutcomeKind::Redirect);
    assert_eq!(
        rep.outcome.params["location"],
        "https://new-pam.example.com:8443"
    );
    let log = fake.log.borrow();
    assert_eq!(log.len(), 2, "the token POST, then one probe: {log:?}");
    assert!(!log[0].follow_redirects);
    let probe = &log[1];
    assert_eq!((probe.method, probe.call), (Method::Get, Call::Probe));
    assert!(probe.follow_redirects);
    assert!(
        probe.headers.is_empty() && probe.body.is_none(),
        "{probe:?}"
    );
    assert!(!format!("{probe:?}").contains(SECRET));
}

#[test]
fn a_redirect_of_a_drop_reports_the_location_it_names() {
    let mut fake = Fake::new();
    fake.drop = Box::new(|_| {
        Err(TransportError::Redirect {
            location: Some("http://evil.example.net/steal?x=1".into()),
        })
    });
    let c = client(&fake);
    let rep = block_on(c.drop_session(&hash()));
    assert_eq!(rep.kind(), OutcomeKind::Redirect);
    assert_eq!(rep.outcome.params["location"], "http://evil.example.net");
    assert_eq!(rep.attempts, 1, "not retried");
    assert!(fake.log.borrow().iter().all(|r| r.call != Call::Probe));
    // A probe that lands where it started tells nothing: no location.
    let mut fake = Fake::new();
    fake.token = Box::new(|_| Err(TransportError::Redirect { location: None }));
    fake.probe_final_url = Some("https://pam.example.com/iso/oauth2/token".into());
    let rep = block_on(client(&fake).test_connection());
    assert_eq!(rep.kind(), OutcomeKind::Redirect);
    assert!(rep.outcome.params.get("location").is_none());
}

// ---- caps ------------------------------------------------------------------------------------

#[test]
fn every_kind_of_call_has_its_cap() {
    let fake = Fake::new();
    let c = client(&fake);
    block_on(c.drop_session(&hash()));
    block_on(c.drop_session(&SessionRef::row_id("7").unwrap()));
    let opts = ListOptions::from_value(&serde_json::json!({"maxBytes": 1e12}));
    let _ = block_on(c.list_active_with(&opts, None));
    let _ = block_on(c.list_active());
    let caps: Vec<(Call, u64)> = fake
        .log
        .borrow()
        .iter()
        .map(|r| (r.call, r.max_body_bytes))
        .collect();
    assert!(caps.contains(&(Call::Token, 64 * 1024)), "{caps:?}");
    assert!(caps.contains(&(Call::Drop, 64 * 1024)), "{caps:?}");
    assert!(caps.contains(&(Call::ListOne, 1024 * 1024)), "{caps:?}");
    assert!(caps.contains(&(Call::List, 256 * 1024 * 1024)), "{caps:?}");
    assert!(caps.contains(&(Call::List, 64 * 1024 * 1024)), "{caps:?}");
    assert!(caps.iter().all(|(_, c)| *c <= 256 * 1024 * 1024));
}

/// A transport whose answer is a 128 MiB body it streams chunk by chunk, stopping at the cap.
struct Huge {
    read: RefCell<u64>,
}

impl Transport for Huge {
    async fn send(&self, req: HttpRequest, _: u32) -> Result<HttpResponse, TransportError> {
        if req.url.ends_with("/iso/oauth2/token") {
            return Ok(token_ok(TOKEN));
        }
        const TOTAL: u64 = 128 * 1024 * 1024;
        let chunk = vec![b'x'; 64 * 1024];
        let mut body = Vec::new();
        let mut read = 0u64;
        while read < TOTAL {
            read += chunk.len() as u64;
            *self.read.borrow_mut() = read;
            if read > req.max_body_bytes {
                return Err(TransportError::TooLarge {
                    limit: req.max_body_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse::new(500, Some("text/plain"), body))
    }
}

#[test]
fn a_128_mib_error_body_is_refused_quickly_and_bounded() {
    let t = Huge {
        read: RefCell::new(0),
    };
    let config = Config::new("https://pam.example.com", "demo-client", SECRET).unwrap();
    let c = Client::new(config, &t, (|| NOW) as fn() -> f64);
    let t0 = Instant::now();
    let rep = block_on(c.drop_session(&hash()));
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(rep.kind(), OutcomeKind::TooLarge);
    assert_eq!(
        serde_json::Value::Object(rep.outcome.params.clone()),
        serde_json::json!({"limit": 65536, "call": "drop"})
    );
    assert!(
        *t.read.borrow() <= 2 * 64 * 1024,
        "read {}",
        t.read.borrow()
    );
    // A list may be larger, but not past its cap either.
    let opts = ListOptions::from_value(&serde_json::json!({"maxBytes": 1048576}));
    let rep = block_on(c.list_active_with(&opts, None)).unwrap_err();
    assert_eq!(rep.kind(), OutcomeKind::TooLarge);
    assert_eq!(rep.outcome.params["call"], "list");
    assert_eq!(rep.outcome.params["limit"], 1048576);
}

// ---- expires_in clamping ---------------------------------------------------------------------

#[test]
fn absurd_expires_in_is_clamped_to_60s_7d() {
    let day7 = 7.0 * 86_400_000.0;
    for (v, want_ms) in [
        ("1e308", day7),
        ("1e400", day7),
        ("-1e400", 60_000.0),
        ("-5", 60_000.0),
        ("0", 60_000.0),
        ("30", 60_000.0),
        ("\"NaN\"", 60_000.0),
        ("\"inf\"", 60_000.0),
        ("\"soon\"", 60_000.0),
        ("true", 60_000.0),
        ("{}", 60_000.0),
        ("null", 3_600_000.0),
        ("86400", 86_400_000.0),
        ("\" 7200 \"", 7_200_000.0),
        ("99999999", day7),
    ] {
        let body = format!(r#"{{"access_token":"abc","expires_in":{v}}}"#);
        let t = interpret_token(&HttpResponse::json(200, body), NOW)
            .unwrap_or_else(|e| panic!("{v}: {e:?}"));
        assert_eq!(t.expires_at_ms, NOW + want_ms, "{v}");
    }
}

// ---- token-only client and the connection test -----------------------------------------------

#[test]
fn a_token_only_client_never_asks_for_a_token() {
    let fake = Fake::new();
    let config = Config::new("https://pam.example.com", "", "").unwrap();
    let c = Client::new(config, &fake, (|| NOW) as fn() -> f64);
    let rep = block_on(c.drop_session(&hash()));
    assert_eq!(rep.kind(), OutcomeKind::AuthFailed);
    assert_eq!(rep.outcome.next, session_drop::NextStep::RenewToken);
    assert!(fake.log.borrow().is_empty());
    c.restore(session_drop::ClientState {
        token: Some(session_drop::Token {
            access_token: "given".into(),
            expires_at_ms: NOW + 600_000.0,
        }),
        generation: None,
    });
    assert_eq!(
        block_on(c.drop_session(&hash())).kind(),
        OutcomeKind::Dropped
    );
    assert!(fake.log.borrow().iter().all(|r| r.call != Call::Token));
    // One of the two alone is still refused.
    assert!(Config::new("https://pam.example.com", "id", "").is_err());
}

#[test]
fn test_connection_tells_whether_drops_are_allowed() {
    let ended = r#"{"code":500,"response":{"status":500,"message":"An error occurred while dropping session","error":true,"error_code":1}}"#;
    let denied = r#"{"code":500,"response":{"status":500,"message":"You are not authorized to access this resource","error":true,"error_code":3}}"#;
    for (body, want) in [(ended, "yes"), (denied, "no"), ("<html></html>", "unknown")] {
        let mut fake = Fake::new();
        fake.drop = Box::new(move |_| Ok(HttpResponse::json(500, body)));
        let rep = block_on(client(&fake).test_connection());
        assert_eq!(rep.kind(), OutcomeKind::Connected, "{body}");
        assert_eq!(rep.outcome.params["canDrop"], want, "{body}");
        let log = fake.log.borrow();
        let deletes: Vec<&str> = log
            .iter()
            .filter(|r| r.method == Method::Delete)
            .map(|r| r.url.as_str())
            .collect();
        assert!(!deletes.is_empty());
        assert!(
            deletes
                .iter()
                .all(|u| u.ends_with("/0000000000000000000000000000000000000000")),
            "{deletes:?}"
        );
    }
}

#[test]
fn server_messages_not_worth_quoting_are_null() {
    let mut fake = Fake::new();
    fake.drop = Box::new(|_| Ok(HttpResponse::json(500, r#"{"message":"42","error":true}"#)));
    let rep = block_on(client(&fake).drop_session(&hash()));
    assert_eq!(rep.outcome.server_message.as_deref(), Some("42"));
    assert_eq!(rep.to_view().server_message, None);
}
