//! A tiny blocking HTTP/1.1 client (plain `http://` only) for tests and tooling.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A complete answer.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Send one request (`Connection: close`), 30 s read timeout.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> io::Result<Response> {
    request_timeout(method, url, headers, body, Duration::from_secs(30))
}

/// Send one request with a read timeout.
pub fn request_timeout(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    timeout: Duration,
) -> io::Result<Response> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "only http:// URLs"))?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(hostport)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {hostport}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or(&[]);
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_response(&raw, method == "HEAD")
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.to_string())
}

fn parse_response(raw: &[u8], head_only: bool) -> io::Result<Response> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[split + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let body = if head_only {
        Vec::new()
    } else if chunked {
        dechunk(rest)?
    } else if let Some(len) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        rest[..len.min(rest.len())].to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| bad("bad chunk"))?;
        let size_str = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_str.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad("bad chunk size"))?;
        data = &data[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size {
            return Err(bad("truncated chunk"));
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

pub fn get(url: &str) -> io::Result<Response> {
    request("GET", url, &[], None)
}

/// `GET` with `Authorization: Bearer …`.
pub fn get_bearer(url: &str, token: &str) -> io::Result<Response> {
    let auth = format!("Bearer {token}");
    request("GET", url, &[("Authorization", &auth)], None)
}

/// `DELETE` with `Authorization: Bearer …`.
pub fn delete_bearer(url: &str, token: &str) -> io::Result<Response> {
    let auth = format!("Bearer {token}");
    request("DELETE", url, &[("Authorization", &auth)], None)
}

/// `POST` a JSON body.
pub fn post_json(url: &str, json: &str) -> io::Result<Response> {
    request(
        "POST",
        url,
        &[("Content-Type", "application/json")],
        Some(json.as_bytes()),
    )
}

/// `POST` a form body.
pub fn post_form(url: &str, form: &str) -> io::Result<Response> {
    request(
        "POST",
        url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(form.as_bytes()),
    )
}

/// Fetch a token from `{base}/iso/oauth2/token` with the form style; returns the access token.
pub fn fetch_token(base: &str, client_id: &str, client_secret: &str) -> io::Result<String> {
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        crate::util::percent_encode(client_id),
        crate::util::percent_encode(client_secret)
    );
    let r = post_form(&format!("{base}/iso/oauth2/token"), &form)?;
    r.json()["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| bad(&format!("token request failed: {} {}", r.status, r.text())))
}
