//! OAuth 2.0 client-credentials token: answer interpretation and cache.
//!
//! A token-endpoint body is never quoted: a 2xx answer carries no `server_message` at all,
//! and an error answer only its parsed `error_description` / `message` string field.

use crate::answer::{self, BodyKind};
use crate::http::HttpResponse;
use crate::outcome::{classify, NextStep, Outcome, OutcomeKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Refresh this long before expiry.
pub const SKEW_MS: f64 = 60_000.0;
/// Lifetime assumed when the appliance omits `expires_in`.
pub const DEFAULT_LIFETIME_S: f64 = 3600.0;
/// Shortest lifetime believed (also for an `expires_in` that is not a number).
pub const MIN_LIFETIME_S: f64 = 60.0;
/// Longest lifetime believed: 7 days.
pub const MAX_LIFETIME_S: f64 = 7.0 * 86_400.0;

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

/// The lifetime (s) an `expires_in` (its raw JSON text) means, clamped to [60 s, 7 days]:
/// absent or null → 3600; a JSON number, or a string holding one, → clamped (`1e400`, beyond
/// f64, → 7 days; negative → 60 s); anything else ("NaN", "soon", true) → 60 s.
pub fn lifetime_s(raw: Option<&str>) -> f64 {
    let text = match raw.map(str::trim) {
        None | Some("null") => return DEFAULT_LIFETIME_S,
        Some(t) if t.starts_with('"') => match serde_json::from_str::<String>(t) {
            Ok(s) => s.trim().to_owned(),
            Err(_) => return MIN_LIFETIME_S,
        },
        Some(t) => t.to_owned(),
    };
    let n = match serde_json::from_str::<f64>(&text) {
        Ok(n) => n,
        // serde_json refuses a number beyond f64 ("1e400"): huge, or hugely negative.
        Err(_) if !text.is_empty() && text.bytes().all(|b| b"0123456789+-.eE".contains(&b)) => {
            if text.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }
        }
        Err(_) => f64::NAN,
    };
    if n.is_nan() {
        MIN_LIFETIME_S
    } else {
        n.clamp(MIN_LIFETIME_S, MAX_LIFETIME_S)
    }
}

fn unreadable(status: u16) -> Outcome {
    Outcome::new(
        OutcomeKind::TokenUnreadable,
        Some(status),
        None,
        NextStep::Report,
    )
}

/// Interpret the token endpoint's answer.
///
/// Success: 2xx with `access_token` (non-empty string, header-safe), `token_type` "bearer" in
/// any case (or absent), `expires_in` per [`lifetime_s`].
/// A 2xx without a usable token is `TokenUnreadable` (or `Gateway` for an empty body or a
/// page that does not mention a token), never with a server message. Failures are classified
/// like drop answers (`invalid_client` → `AuthFailed`, 504 → `Timeout`, …) quoting only
/// `error_description` / `message`. Renewing cannot fix a refused client, so every token
/// failure carries `next = Report`.
pub fn interpret_token(resp: &HttpResponse, now_ms: f64) -> Result<Token, Outcome> {
    let body = answer::classify(&resp.body, resp.content_type.as_deref());
    let status = resp.status;
    if (200..300).contains(&status) {
        return match &body {
            BodyKind::Object(l) => match &l.access_token {
                Some(field) => {
                    let tok = field.as_deref().map(str::trim).unwrap_or("");
                    let bearer = match &l.token_type {
                        None => true,
                        Some(tt) => tt
                            .as_str()
                            .is_some_and(|t| t.trim().eq_ignore_ascii_case("bearer")),
                    };
                    // Tokens are sent in a header: refuse anything that could break it.
                    let safe = tok.bytes().all(|b| b.is_ascii_graphic());
                    if tok.is_empty() || !bearer || !safe {
                        return Err(unreadable(status));
                    }
                    Ok(Token {
                        access_token: tok.to_owned(),
                        expires_at_ms: now_ms + lifetime_s(l.expires_in.as_deref()) * 1000.0,
                    })
                }
                None => {
                    let mut o = classify(status, &body, false);
                    if matches!(o.kind, OutcomeKind::Dropped | OutcomeKind::Unexpected) {
                        o.kind = OutcomeKind::TokenUnreadable;
                    }
                    o.server_message = None;
                    o.next = NextStep::Report;
                    Err(o)
                }
            },
            BodyKind::Empty => Err(Outcome::new(
                OutcomeKind::Gateway,
                Some(status),
                None,
                NextStep::Report,
            )),
            BodyKind::Html(_) | BodyKind::Text(_) if !mentions_token(&resp.body) => Err(
                Outcome::new(OutcomeKind::Gateway, Some(status), None, NextStep::Report),
            ),
            _ => Err(unreadable(status)),
        };
    }
    let mut o = classify(status, &body, false);
    o.server_message = match &body {
        BodyKind::Object(l) => l.error_text(),
        _ => None,
    };
    if o.kind == OutcomeKind::Dropped {
        o.kind = OutcomeKind::Unexpected;
    }
    o.next = NextStep::Report;
    Err(o)
}

fn mentions_token(body: &[u8]) -> bool {
    body.windows(12)
        .any(|w| w.eq_ignore_ascii_case(b"access_token"))
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
