//! HTTP requests and responses as plain data, and the three request builders.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::generation::Generation;
use crate::id::SessionId;
use crate::server::ServerUrl;
use crate::token::{Credentials, TokenAuthStyle};
use serde::{Deserialize, Serialize};

/// Token endpoint path (same for every generation).
pub const TOKEN_PATH: &str = "/iso/oauth2/token";

/// HTTP method. serde: `"GET"` | `"POST"` | `"DELETE"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// A request to send. Header names are as sent (e.g. "Authorization").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl HttpRequest {
    /// First header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether an `Authorization: Bearer …` header is present.
    pub fn has_bearer(&self) -> bool {
        self.header("authorization")
            .and_then(|v| {
                v.get(..7)
                    .filter(|p| p.eq_ignore_ascii_case("bearer "))
                    .map(|_| v.len() > 7)
            })
            .unwrap_or(false)
    }
}

/// A response received. `content_type` is the raw header value, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn new(status: u16, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            content_type: content_type.map(str::to_owned),
            body: body.into(),
        }
    }

    /// A JSON response (`application/json`).
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse::new(status, Some("application/json"), body)
    }
}

/// Failure below HTTP. `Network` covers DNS, refused, TLS, CORS: the browser cannot tell which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    Timeout,
    Network(String),
}

impl core::fmt::Display for TransportError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TransportError::Timeout => f.write_str("request timed out"),
            TransportError::Network(m) => write!(f, "network error: {m}"),
        }
    }
}

impl core::error::Error for TransportError {}

/// `application/x-www-form-urlencoded` encoding of one value (space → '+').
pub fn form_encode(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len() + 8);
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 15) as usize] as char);
            }
        }
    }
    out
}

/// Standard base64 with padding.
pub fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

fn h(k: &str, v: &str) -> (String, String) {
    (k.to_owned(), v.to_owned())
}

fn bearer(token: &str) -> (String, String) {
    (
        "Authorization".to_owned(),
        crate::text::cat(&["Bearer ", token]),
    )
}

/// `POST {base}/iso/oauth2/token` (client credentials grant).
///
/// * `Body`: `grant_type=client_credentials&client_id=…&client_secret=…`
/// * `Basic`: `Authorization: Basic base64(id:secret)` and `grant_type=client_credentials`
pub fn token_request(
    server: &ServerUrl,
    creds: &Credentials,
    style: TokenAuthStyle,
) -> HttpRequest {
    let mut headers = vec![
        h("Content-Type", "application/x-www-form-urlencoded"),
        h("Accept", "application/json"),
    ];
    let body = match style {
        TokenAuthStyle::Body => crate::text::cat(&[
            "grant_type=client_credentials&client_id=",
            &form_encode(&creds.client_id),
            "&client_secret=",
            &form_encode(&creds.client_secret),
        ]),
        TokenAuthStyle::Basic => {
            let raw = crate::text::cat(&[&*creds.client_id, ":", &creds.client_secret]);
            headers.push((
                "Authorization".to_owned(),
                crate::text::cat(&["Basic ", &base64(raw.as_bytes())]),
            ));
            "grant_type=client_credentials".to_owned()
        }
    };
    HttpRequest {
        method: Method::Post,
        url: server.url(TOKEN_PATH),
        headers,
        body: Some(body),
    }
}

/// `DELETE {base}{generation drop path}{encoded id}` with the bearer token, no body.
pub fn drop_request(
    server: &ServerUrl,
    gen: Generation,
    id: &SessionId,
    token: &str,
) -> HttpRequest {
    HttpRequest {
        method: Method::Delete,
        url: server.url(&gen.drop_path(id)),
        headers: vec![h("Accept", "application/json"), bearer(token)],
        body: None,
    }
}

/// `GET {base}{path}` with the bearer token.
pub fn list_request(server: &ServerUrl, path: &str, token: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Get,
        url: server.url(path),
        headers: vec![h("Accept", "application/json"), bearer(token)],
        body: None,
    }
}

/// POSIX shell single-quoting: safe for any string.
pub fn shell_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

const REDACTED: &str = "<redacted>";

fn redact_header(name: &str, value: &str) -> String {
    if name.eq_ignore_ascii_case("authorization") {
        if let Some((scheme, _)) = value.split_once(' ') {
            return crate::text::cat(&[scheme, " ", REDACTED]);
        }
        return REDACTED.to_owned();
    }
    value.to_owned()
}

fn redact_body(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for (i, pair) in body.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((k, _)) if matches!(k, "client_secret" | "access_token" | "password") => {
                out.push_str(k);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// A curl command reproducing `req`. With `redact`, bearer/basic credentials and
/// `client_secret` are replaced by `<redacted>`. Every argument is shell-quoted.
pub fn to_curl(req: &HttpRequest, redact: bool) -> String {
    let mut out = String::from("curl -sS");
    if req.method != Method::Get {
        out.push_str(" -X ");
        out.push_str(req.method.as_str());
    }
    for (k, v) in &req.headers {
        let v = if redact {
            redact_header(k, v)
        } else {
            v.clone()
        };
        out.push_str(" -H ");
        out.push_str(&shell_quote(&crate::text::cat(&[k, ": ", &v])));
    }
    if req.url.contains(['[', ']', '{', '}']) {
        out.push_str(" -g");
    }
    if let Some(body) = &req.body {
        let b = if redact {
            redact_body(body)
        } else {
            body.clone()
        };
        out.push_str(" --data-raw ");
        out.push_str(&shell_quote(&b));
    }
    out.push(' ');
    out.push_str(&shell_quote(&req.url));
    out
}
