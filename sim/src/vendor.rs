//! The appliance's bodies, in the vendor's key order.

use crate::model::{Release, SimSession};
use serde::Serialize;

/// `{"status":…,"message":…,"error":…,"error_code":…,"detail":…,"mensagem":…,"erro":…,"cod_erro":…}`
#[derive(Serialize)]
pub struct Inner<'a> {
    pub status: u16,
    pub message: &'a str,
    pub error: bool,
    pub error_code: u32,
    pub detail: &'a str,
    pub mensagem: &'a str,
    pub erro: bool,
    pub cod_erro: u32,
}

#[derive(Serialize)]
struct Envelope<'a> {
    code: u16,
    response: Inner<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant: Option<&'a str>,
}

pub const TENANT: &str = "Segura";

/// The older (3.32, release `iso`) success body, verbatim from the vendor page.
pub const DROP_OK_ISO: &str = r#"{"code":200,"response":{"status":200,"message":"Sessão interrompida com sucesso","error":false,"error_code":0,"detail":"","mensagem":"Sessão interrompida com sucesso","erro":false,"cod_erro":0}}"#;

/// The latest (release `api`) success body.
pub const DROP_OK_API: &str = r#"{"code":200,"response":{"status":200,"message":"Session dropped successfully","error":false,"error_code":0,"detail":"","mensagem":"Sessão encerrada com sucesso","erro":false,"cod_erro":0},"tenant":"Segura"}"#;

pub const NO_ROUTE: &str = r#"{"message":"no Route matched with those values"}"#;
pub const TIMED_OUT: &str = r#"{"message":"Request timed out"}"#;
pub const TOKEN_INVALID_CLIENT: &str =
    r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#;
/// 401 on a resource call with an unknown/expired token.
pub const RESOURCE_AUTH_FAILED: &str = r#"{"error":"invalid_client","error_description":"Client authentication failed","message":"Client authentication failed"}"#;
pub const TOKEN_UNSUPPORTED_GRANT: &str = r#"{"error":"unsupported_grant_type","error_description":"The authorization grant type is not supported by the authorization server.","hint":"Check that all required parameters have been provided"}"#;

pub const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

pub fn drop_ok(release: Release) -> &'static str {
    match release {
        Release::Api => DROP_OK_API,
        Release::Iso => DROP_OK_ISO,
    }
}

/// Error envelope `{"code":status,"response":{…error:true…}}`.
pub fn error_envelope(status: u16, message: &str, mensagem: &str, error_code: u32) -> String {
    serde_json::to_string(&Envelope {
        code: status,
        response: Inner {
            status,
            message,
            error: true,
            error_code,
            detail: "",
            mensagem,
            erro: true,
            cod_erro: error_code,
        },
        tenant: None,
    })
    .expect("serialisable")
}

pub fn resource_sub_not_found() -> String {
    error_envelope(
        404,
        "Resource sub not found",
        "Recurso sub não encontrado",
        4,
    )
}

pub fn unexpected_error() -> String {
    error_envelope(500, "Unexpected error.", "Erro inesperado.", 2)
}

pub fn not_authorized() -> String {
    error_envelope(
        500,
        "You are not authorized to access this resource",
        "Você não tem autorização para acessar este recurso",
        3,
    )
}

pub fn droping_error(dropping_spelling: bool) -> String {
    let msg = if dropping_spelling {
        "An error occurred while dropping session"
    } else {
        "An error occurred while droping session"
    };
    error_envelope(500, msg, "Ocorreu um erro ao encerrar a sessão", 1)
}

/// `end` of a session in the A2A lists: active sessions answer `null` when the row id is even,
/// `""` when odd (both forms exist in the wild).
fn list_end(s: &SimSession) -> Option<&str> {
    if s.is_active() {
        let odd =
            s.id.bytes()
                .last()
                .map(|b| b.is_ascii_digit() && (b - b'0') % 2 == 1)
                .unwrap_or(false);
        if odd {
            Some("")
        } else {
            None
        }
    } else {
        s.end.as_deref()
    }
}

/// One session object of the A2A lists, keys in the vendor's order (`serde_json::Value` would
/// sort them); the Portuguese variant differs in two keys and one value.
pub fn session_json(s: &SimSession, portuguese: bool) -> String {
    let (credential, device, prevent_purge) = if portuguese {
        ("credencial", "dispositivo", "Não")
    } else {
        ("credential", "device", "No")
    };
    let fields: [(&str, Option<&str>); 14] = [
        ("id", Some(&s.id)),
        ("user", Some(&s.user)),
        ("origin_ip", Some(&s.origin_ip)),
        (credential, Some(&s.credential)),
        (device, Some(&s.device)),
        ("protocol", Some(&s.protocol)),
        ("proxy", Some(&s.proxy)),
        ("session_id", Some(&s.session_id)),
        ("start", Some(&s.start)),
        ("end", list_end(s)),
        ("time", Some(&s.time)),
        ("prevent_purge", Some(prevent_purge)),
        ("request", None),
        ("ITSM", None),
    ];
    let mut out = String::from("{");
    for (n, (key, value)) in fields.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(key).expect("serialisable"));
        out.push(':');
        out.push_str(&serde_json::to_string(value).expect("serialisable"));
    }
    out.push('}');
    out
}

/// List-all (`key` = "remote_sessions") or list-one (`key` = "remote_session") body.
pub fn list_body(sessions: &[&SimSession], portuguese: bool, key: &str) -> String {
    let head = serde_json::to_string(&Envelope {
        code: 200,
        response: Inner {
            status: 200,
            message: "Remote sessions successfully listed",
            error: false,
            error_code: 0,
            detail: "",
            mensagem: "Sessões remotas listadas com sucesso",
            erro: false,
            cod_erro: 0,
        },
        tenant: Some(TENANT),
    })
    .expect("serialisable");
    let mut out = String::with_capacity(64 + sessions.len() * 420);
    out.push_str(&head[..head.len() - 1]);
    out.push_str(",\"");
    out.push_str(key);
    out.push_str("\":[");
    for (i, s) in sessions.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&session_json(s, portuguese));
    }
    out.push_str("]}");
    out
}

/// HTTP 400 list-one error (`1002: Session not found`, `1003: Unexpected identifier type`).
pub fn list_one_error(code: u32) -> String {
    let message = match code {
        1002 => "1002: Session not found",
        _ => "1003: Unexpected identifier type",
    };
    #[derive(Serialize)]
    struct Exception<'a> {
        code: u32,
        message: &'a str,
        detail: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        code: u16,
        response: Inner<'a>,
        exception: Exception<'a>,
    }
    serde_json::to_string(&Body {
        code: 400,
        response: Inner {
            status: 400,
            message,
            error: true,
            error_code: code,
            detail: "",
            mensagem: message,
            erro: true,
            cod_erro: code,
        },
        exception: Exception {
            code,
            message,
            detail: None,
        },
    })
    .expect("serialisable")
}
