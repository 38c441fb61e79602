//! OAuth 2.0 client-credentials token: credentials, answer interpretation and cache.

#[allow(unused_imports)]
use crate::prelude::*;

use crate::json::{self, BodyKind};
use crate::outcome::{classify, NextStep, Outcome, OutcomeKind};
use crate::request::HttpResponse;
use core::fmt;
use serde::{Deserialize, Serialize};

/// Refresh this long before expiry.
pub const SKEW_MS: f64 = 60_000.0;
/// Lifetime assumed when the appliance omits `expires_in`.
pub const DEFAULT_LIFETIME_S: f64 = 3600.0;

/// A2A client id and secret. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
}

impl Credentials {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Credentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// How the client authenticates at the token endpoint. serde: `"body"` | `"basic"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenAuthStyle {
    #[default]
    Body,
    Basic,
}

/// An access token and its absolute expiry (ms since the epoch, like `Date.now()`).
/// serde: `{ "accessToken": "…", "expiresAtMs": 1.7e12 }`. `Debug` hides the token.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Token {
    pub access_token: String,
    pub expires_at_ms: f64,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("access_token", &"<redacted>")
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

fn unexpected(status: u16, msg: Option<String>) -> Outcome {
    Outcome {
        kind: OutcomeKind::Unexpected,
        status: Some(status),
        server_message: msg,
        next: NextStep::Report,
    }
}

/// Interpret the token endpoint's answer.
///
/// Success: 2xx with `access_token` (non-empty string), `token_type` "bearer" in any case (or
/// absent), `expires_in` a number or a numeric string (absent → 3600 s).
/// Failures are classified like drop answers (`invalid_client` / "Client authentication
/// failed" → `AuthFailed`, HTML or non-JSON → `Gateway`, 504 → `Timeout`, a 2xx without a
/// usable token → `Unexpected`, …). Renewing cannot fix a refused client, so every token
/// failure carries `next = Report`.
pub fn interpret_token(resp: &HttpResponse, now_ms: f64) -> Result<Token, Outcome> {
    let body = json::classify(&resp.body, resp.content_type.as_deref());
    let is_success_status = (200..300).contains(&resp.status);
    if let (true, BodyKind::Object(scan)) = (is_success_status, &body) {
        let msg = scan.server_message();
        let top = scan;
        if let Some(tok) = top
            .access_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            if let Some(tt) = &top.token_type {
                if !tt.trim().eq_ignore_ascii_case("bearer") {
                    return Err(unexpected(resp.status, msg));
                }
            }
            let lifetime_s = match &top.expires_in {
                None => DEFAULT_LIFETIME_S,
                Some(v) => match v.as_f64() {
                    Some(n) if n.is_finite() && n > 0.0 => n,
                    _ => return Err(unexpected(resp.status, msg)),
                },
            };
            // Tokens are sent in a header: refuse anything that could break it.
            if tok.bytes().any(|b| b.is_ascii_control() || !b.is_ascii()) {
                return Err(unexpected(resp.status, msg));
            }
            return Ok(Token {
                access_token: tok.to_owned(),
                expires_at_ms: now_ms + lifetime_s * 1000.0,
            });
        }
    }
    let mut out = classify(resp.status, &body, false);
    if out.kind == OutcomeKind::Dropped {
        // A success envelope without a token.
        out.kind = OutcomeKind::Unexpected;
    }
    out.next = NextStep::Report;
    Err(out)
}

/// Cached token, refreshed `SKEW_MS` before expiry (never later than half its lifetime).
#[derive(Debug, Clone, Default)]
pub struct TokenCache {
    token: Option<Token>,
    refresh_at_ms: f64,
}

impl TokenCache {
    pub fn new() -> Self {
        TokenCache::default()
    }

    /// The token, unless it is within the skew of its expiry (or absent).
    pub fn get(&self, now_ms: f64) -> Option<&Token> {
        self.token.as_ref().filter(|_| now_ms < self.refresh_at_ms)
    }

    /// Store a token obtained (or restored) at `now_ms`.
    pub fn store(&mut self, token: Token, now_ms: f64) {
        let remaining = token.expires_at_ms - now_ms;
        let skew = if remaining.is_finite() && remaining > 0.0 {
            SKEW_MS.min(remaining / 2.0)
        } else {
            0.0
        };
        self.refresh_at_ms = token.expires_at_ms - skew;
        self.token = Some(token);
    }

    pub fn clear(&mut self) {
        self.token = None;
        self.refresh_at_ms = 0.0;
    }

    /// The stored token even if stale (for persisting state).
    pub fn peek(&self) -> Option<&Token> {
        self.token.as_ref()
    }
}
