//! Operator messages: every kind, both languages.
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{describe, Lang, NextStep, Outcome, OutcomeKind};

fn o(kind: OutcomeKind, status: Option<u16>, msg: Option<&str>) -> Outcome {
    Outcome::new(kind, status, msg.map(str::to_owned), NextStep::Report)
}

#[test]
fn lang_parsing() {
    assert_eq!(Lang::parse("en"), Lang::En);
    assert_eq!(Lang::parse("pt-BR"), Lang::PtBr);
    assert_eq!(Lang::parse("pt_BR"), Lang::PtBr);
    assert_eq!(Lang::parse("pt"), Lang::PtBr);
    assert_eq!(Lang::parse("PT-br"), Lang::PtBr);
    assert_eq!(Lang::parse("fr"), Lang::En);
    assert_eq!(Lang::parse(""), Lang::En);
    assert_eq!(Lang::parse("ptx"), Lang::En);
    assert_eq!(Lang::default(), Lang::En);
    assert_eq!(serde_json::to_string(&Lang::PtBr).unwrap(), "\"pt-BR\"");
}

#[test]
fn every_kind_has_distinct_complete_texts_in_both_languages() {
    let mut titles_en = std::collections::HashSet::new();
    let mut titles_pt = std::collections::HashSet::new();
    for k in OutcomeKind::ALL {
        let en = describe(&o(k, None, None), Lang::En);
        let pt = describe(&o(k, None, None), Lang::PtBr);
        for m in [&en, &pt] {
            assert!(
                m.title.len() > 3 && m.cause.len() > 15 && m.fix.len() > 5,
                "{k:?}: {m:?}"
            );
            assert!(
                m.cause.ends_with('.') && m.fix.ends_with('.'),
                "{k:?}: {m:?}"
            );
        }
        assert_ne!(en.cause, pt.cause, "{k:?} not translated");
        assert_ne!(en.fix, pt.fix, "{k:?} not translated");
        assert!(titles_en.insert(en.title), "{k:?} title reused");
        assert!(titles_pt.insert(pt.title), "{k:?} título repetido");
    }
}

#[test]
fn key_advice() {
    let m = describe(&o(OutcomeKind::NotAuthorized, Some(500), None), Lang::En);
    assert!(
        m.fix.contains(
            "Ask the administrator to grant this application PAM Core read and write in A2A"
        ),
        "{m:?}"
    );
    let m = describe(&o(OutcomeKind::NotAuthorized, Some(500), None), Lang::PtBr);
    assert!(m.fix.contains("leitura e escrita no PAM Core"), "{m:?}");

    let m = describe(&o(OutcomeKind::Network, None, None), Lang::En);
    assert!(m.cause.contains("TLS certificate"));
    assert!(m.fix.contains("Open the server URL in a browser tab once"));
    assert!(m.cause.contains("HTTP referrers") && m.cause.contains("Origin"));
    let m = describe(&o(OutcomeKind::Network, None, None), Lang::PtBr);
    assert!(m.cause.contains("certificado TLS") && m.fix.contains("aba"));

    let m = describe(&o(OutcomeKind::AlreadyEnded, Some(500), None), Lang::En);
    assert!(m.cause.contains("already ended") && m.fix.contains("Check the session ID"));
    let m = describe(&o(OutcomeKind::AlreadyEnded, Some(500), None), Lang::PtBr);
    assert!(m.cause.contains("já terminou"));

    let m = describe(&o(OutcomeKind::AuthFailed, Some(401), None), Lang::En);
    assert!(m.fix.contains("client ID") && m.fix.contains("client secret"));
    let m = describe(&o(OutcomeKind::ResourceNotFound, Some(404), None), Lang::En);
    assert!(m.fix.contains("auto"));
    let m = describe(&o(OutcomeKind::Timeout, None, None), Lang::En);
    assert!(m.cause.contains("may or may not"));
}

#[test]
fn appliance_message_leads_the_cause() {
    let m = describe(
        &o(
            OutcomeKind::NotAuthorized,
            Some(500),
            Some("You are not authorized to access this resource"),
        ),
        Lang::En,
    );
    assert!(
        m.cause
            .starts_with("The appliance said: “You are not authorized to access this resource”. "),
        "{}",
        m.cause
    );
    let m = describe(
        &o(
            OutcomeKind::Dropped,
            Some(200),
            Some("Sessão interrompida com sucesso"),
        ),
        Lang::PtBr,
    );
    assert!(
        m.cause
            .starts_with("O senhasegura respondeu: “Sessão interrompida com sucesso”. "),
        "{}",
        m.cause
    );
    // Not sensible (a bare number): left out.
    let m = describe(&o(OutcomeKind::Unexpected, Some(500), Some("42")), Lang::En);
    assert!(!m.cause.contains("42”"), "{}", m.cause);
    // Status shown where it helps.
    assert!(m.cause.contains("HTTP 500"));
    let m = describe(
        &o(OutcomeKind::Gateway, Some(502), Some("502 Bad Gateway")),
        Lang::En,
    );
    assert!(m.cause.contains("502 Bad Gateway") && m.cause.contains("(HTTP 502)"));
}
