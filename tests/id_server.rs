//! Session references and server URLs.
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{IdError, RefKind, ServerUrl, ServerUrlError, SessionId, SessionRef};

#[test]
fn accepted_hashes() {
    for s in [
        "3fcf1e4a16104e328d6794e1b9693cfc457871d2",
        "018d3131-0bf6-71c2-be17-999f062b8312",
        "e7acacb6aedbab70073456da5744166939b77527",
        "abc",
        "A_b.c~d-e",
        "x.y",
        "a:b@c",
    ] {
        let r = SessionRef::hash(s).unwrap();
        assert_eq!(r.session_id().unwrap().as_str(), s);
        assert_eq!(r.kind(), RefKind::Hash);
    }
    let max = "a".repeat(256);
    assert!(SessionRef::hash(&max).is_ok());
}

#[test]
fn rejected_hashes() {
    use IdError::*;
    let cases: &[(&str, IdError)] = &[
        ("", Empty),
        ("../x", Forbidden { ch: '/', pos: 2 }),
        ("..", DotSegment),
        ("a..b", DotSegment),
        (".", DotSegment),
        ("a/b", Forbidden { ch: '/', pos: 1 }),
        ("a\\b", Forbidden { ch: '\\', pos: 1 }),
        ("%2e%2e", Forbidden { ch: '%', pos: 0 }),
        ("a?b", Forbidden { ch: '?', pos: 1 }),
        ("a#b", Forbidden { ch: '#', pos: 1 }),
        ("a b", Forbidden { ch: ' ', pos: 1 }),
        (" abc", Forbidden { ch: ' ', pos: 0 }),
        ("abc\n", Forbidden { ch: '\n', pos: 3 }),
        ("a\tb", Forbidden { ch: '\t', pos: 1 }),
        (
            "\u{0}",
            Forbidden {
                ch: '\u{0}',
                pos: 0,
            },
        ),
        (
            "\u{7f}",
            Forbidden {
                ch: '\u{7f}',
                pos: 0,
            },
        ),
        ("é", Forbidden { ch: 'é', pos: 0 }),
        ("abcé", Forbidden { ch: 'é', pos: 3 }),
        (
            "a\u{a0}b",
            Forbidden {
                ch: '\u{a0}',
                pos: 1,
            },
        ),
        (
            "a\u{202e}b",
            Forbidden {
                ch: '\u{202e}',
                pos: 1,
            },
        ),
    ];
    for (s, want) in cases {
        assert_eq!(SessionRef::hash(s).unwrap_err(), *want, "{s:?}");
    }
    assert_eq!(
        SessionRef::hash(&"a".repeat(257)).unwrap_err(),
        TooLong { max: 256 }
    );
    assert!(SessionId::new(&"a/".repeat(300)).is_err());
}

#[test]
fn row_ids() {
    assert_eq!(SessionRef::row_id("42").unwrap(), SessionRef::RowId(42));
    assert_eq!(SessionRef::row_id("0042").unwrap(), SessionRef::RowId(42));
    assert_eq!(
        SessionRef::row_id("18446744073709551615").unwrap(),
        SessionRef::RowId(u64::MAX)
    );
    assert_eq!(
        SessionRef::row_id("18446744073709551616").unwrap_err(),
        IdError::NotARowId
    );
    assert_eq!(
        SessionRef::row_id("000000000000000000001").unwrap_err(),
        IdError::NotARowId
    );
    for bad in ["-1", "+1", "1.0", "1e3", " 1", "1 ", "٣", "0x10", "abc"] {
        assert_eq!(
            SessionRef::row_id(bad).unwrap_err(),
            IdError::NotARowId,
            "{bad:?}"
        );
    }
    assert_eq!(SessionRef::row_id("").unwrap_err(), IdError::Empty);
    assert_eq!(SessionRef::parse(RefKind::Row, "7").unwrap().row(), Some(7));
    assert!(SessionRef::parse(RefKind::Hash, "7")
        .unwrap()
        .session_id()
        .is_some());
    assert_eq!(serde_json::to_string(&RefKind::Row).unwrap(), "\"row\"");
    assert_eq!(
        serde_json::from_str::<RefKind>("\"hash\"").unwrap(),
        RefKind::Hash
    );
}

fn parse(s: &str) -> ServerUrl {
    ServerUrl::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
}

#[test]
fn server_url_normalisation() {
    let u = parse("  HTTPS://PAM.Example.COM/  ");
    assert_eq!(u.base(), "https://pam.example.com");
    assert_eq!(u.origin(), "https://pam.example.com");
    assert_eq!(u.match_pattern(), "https://pam.example.com/*");
    assert_eq!(
        u.url("/iso/oauth2/token"),
        "https://pam.example.com/iso/oauth2/token"
    );

    let u = parse("https://pam.example.com:8443/prefix//");
    assert_eq!(u.base(), "https://pam.example.com:8443/prefix");
    assert_eq!(u.origin(), "https://pam.example.com:8443");
    assert_eq!(u.match_pattern(), "https://pam.example.com/*");
    assert_eq!(u.url("/api/x"), "https://pam.example.com:8443/prefix/api/x");
    assert_eq!(u.port(), Some(8443));
    assert_eq!(u.prefix(), "/prefix");

    // Default port dropped.
    assert_eq!(
        parse("https://pam.example.com:443").base(),
        "https://pam.example.com"
    );
    assert_eq!(
        parse("https://pam.example.com:").base(),
        "https://pam.example.com"
    );
    // Loopback over http.
    let u = parse("http://127.0.0.1:8080/");
    assert_eq!(u.base(), "http://127.0.0.1:8080");
    assert_eq!(u.match_pattern(), "http://127.0.0.1/*");
    assert_eq!(parse("http://127.1.2.3").base(), "http://127.1.2.3");
    assert_eq!(
        parse("http://localhost:3000").origin(),
        "http://localhost:3000"
    );
    assert_eq!(parse("http://LocalHost").base(), "http://localhost");
    assert_eq!(parse("http://[::1]:9000/x/").base(), "http://[::1]:9000/x");
    assert_eq!(parse("http://[::1]:9000").match_pattern(), "http://[::1]/*");
    assert_eq!(parse("https://10.0.0.5").base(), "https://10.0.0.5");
    assert_eq!(
        parse("https://[2001:DB8::1]:8443").base(),
        "https://[2001:db8::1]:8443"
    );
    assert_eq!(
        parse("https://xn--snhasegura-x7a.example").host(),
        "xn--snhasegura-x7a.example"
    );
}

#[test]
fn server_url_rejections() {
    use ServerUrlError::*;
    let cases: &[(&str, ServerUrlError)] = &[
        ("", Empty),
        ("   ", Empty),
        ("pam.example.com", MissingScheme),
        ("://pam.example.com", MissingScheme),
        ("ftp://pam.example.com", UnsupportedScheme("ftp".into())),
        ("javascript://x", UnsupportedScheme("javascript".into())),
        ("http://pam.example.com", InsecureHttp),
        ("http://128.0.0.1", InsecureHttp),
        ("http://127.0.0.1.evil.com", InsecureHttp),
        ("http://localhost.evil.com", InsecureHttp),
        ("https://user:pw@pam.example.com", UserInfo),
        ("https://pam.example.com@evil.com", UserInfo),
        ("https://pam.example.com/?x=1", Query),
        ("https://pam.example.com/#top", Fragment),
        ("https://", EmptyHost),
        ("https:///path", EmptyHost),
        ("https://:8443", EmptyHost),
        ("https://pâm.example.com", NonAsciiHost),
        ("https://pam example.com", InvalidHost),
        ("https://pam.example.com:0", BadPort("0".into())),
        ("https://pam.example.com:65536", BadPort("65536".into())),
        ("https://pam.example.com:84a3", BadPort("84a3".into())),
        ("https://pam.example.com:-1", BadPort("-1".into())),
        ("https://999.1.1.1", InvalidHost),
        ("https://[::1", InvalidHost),
        ("https://[zz::1]", InvalidHost),
        ("https://pam.example.com/a b", InvalidPath),
        ("https://pam.example.com/../x", InvalidPath),
        ("https://pam.example.com/%2e", InvalidPath),
        ("https://pam.example.com\\evil", InvalidPath),
    ];
    for (s, want) in cases {
        assert_eq!(ServerUrl::parse(s).unwrap_err(), *want, "{s:?}");
    }
}

#[test]
fn errors_carry_catalogue_params() {
    use serde_json::json;
    let u = |e: ServerUrlError| {
        serde_json::Value::Object(session_drop::ConfigError::Server(e).params())
    };
    assert_eq!(
        u(ServerUrlError::Empty),
        json!({"field": "serverUrl", "reason": "empty"})
    );
    assert_eq!(u(ServerUrlError::InsecureHttp)["reason"], "insecure_http");
    assert_eq!(u(ServerUrlError::NonAsciiHost)["reason"], "non_ascii_host");
    assert_eq!(
        u(ServerUrlError::BadPort("x".into())),
        json!({"field": "serverUrl", "reason": "bad_port", "value": "x"})
    );
    let v = |e: &IdError| serde_json::Value::Object(e.params());
    // The position is 1-based, in characters.
    assert_eq!(
        v(&IdError::Forbidden { ch: '/', pos: 3 }),
        json!({"reason": "forbidden", "char": "/", "position": 4})
    );
    assert_eq!(
        v(&IdError::Forbidden { ch: '\n', pos: 0 }),
        json!({"reason": "forbidden", "char": "U+000A", "position": 1})
    );
    assert_eq!(
        v(&IdError::TooLong { max: 256 }),
        json!({"reason": "too_long", "max": 256})
    );
    assert_eq!(v(&IdError::NotARowId), json!({"reason": "not_a_row_id"}));
    assert_eq!(v(&IdError::DotSegment), json!({"reason": "dot_segment"}));
    assert_eq!(v(&IdError::Empty), json!({"reason": "empty"}));
    let p = session_drop::ConfigError::Server(ServerUrlError::Query).params();
    assert_eq!(
        serde_json::Value::Object(p),
        json!({"field": "serverUrl", "reason": "query"})
    );
}
