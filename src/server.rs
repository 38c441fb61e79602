//! The appliance's base URL, parsed and normalised by hand (no `url` crate: wasm size).

use std::fmt;

/// A normalised appliance base URL: `scheme://host[:port][/prefix]`, no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerUrl {
    /// "https" or "http" (http only for loopback hosts).
    scheme: &'static str,
    /// Lower-case host; IPv6 literals keep their brackets (`[::1]`).
    host: String,
    /// Explicit non-default port.
    port: Option<u16>,
    /// "" or "/prefix" (no trailing slash).
    prefix: String,
}

/// Why a server URL was refused; see [`ServerUrlError::reason`] and [`ServerUrlError::value`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerUrlError {
    Empty,
    MissingScheme,
    UnsupportedScheme(String),
    /// `http://` to a host that is not loopback.
    InsecureHttp,
    UserInfo,
    Query,
    Fragment,
    EmptyHost,
    NonAsciiHost,
    InvalidHost,
    BadPort(String),
    InvalidPath,
}

impl fmt::Display for ServerUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid server URL: {}", self.reason())
    }
}

impl ServerUrlError {
    /// The reason name (snake_case, the only list of these strings).
    pub fn reason(&self) -> &'static str {
        use ServerUrlError::*;
        match self {
            Empty => "empty",
            MissingScheme => "missing_scheme",
            UnsupportedScheme(_) => "unsupported_scheme",
            InsecureHttp => "insecure_http",
            UserInfo => "user_info",
            Query => "query",
            Fragment => "fragment",
            EmptyHost => "empty_host",
            NonAsciiHost => "non_ascii_host",
            InvalidHost => "invalid_host",
            BadPort(_) => "bad_port",
            InvalidPath => "invalid_path",
        }
    }

    /// The refused part, when there is one (the scheme, or the port).
    pub fn value(&self) -> Option<&str> {
        match self {
            ServerUrlError::UnsupportedScheme(s) | ServerUrlError::BadPort(s) => Some(s),
            _ => None,
        }
    }
}

impl std::error::Error for ServerUrlError {}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_ipv4(host: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut n = 0;
    for part in host.split('.') {
        if n == 4 || part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        out[n] = u8::try_from(digits(part)?).ok()?;
        n += 1;
    }
    (n == 4).then_some(out)
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host.ends_with(".localhost") {
        return true;
    }
    if let Some(ip) = is_ipv4(host) {
        return ip[0] == 127;
    }
    matches!(host, "[::1]" | "[0:0:0:0:0:0:0:1]")
}

impl ServerUrl {
    /// Parse and normalise. Leading/trailing whitespace is trimmed; scheme and host lowered;
    /// the default port (443/80) dropped; trailing slashes stripped from the path prefix.
    pub fn parse(s: &str) -> Result<ServerUrl, ServerUrlError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ServerUrlError::Empty);
        }
        // (No `&s[a..b]` indexing in this module: its panic path weighs ~3 KB of wasm.)
        let (scheme_raw, rest) = s.split_once("://").ok_or(ServerUrlError::MissingScheme)?;
        let scheme_lc = scheme_raw.to_ascii_lowercase();
        let scheme: &'static str = match scheme_lc.as_str() {
            "https" => "https",
            "http" => "http",
            "" => return Err(ServerUrlError::MissingScheme),
            _ => {
                let shown: String = scheme_raw.chars().take(20).collect();
                return Err(ServerUrlError::UnsupportedScheme(shown));
            }
        };
        if rest.contains('#') {
            return Err(ServerUrlError::Fragment);
        }
        if rest.contains('?') {
            return Err(ServerUrlError::Query);
        }
        let (authority, path) = match rest.find(['/', '\\']) {
            Some(i) => rest.split_at_checked(i).unwrap_or((rest, "")),
            None => (rest, ""),
        };
        if authority.contains('@') {
            return Err(ServerUrlError::UserInfo);
        }
        // host and port
        let (host_raw, port_raw): (String, Option<&str>) =
            if let Some(inner) = authority.strip_prefix('[') {
                let (inside, after) = inner.split_once(']').ok_or(ServerUrlError::InvalidHost)?;
                let host = format!("[{inside}]");
                if after.is_empty() {
                    (host, None)
                } else if let Some(p) = after.strip_prefix(':') {
                    (host, Some(p))
                } else {
                    return Err(ServerUrlError::InvalidHost);
                }
            } else {
                match authority.split_once(':') {
                    Some((h, p)) => (h.to_owned(), Some(p)),
                    None => (authority.to_owned(), None),
                }
            };
        if host_raw.is_empty() {
            return Err(ServerUrlError::EmptyHost);
        }
        if !host_raw.is_ascii() {
            return Err(ServerUrlError::NonAsciiHost);
        }
        let host = host_raw.to_ascii_lowercase();
        if let Some(inner) = host.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(ServerUrlError::InvalidHost)?;
            if inner.is_empty()
                || !inner.contains(':')
                || !inner
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            {
                return Err(ServerUrlError::InvalidHost);
            }
        } else {
            if !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
                || host.starts_with('.')
                || host.contains("..")
            {
                return Err(ServerUrlError::InvalidHost);
            }
            // All-numeric dotted hosts must be a proper IPv4 address.
            if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') && is_ipv4(&host).is_none() {
                return Err(ServerUrlError::InvalidHost);
            }
        }
        let port = match port_raw {
            None | Some("") => None,
            Some(p) => {
                let shown: String = p.chars().take(12).collect();
                if p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ServerUrlError::BadPort(shown));
                }
                match digits(p) {
                    Some(n) if (1..=65535).contains(&n) => Some(n as u16),
                    _ => return Err(ServerUrlError::BadPort(shown)),
                }
            }
        };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = port.filter(|p| *p != default_port);
        if scheme == "http" && !is_loopback(&host) {
            return Err(ServerUrlError::InsecureHttp);
        }
        // path prefix
        if path.contains('\\')
            || !path.is_ascii()
            || path.bytes().any(|b| b.is_ascii_control() || b == b' ')
        {
            return Err(ServerUrlError::InvalidPath);
        }
        let trimmed = path.trim_end_matches('/');
        if trimmed
            .split('/')
            .any(|seg| seg == ".." || seg == "." || seg.contains('%'))
        {
            return Err(ServerUrlError::InvalidPath);
        }
        if trimmed.contains("//") {
            return Err(ServerUrlError::InvalidPath);
        }
        Ok(ServerUrl {
            scheme,
            host,
            port,
            prefix: trimmed.to_owned(),
        })
    }

    pub fn scheme(&self) -> &str {
        self.scheme
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    /// Explicit, non-default port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// "" or "/prefix".
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// "https://pam.example.com:8443/prefix" (no trailing slash).
    pub fn base(&self) -> String {
        let mut s = self.origin();
        s.push_str(&self.prefix);
        s
    }

    /// "https://pam.example.com:8443".
    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// Port-less host permission / content-script pattern, e.g. "https://pam.example.com/*".
    pub fn match_pattern(&self) -> String {
        format!("{}://{}/*", self.scheme, self.host)
    }

    /// base + path; `path` should start with '/' (one is inserted otherwise).
    pub fn url(&self, path: &str) -> String {
        let mut s = self.base();
        if !path.starts_with('/') {
            s.push('/');
        }
        s.push_str(path);
        s
    }
}

impl fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base())
    }
}

impl std::str::FromStr for ServerUrl {
    type Err = ServerUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ServerUrl::parse(s)
    }
}
