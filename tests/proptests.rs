//! Property tests: path safety of ids, and no panics on arbitrary bytes.
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use session_drop::{
    drop_request, interpret_drop, interpret_token, parse_list_all, parse_list_one, Generation,
    HttpResponse, ServerUrl, SessionRef,
};

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

fn servers() -> impl Strategy<Value = ServerUrl> {
    prop_oneof![
        Just("https://pam.example.com"),
        Just("https://pam.example.com:8443/prefix/"),
        Just("http://127.0.0.1:9000"),
        Just("https://[2001:db8::1]/a/b"),
    ]
    .prop_map(|s| ServerUrl::parse(s).unwrap())
}

/// Strings biased towards the characters that matter.
fn candidates() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9._~:@!$&'()*+,;=/?#%\\\\ -]{0,40}",
        "[0-9a-f]{1,300}",
        "[ -~]{0,64}",
    ]
}

fn check_path(server: &ServerUrl, gen: Generation, s: &str) -> Result<(), TestCaseError> {
    let SessionRef::Hash(id) = SessionRef::hash(s).unwrap() else {
        unreachable!()
    };
    let req = drop_request(server, gen, &id, "tok");
    let prefix = format!("{}{}", server.base(), gen.drop_prefix());
    prop_assert!(req.url.starts_with(&prefix), "{} vs {}", req.url, prefix);
    let seg = &req.url[prefix.len()..];
    prop_assert!(!seg.is_empty());
    prop_assert!(!seg.contains(['/', '?', '#', '\\', ' ']), "{seg}");
    prop_assert!(seg.bytes().all(|b| b.is_ascii_graphic()), "{seg}");
    prop_assert_ne!(seg, ".");
    prop_assert_ne!(seg, "..");
    // Every '%' starts a valid escape (no raw '%').
    let bytes = seg.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%' {
            prop_assert!(bytes.len() > i + 2);
            prop_assert!(bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit());
        }
    }
    let decoded = percent_decode(seg).unwrap();
    prop_assert_eq!(decoded, s.as_bytes().to_vec());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn accepted_ids_stay_one_segment(s in candidates(), server in servers()) {
        if SessionRef::hash(&s).is_ok() {
            check_path(&server, Generation::Api, &s)?;
            check_path(&server, Generation::Iso, &s)?;
        } else {
            // Rejections are for a reason listed in the contract.
            let bad = s.is_empty()
                || s.len() > 256
                || s.contains("..")
                || s == "."
                || s.chars().any(|c| matches!(c, '/' | '\\' | '%' | '?' | '#') || c.is_whitespace() || c.is_control() || !c.is_ascii());
            prop_assert!(bad, "{s:?} rejected without reason");
        }
    }

    #[test]
    fn ids_with_forbidden_chars_are_rejected(
        pre in "[a-z0-9]{0,8}",
        bad in prop_oneof![Just("/"), Just("\\"), Just(".."), Just("%"), Just("?"), Just("#"), Just(" "), Just("\t"), Just("\u{0}"), Just("\u{7f}"), Just("é"), Just("\u{2028}")],
        post in "[a-z0-9]{0,8}",
    ) {
        let s = format!("{pre}{bad}{post}");
        prop_assert!(SessionRef::hash(&s).is_err(), "{s:?}");
    }

    #[test]
    fn row_ids_roundtrip(n in any::<u64>()) {
        prop_assert_eq!(SessionRef::row_id(&n.to_string()).unwrap(), SessionRef::RowId(n));
    }

    #[test]
    fn interpret_drop_never_panics(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..512), sent in any::<bool>()) {
        let o = interpret_drop(&HttpResponse::new(status, None, body.clone()), sent);
        if let Some(m) = &o.server_message {
            prop_assert!(m.chars().count() <= 300);
            prop_assert!(!m.chars().any(char::is_control));
        }
        // A success needs a 2xx.
        if o.kind == session_drop::OutcomeKind::Dropped {
            prop_assert!((200..300).contains(&status));
        }
        let _ = interpret_drop(&HttpResponse::new(status, Some("text/html"), body), sent);
    }

    #[test]
    fn interpret_drop_never_panics_on_jsonish(status in any::<u16>(), body in r#"\{("(message|error|erro|response|code|status|mensagem|error_code|exception)":(true|false|null|1|0|"[a-zA-Z ]{0,12}"|\{|\[|"x"),?){0,6}\}?\]?\}?"#) {
        let _ = interpret_drop(&HttpResponse::json(status, body.into_bytes()), true);
    }

    #[test]
    fn interpret_token_never_panics(status in any::<u16>(), body in proptest::collection::vec(any::<u8>(), 0..512), now in any::<f64>()) {
        let _ = interpret_token(&HttpResponse::new(status, None, body), now);
    }

    #[test]
    fn interpret_token_jsonish(body in r#"\{("(token_type|expires_in|access_token|error)":(true|null|-?[0-9]{1,12}|"[a-zA-Z0-9 ]{0,8}"|\[\]),?){0,4}\}"#) {
        if let Ok(t) = interpret_token(&HttpResponse::json(200, body.into_bytes()), 0.0) {
            prop_assert!(!t.access_token.is_empty());
            prop_assert!(t.expires_at_ms > 0.0);
        }
    }

    #[test]
    fn parse_list_never_panics(body in proptest::collection::vec(any::<u8>(), 0..512), active in any::<bool>(), status in any::<u16>()) {
        let _ = parse_list_all(&body, active);
        let _ = parse_list_one(&HttpResponse::new(status, None, body));
    }

    #[test]
    fn parse_list_jsonish(body in r#"\{"remote_sessions":\[(\{("(id|user|end|start|session_id|usuario)":(null|[0-9]{1,3}|"[a-z0-9: -]{0,10}"|\[\]|\{\}),?){0,5}\},?){0,5}\]\}"#) {
        if let Ok(l) = parse_list_all(body.as_bytes(), true) {
            prop_assert!(l.sessions.len() <= l.total);
            prop_assert!(l.sessions.iter().all(|s| s.end.is_none()));
            prop_assert!(l.sessions.windows(2).all(|w| w[0].start >= w[1].start));
        }
    }

    #[test]
    fn server_url_parse_never_panics_and_is_idempotent(s in any::<String>()) {
        if let Ok(u) = ServerUrl::parse(&s) {
            let again = ServerUrl::parse(&u.base()).unwrap();
            prop_assert_eq!(&again, &u);
            prop_assert!(!u.base().ends_with('/'));
            prop_assert!(u.match_pattern().ends_with("/*"));
        }
    }
}

#[test]
fn hostile_inputs_rejected() {
    for s in [
        "../x", "a/b", "%2e%2e", "a?b", "a#b", "a b", "\u{0}", "é", "", "..", "a\\b", "x/../y",
    ] {
        assert!(SessionRef::hash(s).is_err(), "{s:?}");
    }
}

/// Keys a session object may carry: English and Portuguese spellings, unknown ones, an escaped
/// spelling of a known key, and one that is not UTF-8 (the list must then be refused).
const SESSION_KEYS: &[&[u8]] = &[
    b"id",
    b"user",
    b"usu\xc3\xa1rio",
    b"device",
    b"dispositivo",
    b"session_id",
    b"start",
    b"end",
    b"fim",
    b"time",
    b"prevent_purge",
    b"ITSM",
    b"us\\u0065r",
    b"\\u0065nd",
    b"x\xff",
];

/// One session object: the chosen keys, in the chosen order, with small values.
fn session_json(keys: &[(usize, u8)]) -> Vec<u8> {
    let mut out = b"{".to_vec();
    for (n, &(k, v)) in keys.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(SESSION_KEYS[k % SESSION_KEYS.len()]);
        out.extend_from_slice(b"\":");
        out.extend_from_slice(match v % 5 {
            0 => b"\"\"".as_slice(),
            1 => b"\"2024-05-06 16:05:07\"",
            2 => b"null",
            3 => b"42",
            _ => b"\"a\\u00e9b\"",
        });
    }
    out.push(b'}');
    out
}

fn list_json(sessions: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"{\"remote_sessions\":[".to_vec();
    for (i, s) in sessions.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(s);
    }
    out.extend_from_slice(b"]}");
    out
}

proptest! {
    /// The parser recognises a session's keys by comparing them with the previous session's:
    /// whatever the keys and their order, a list reads exactly as its sessions read one by one
    /// (same sessions, same totals, and refused exactly when one of them is).
    #[test]
    fn sessions_read_the_same_in_a_list_as_alone(
        sessions in proptest::collection::vec(
            proptest::collection::vec((0usize..SESSION_KEYS.len(), any::<u8>()), 0..9),
            1..6,
        ),
        active_only in any::<bool>(),
    ) {
        let objects: Vec<Vec<u8>> = sessions.iter().map(|k| session_json(k)).collect();
        let whole = parse_list_all(&list_json(&objects), active_only);
        let alone: Vec<_> = objects
            .iter()
            .map(|o| parse_list_all(&list_json(std::slice::from_ref(o)), active_only))
            .collect();
        if alone.iter().any(|r| r.is_err()) {
            prop_assert!(whole.is_err());
        } else {
            let whole = whole.expect("every session reads alone");
            prop_assert_eq!(whole.total, objects.len());
            let mut expected: Vec<_> = alone
                .into_iter()
                .flat_map(|r| r.unwrap().sessions)
                .collect();
            let mut got = whole.sessions;
            if active_only {
                // Kept sessions come sorted newest first: compare as sets (by content).
                expected.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
                got.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
            }
            prop_assert_eq!(got, expected);
        }
    }
}
