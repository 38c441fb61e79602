//! HTTP requests and responses as plain data, the kinds of call and their size caps, and the
//! transport's failures. No I/O here: the transport (native fake or the wasm binding) sends.

use serde::{Deserialize, Serialize};

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

/// Which kind of call a request is: decides how much of its answer may be read. Named by
/// [`Call::as_str`] (`params.call` of `too_large`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    Token,
    Drop,
    List,
    ListOne,
    /// The credential-less GET that finds where a redirect leads (its body is never read).
    Probe,
}

/// 64 KiB: a token or drop answer is a few hundred bytes.
pub const SMALL_CAP: u64 = 64 * 1024;
/// 1 MiB: one session.
pub const LIST_ONE_CAP: u64 = 1024 * 1024;
/// 64 MiB: the default for list-all (~150,000 sessions).
pub const LIST_CAP: u64 = 64 * 1024 * 1024;
/// 256 MiB: the most `listActive({maxBytes})` may ask for.
pub const LIST_CAP_MAX: u64 = 256 * 1024 * 1024;

impl Call {
    /// Default cap (bytes) for the answer of this kind of call.
    pub fn cap(self) -> u64 {
        match self {
            Call::Token | Call::Drop | Call::Probe => SMALL_CAP,
            Call::ListOne => LIST_ONE_CAP,
            Call::List => LIST_CAP,
        }
    }

    /// `"token" | "drop" | "list" | "list_one" | "probe"` (the only list of these strings).
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Token => "token",
            Call::Drop => "drop",
            Call::List => "list",
            Call::ListOne => "list_one",
            Call::Probe => "probe",
        }
    }
}

/// A request to send. Header names are as sent (e.g. "Authorization").
///
/// Transports must: never follow a redirect unless `follow_redirects` (only the credential-less
/// probe sets it), answering [`TransportError::Redirect`] instead; stop reading the body past
/// `max_body_bytes` and answer [`TransportError::TooLarge`] (checking `Content-Length` first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub call: Call,
    pub max_body_bytes: u64,
    pub follow_redirects: bool,
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

/// A response received. `content_type` is the raw header value, if any; `url` the final URL
/// when the transport knows it (the probe reads it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    pub url: Option<String>,
}

impl HttpResponse {
    pub fn new(status: u16, content_type: Option<&str>, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            content_type: content_type.map(str::to_owned),
            body: body.into(),
            url: None,
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
    /// A 3xx answer (not followed). `location` when the transport could read it.
    Redirect {
        location: Option<String>,
    },
    /// The answer was longer than the request's `max_body_bytes`; reading stopped.
    TooLarge {
        limit: u64,
    },
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Timeout => f.write_str("request timed out"),
            TransportError::Network(m) => write!(f, "network error: {m}"),
            TransportError::Redirect { location } => {
                write!(f, "redirect to {}", location.as_deref().unwrap_or("?"))
            }
            TransportError::TooLarge { limit } => write!(f, "answer larger than {limit} bytes"),
        }
    }
}

impl std::error::Error for TransportError {}

/// The origin (`scheme://host[:port]`) of an absolute http(s) URL, lower-cased; `None` for
/// anything else.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if hostport.is_empty()
        || !hostport
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-_:[]".contains(&b))
    {
        return None;
    }
    let hostport = hostport.to_ascii_lowercase();
    let default = if scheme == "https" { ":443" } else { ":80" };
    let hostport = hostport.strip_suffix(default).unwrap_or(&hostport);
    Some(format!("{scheme}://{hostport}"))
}
