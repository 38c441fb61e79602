//! The request builders (token, drop, lists, redirect probe) and their curl rendering.

use crate::credentials::{Credentials, TokenAuthStyle};
use crate::generation::Generation;
use crate::http::{Call, HttpRequest, Method};
use crate::id::SessionId;
use crate::server::ServerUrl;

/// Token endpoint path (same for every generation).
pub const TOKEN_PATH: &str = "/iso/oauth2/token";

fn request(method: Method, url: String, headers: Vec<(String, String)>, call: Call) -> HttpRequest {
    HttpRequest {
        method,
        url,
        headers,
        body: None,
        call,
        max_body_bytes: call.cap(),
        follow_redirects: false,
    }
}

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
    ("Authorization".to_owned(), format!("Bearer {token}"))
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
        TokenAuthStyle::Body => format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            form_encode(&creds.client_id),
            form_encode(&creds.client_secret),
        ),
        TokenAuthStyle::Basic => {
            let raw = format!("{}:{}", creds.client_id, creds.client_secret);
            headers.push((
                "Authorization".to_owned(),
                format!("Basic {}", base64(raw.as_bytes())),
            ));
            "grant_type=client_credentials".to_owned()
        }
    };
    let mut req = request(Method::Post, server.url(TOKEN_PATH), headers, Call::Token);
    req.body = Some(body);
    req
}

/// `DELETE {base}{generation drop path}{encoded id}` with the bearer token, no body.
pub fn drop_request(
    server: &ServerUrl,
    gen: Generation,
    id: &SessionId,
    token: &str,
) -> HttpRequest {
    request(
        Method::Delete,
        server.url(&gen.drop_path(id)),
        vec![h("Accept", "application/json"), bearer(token)],
        Call::Drop,
    )
}

/// `GET {base}{path}` with the bearer token (list-all: [`Call::List`]; a list-one path:
/// pass [`Call::ListOne`]).
pub fn list_request(server: &ServerUrl, path: &str, token: &str) -> HttpRequest {
    list_call(server, path, token, Call::List)
}

/// [`list_request`] for a given kind of list call.
pub fn list_call(server: &ServerUrl, path: &str, token: &str, call: Call) -> HttpRequest {
    request(
        Method::Get,
        server.url(path),
        vec![h("Accept", "application/json"), bearer(token)],
        call,
    )
}

/// The credential-less `GET url` that follows redirects, to learn where a redirect of an
/// appliance call leads (the final URL; its body is not read).
pub fn probe_request(url: &str) -> HttpRequest {
    let mut req = request(Method::Get, url.to_owned(), Vec::new(), Call::Probe);
    req.follow_redirects = true;
    req.max_body_bytes = 0;
    req
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
            return format!("{scheme} {REDACTED}");
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
        out.push_str(&shell_quote(&format!("{k}: {v}")));
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
