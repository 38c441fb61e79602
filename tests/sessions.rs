//! Session list parsing (list-all streaming, list-one).
// Native only (proptest and the std-only helpers are not built for wasm32).
#![cfg(not(target_arch = "wasm32"))]

use session_drop::{
    generate_list_json, parse_list_all, parse_list_one, HttpResponse, OutcomeKind, RemoteSession,
};

/// List-all example from API.md §3, verbatim.
const DOC_LIST: &str = r#"{"code":200,"response":{"status":200,"message":"…","error":false,"error_code":0,"detail":"","mensagem":"…","erro":false,"cod_erro":0},
 "tenant":"Segura",
 "remote_sessions":[{"id":"3","user":"Admin","origin_ip":"172.16.20.125","credential":"usrdomadm01",
   "device":"10.66.33.15:3389","protocol":"rdp","proxy":"Web Proxy",
   "session_id":"e7acacb6aedbab70073456da5744166939b77527",
   "start":"2024-05-06 16:05:07","end":"2024-05-06 16:07:59","time":"00:02:52",
   "prevent_purge":"No","request":null,"ITSM":null}]}"#;

#[test]
fn doc_example_full_and_active_only() {
    let all = parse_list_all(DOC_LIST.as_bytes(), false).unwrap();
    assert_eq!(all.total, 1);
    assert_eq!(
        all.sessions,
        vec![RemoteSession {
            id: "3".into(),
            user: "Admin".into(),
            origin_ip: "172.16.20.125".into(),
            credential: "usrdomadm01".into(),
            device: "10.66.33.15:3389".into(),
            protocol: "rdp".into(),
            proxy: "Web Proxy".into(),
            session_id: "e7acacb6aedbab70073456da5744166939b77527".into(),
            start: "2024-05-06 16:05:07".into(),
            end: Some("2024-05-06 16:07:59".into()),
            time: "00:02:52".into(),
        }]
    );
    assert!(!all.sessions[0].is_active());
    let active = parse_list_all(DOC_LIST.as_bytes(), true).unwrap();
    assert_eq!(active.total, 1);
    assert!(active.sessions.is_empty());
}

const MIXED: &str = r#"{"code":200,"tenant":"Segura","remote_sessions":[
 {"id":"1","user":"ana","session_id":"aaa","start":"2024-05-06 10:00:00","end":"2024-05-06 10:05:00"},
 {"id":2,"user":"bia","session_id":"bbb","start":"2024-05-06 11:00:00","end":""},
 {"id":"3","user":"caio","session_id":"ccc","start":"2024-05-06 13:00:00","end":null},
 {"id":4,"user":"davi","session_id":"ddd","start":"2024-05-06 12:00:00"},
 {"id":"5","user":"eva","session_id":"eee","start":"2024-05-06 09:00:00","end":"0000-00-00 00:00:00"},
 {"id":"6","user":"fabio","session_id":"fff","start":"2024-05-06 14:00:00","end":"2024-05-06 14:00:01","extra":{"nested":[1,2,{"x":null}]}}
]}"#;

#[test]
fn active_filter_and_newest_first() {
    let l = parse_list_all(MIXED.as_bytes(), true).unwrap();
    assert_eq!(l.total, 6);
    let ids: Vec<&str> = l.sessions.iter().map(|s| s.id.as_str()).collect();
    // Active: 2 (""), 3 (null), 4 (missing), 5 (zero date); newest first by start.
    assert_eq!(ids, ["3", "4", "2", "5"]);
    assert!(l.sessions.iter().all(|s| s.end.is_none() && s.is_active()));
    // Numeric ids become strings.
    assert_eq!(l.sessions[1].id, "4");
    // Without the filter: everything, in order.
    let l = parse_list_all(MIXED.as_bytes(), false).unwrap();
    let ids: Vec<&str> = l.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(l.sessions[5].end.as_deref(), Some("2024-05-06 14:00:01"));
}

#[test]
fn portuguese_keys() {
    let body = r#"{"code":200,"response":{"status":200,"message":"Sessões remotas listadas com sucesso","error":false,"mensagem":"Sessões remotas listadas com sucesso","erro":false},
      "remote_sessions":[{"id":"9","usuario":"joão","origin_ip":"10.0.0.1","credencial":"root","dispositivo":"srv01:22","protocolo":"ssh","proxy":"SSH Proxy","session_id":"abc","inicio":"2020-01-01 00:00:00","fim":"","tempo":"00:01:00","prevent_purge":"Não"},
      {"id":"10","usu\u00e1rio":"maria","credencial":"adm","dispositivo":"srv02","session_id":"def","start":"2020-01-02 00:00:00","end":null}]}"#;
    let l = parse_list_all(body.as_bytes(), true).unwrap();
    assert_eq!(l.total, 2);
    assert_eq!(l.sessions.len(), 2);
    let s = &l.sessions[1];
    assert_eq!(
        (
            s.id.as_str(),
            s.user.as_str(),
            s.credential.as_str(),
            s.device.as_str(),
            s.protocol.as_str()
        ),
        ("9", "joão", "root", "srv01:22", "ssh")
    );
    assert_eq!(s.start, "2020-01-01 00:00:00");
    assert_eq!(s.time, "00:01:00");
    let s = &l.sessions[0];
    assert_eq!(
        (s.user.as_str(), s.credential.as_str(), s.device.as_str()),
        ("maria", "adm", "srv02")
    );
}

#[test]
fn escapes_and_odd_values() {
    let body = r#"{"remote_sessions":[{"id":"1","user":"a\"b\\c\u00e9","session_id":"x","start":"s","end":"","proxy":true,"time":12.5},
       null, 5, "str", [1,2], {"id":"2","session_id":"y","end":"2024"}]}"#;
    let l = parse_list_all(body.as_bytes(), false).unwrap();
    assert_eq!(l.total, 2, "only objects count");
    assert_eq!(l.sessions[0].user, "a\"b\\cé");
    assert_eq!(l.sessions[0].proxy, "true");
    assert_eq!(l.sessions[0].time, "12.5");
    // PHP object-of-sessions form.
    let body = r#"{"remote_sessions":{"0":{"id":"1","session_id":"x","end":""},"2":{"id":"3","session_id":"z","end":""}}}"#;
    let l = parse_list_all(body.as_bytes(), true).unwrap();
    assert_eq!(l.sessions.len(), 2);
    // Empty and null lists.
    assert_eq!(
        parse_list_all(br#"{"remote_sessions":[]}"#, true)
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        parse_list_all(br#"{"remote_sessions":null}"#, true)
            .unwrap()
            .total,
        0
    );
}

#[test]
fn list_all_failures_are_classified() {
    // Error envelope with no list.
    let e = parse_list_all(
        br#"{"code":500,"response":{"status":500,"message":"You are not authorized to access this resource","error":true,"error_code":3}}"#,
        true,
    )
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::NotAuthorized);
    // Success envelope but no list.
    let e = parse_list_all(
        br#"{"code":200,"response":{"status":200,"error":false}}"#,
        true,
    )
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::Unexpected);
    // HTML, empty, truncated.
    assert_eq!(
        parse_list_all(b"<html><title>Login</title></html>", true)
            .unwrap_err()
            .kind,
        OutcomeKind::Gateway
    );
    assert_eq!(
        parse_list_all(b"", true).unwrap_err().kind,
        OutcomeKind::Gateway
    );
    let big = generate_list_json(100, 10);
    let cut = &big.as_bytes()[..big.len() / 2];
    assert_eq!(
        parse_list_all(cut, true).unwrap_err().kind,
        OutcomeKind::Gateway
    );
    assert_eq!(
        parse_list_all(b"[]", true).unwrap_err().kind,
        OutcomeKind::Unexpected
    );
}

#[test]
fn list_one_ok() {
    let body = r#"{"code":200,"response":{"status":200,"message":"ok","error":false},"tenant":"Segura",
      "remote_session":[{"id":"42","user":"Admin","session_id":"3fcf1e4a16104e328d6794e1b9693cfc457871d2","start":"2024-05-06 16:05:07","end":"2024-05-06 16:07:59"}]}"#;
    let s = parse_list_one(&HttpResponse::json(200, body.as_bytes().to_vec())).unwrap();
    assert_eq!(s.id, "42");
    assert_eq!(s.session_id, "3fcf1e4a16104e328d6794e1b9693cfc457871d2");
    // Ended sessions are still returned by list-one.
    assert!(!s.is_active());
    // Empty array → not found.
    let e = parse_list_one(&HttpResponse::json(200, &br#"{"remote_session":[]}"#[..])).unwrap_err();
    assert_eq!(e.kind, OutcomeKind::SessionNotFound);
}

fn list_one_error(code: u32, msg: &str) -> String {
    format!(
        r#"{{"code":400,"response":{{"status":400,"message":"{msg}","error":true,"error_code":{code},"detail":"","mensagem":"{msg}","erro":true,"cod_erro":{code}}},"exception":{{"code":{code},"message":"{msg}","detail":null}}}}"#
    )
}

#[test]
fn list_one_400s() {
    let e = parse_list_one(&HttpResponse::json(
        400,
        list_one_error(1002, "1002: Session not found"),
    ))
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::SessionNotFound);
    assert_eq!(e.status, Some(400));
    assert_eq!(e.server_message.as_deref(), Some("1002: Session not found"));
    let e = parse_list_one(&HttpResponse::json(
        400,
        list_one_error(1003, "1003: Unexpected identifier type"),
    ))
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::InvalidSessionRef);
    // Only the exception object.
    let e = parse_list_one(&HttpResponse::json(
        400,
        &br#"{"exception":{"code":1002,"message":"1002: Session not found","detail":null}}"#[..],
    ))
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::SessionNotFound);
    // Wrong path → try the next one.
    let e = parse_list_one(&HttpResponse::json(
        404,
        &br#"{"message":"no Route matched with those values"}"#[..],
    ))
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::RouteNotMatched);
    let e = parse_list_one(&HttpResponse::json(
        401,
        &br#"{"error":"invalid_client","error_description":"Client authentication failed"}"#[..],
    ))
    .unwrap_err();
    assert_eq!(e.kind, OutcomeKind::AuthFailed);
}

#[test]
fn generated_list_is_deterministic_and_parses() {
    let a = generate_list_json(1000, 10);
    assert_eq!(a, generate_list_json(1000, 10));
    let l = parse_list_all(a.as_bytes(), true).unwrap();
    assert_eq!(l.total, 1000);
    assert_eq!(l.sessions.len(), 100);
    // Newest first: row ids descending (start grows with the row id).
    assert_eq!(l.sessions[0].id, "991");
    assert_eq!(l.sessions[99].id, "1");
    assert!(l.sessions.windows(2).all(|w| w[0].start >= w[1].start));
    for s in &l.sessions {
        assert_eq!(s.session_id.len(), 40);
        assert!(session_drop::SessionRef::hash(&s.session_id).is_ok());
        assert_eq!(s.start.len(), 19);
    }
    let all = parse_list_all(a.as_bytes(), false).unwrap();
    assert_eq!(all.sessions.len(), 1000);
    assert_eq!(all.sessions[1].end.as_ref().map(String::len), Some(19));
    assert_eq!(
        parse_list_all(generate_list_json(50, 0).as_bytes(), true)
            .unwrap()
            .sessions
            .len(),
        0
    );
    assert_eq!(
        parse_list_all(generate_list_json(0, 10).as_bytes(), true)
            .unwrap()
            .total,
        0
    );
}

#[test]
fn session_view_is_camel_case() {
    let l = parse_list_all(MIXED.as_bytes(), true).unwrap();
    let v = serde_json::to_value(l.to_view(Some(2))).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["total"], 6);
    assert_eq!(v["activeCount"], 4);
    assert_eq!(v["sessions"].as_array().unwrap().len(), 2);
    let s = &v["sessions"][0];
    for key in [
        "id",
        "user",
        "originIp",
        "credential",
        "device",
        "protocol",
        "proxy",
        "sessionId",
        "start",
        "end",
        "time",
    ] {
        assert!(s.get(key).is_some(), "missing {key}: {s}");
    }
    assert!(s["end"].is_null());
}

#[test]
fn sort_is_stable_and_complete() {
    // Shuffled starts with ties; ties keep the appliance's order.
    let starts = [
        "2024-01-03",
        "2024-01-01",
        "2024-01-03",
        "2024-01-02",
        "2024-01-05",
        "2024-01-01",
        "2024-01-04",
    ];
    let items: Vec<String> = starts
        .iter()
        .enumerate()
        .map(|(i, s)| format!(r#"{{"id":"{i}","session_id":"h{i}","start":"{s}","end":""}}"#))
        .collect();
    let body = format!(r#"{{"remote_sessions":[{}]}}"#, items.join(","));
    let l = parse_list_all(body.as_bytes(), true).unwrap();
    let ids: Vec<&str> = l.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["4", "6", "0", "2", "3", "1", "5"]);
    // Larger reversed input.
    let body = generate_list_json(3000, 1);
    let mut l = parse_list_all(body.as_bytes(), true).unwrap();
    assert_eq!(l.sessions.len(), 3000);
    assert!(l.sessions.windows(2).all(|w| w[0].start > w[1].start));
    l.sessions.dedup_by(|a, b| a.id == b.id);
    assert_eq!(l.sessions.len(), 3000);
}
