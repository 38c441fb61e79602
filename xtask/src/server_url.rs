//! Validation of `--server URL` for `cargo xtask dist`, with the same rules as the core's
//! `ServerUrl::parse` (docs/DESIGN.md §1): https required except on loopback, no user-info,
//! query or fragment, ASCII host, optional port and path prefix; the host permission is the
//! port-less match pattern (Firefox ignores patterns that name a port).

use anyhow::{bail, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    /// "" or "/prefix" (no trailing slash).
    pub prefix: String,
}

impl ServerUrl {
    pub fn parse(input: &str) -> Result<ServerUrl> {
        let s = input.trim();
        if s.is_empty() {
            bail!("the server URL is empty");
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            bail!("the server URL {s:?} contains whitespace or control characters");
        }
        if s.contains('?') || s.contains('#') {
            bail!("the server URL {s:?} must not have a query (?) or fragment (#)");
        }
        let Some((scheme, rest)) = s.split_once("://") else {
            bail!(
                "the server URL {s:?} must start with https:// (or http:// for a loopback address)"
            );
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            bail!("the server URL must use https:// (got {scheme}://)");
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.contains('@') {
            bail!("the server URL must not contain a user name or password (user@host)");
        }
        if authority.contains('\\') || path.contains('\\') {
            bail!("the server URL must not contain a backslash");
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let Some(end) = v6.find(']') else {
                bail!("unterminated IPv6 address in {s:?}");
            };
            let host = &v6[..end];
            if host.is_empty()
                || !host
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
            {
                bail!("invalid IPv6 address [{host}]");
            }
            let after = &v6[end + 1..];
            let port = match after {
                "" => None,
                p => match p.strip_prefix(':') {
                    Some(p) => Some(p),
                    None => bail!("unexpected text after the IPv6 address: {after:?}"),
                },
            };
            (format!("[{}]", host.to_ascii_lowercase()), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_ascii_lowercase(), Some(p)),
                None => (authority.to_ascii_lowercase(), None),
            }
        };
        if host.is_empty() {
            bail!("the server URL {s:?} has no host");
        }
        if !host.is_ascii() {
            bail!("the host {host:?} is not ASCII: write it in punycode (xn--…)");
        }
        if !host.starts_with('[')
            && !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        {
            bail!("invalid host {host:?}");
        }
        let port = match port {
            None => None,
            Some(p) => {
                let n: u16 = p
                    .parse()
                    .ok()
                    .filter(|n| *n > 0 && p.chars().all(|c| c.is_ascii_digit()))
                    .ok_or_else(|| anyhow::anyhow!("invalid port {p:?}"))?;
                Some(n)
            }
        };
        let prefix = path.trim_end_matches('/').to_string();
        if prefix.split('/').any(|seg| seg == ".." || seg == ".") || prefix.contains("//") {
            bail!("invalid path prefix {prefix:?}");
        }
        if prefix.contains('%') || !prefix.is_ascii() {
            bail!("the path prefix {prefix:?} must be plain ASCII without percent-encoding");
        }
        let url = ServerUrl {
            scheme,
            host,
            port,
            prefix,
        };
        if url.scheme == "http" && !url.is_loopback() {
            bail!(
                "http:// is only allowed for loopback addresses; use https://{}",
                url.host
            );
        }
        Ok(url)
    }

    pub fn is_loopback(&self) -> bool {
        let h = self.host.as_str();
        if h == "localhost" || h == "[::1]" {
            return true;
        }
        let parts: Vec<&str> = h.split('.').collect();
        parts.len() == 4
            && parts[0] == "127"
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.parse::<u8>().is_ok())
    }

    pub fn origin(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }

    /// "https://pam.example.com:8443/prefix", no trailing slash.
    pub fn base(&self) -> String {
        format!("{}{}", self.origin(), self.prefix)
    }

    /// Port-less match pattern for host permissions and content scripts.
    pub fn match_pattern(&self) -> String {
        format!("{}://{}/*", self.scheme, self.host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        let u = ServerUrl::parse(" HTTPS://PAM.Example.com:8443/prefix/ ").unwrap();
        assert_eq!(u.base(), "https://pam.example.com:8443/prefix");
        assert_eq!(u.origin(), "https://pam.example.com:8443");
        assert_eq!(u.match_pattern(), "https://pam.example.com/*");
        let u = ServerUrl::parse("http://127.0.0.1:9").unwrap();
        assert_eq!(u.base(), "http://127.0.0.1:9");
        assert_eq!(u.match_pattern(), "http://127.0.0.1/*");
        assert!(ServerUrl::parse("http://localhost:8080/").is_ok());
        assert!(ServerUrl::parse("http://[::1]:8080").is_ok());
        assert!(ServerUrl::parse("https://pam.example.com").is_ok());
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "pam.example.com",
            "ftp://pam.example.com",
            "http://pam.example.com",
            "http://10.0.0.1",
            "https://user:pw@pam.example.com",
            "https://pam.example.com/?a=1",
            "https://pam.example.com/#x",
            "https://pam.example.com:0",
            "https://pam.example.com:99999",
            "https://pam.example.com:80a",
            "https://",
            "https://pâm.example.com",
            "https://pam.example.com/a/../b",
            "https://pam example.com",
        ] {
            assert!(ServerUrl::parse(bad).is_err(), "accepted {bad:?}");
        }
    }
}
