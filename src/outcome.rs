//! What an answer from the appliance means, and what to do next.

use crate::answer::{self, BodyKind, Level};
use crate::http::{origin_of, HttpResponse, TransportError};
use serde::{Deserialize, Serialize};

/// Values for the message catalogue (`report_K_*` placeholders): strings and numbers.
pub type Params = serde_json::Map<String, serde_json::Value>;

macro_rules! kinds {
    ($($k:ident),* $(,)?) => {
        /// The meaning of an answer. serde: snake_case ("dropped", "already_ended", …): the
        /// only source of these strings.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum OutcomeKind { $($k),* }

        impl OutcomeKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [OutcomeKind] = &[$(OutcomeKind::$k),*];
        }
    };
}

kinds!(
    Dropped,
    AlreadyEnded,
    ResourceNotFound,
    RouteNotMatched,
    AuthFailed,
    NotAuthorized,
    ServerError,
    Timeout,
    Network,
    Gateway,
    Unexpected,
    InvalidSessionRef,
    SessionNotFound,
    InvalidConfig,
    Connected,
    Resolved,
    Redirect,
    TooLarge,
    TokenUnreadable,
);

impl OutcomeKind {
    /// `dropped`, `connected` and `resolved` are successes.
    pub fn is_ok(self) -> bool {
        matches!(
            self,
            OutcomeKind::Dropped | OutcomeKind::Connected | OutcomeKind::Resolved
        )
    }
}

/// What the caller should do next. serde: "done" | "renew_token" | "try_other_generation" | "report".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    Done,
    RenewToken,
    TryOtherGeneration,
    Report,
}

/// An interpreted answer. `server_message` is the appliance's own message (sanitized, ≤300
/// chars): show it as TEXT only. serde: camelCase (`params` left out when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub kind: OutcomeKind,
    pub status: Option<u16>,
    pub server_message: Option<String>,
    pub next: NextStep,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

impl Outcome {
    pub fn new(
        kind: OutcomeKind,
        status: Option<u16>,
        server_message: Option<String>,
        next: NextStep,
    ) -> Self {
        Outcome {
            kind,
            status,
            server_message,
            next,
            params: Params::new(),
        }
    }

    /// A locally produced outcome (no HTTP status, no appliance message). `next` is `Done`
    /// for successes and `Report` otherwise.
    pub fn local(kind: OutcomeKind) -> Self {
        let next = if kind.is_ok() {
            NextStep::Done
        } else {
            NextStep::Report
        };
        Outcome::new(kind, None, None, next)
    }

    /// Adds a catalogue parameter (builder style).
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.params.insert(key.to_owned(), value.into());
        self
    }

    pub fn is_ok(&self) -> bool {
        self.kind.is_ok()
    }
}

/// Interpret the answer to a drop `DELETE`. `sent_token` says whether an `Authorization`
/// header was sent (a gateway "no Route matched" then means the wrong path generation rather
/// than a missing header). Never panics, whatever the status and bytes.
pub fn interpret_drop(resp: &HttpResponse, sent_token: bool) -> Outcome {
    let body = answer::classify(&resp.body, resp.content_type.as_deref());
    classify(resp.status, &body, sent_token)
}

/// Map a transport failure. A redirect carries `params.location` (an origin) when known; a
/// cap hit carries `params.limit` (the caller adds `params.call`).
pub fn from_transport(err: &TransportError) -> Outcome {
    match err {
        TransportError::Timeout => Outcome::local(OutcomeKind::Timeout),
        TransportError::Network(_) => Outcome::local(OutcomeKind::Network),
        TransportError::Redirect { location } => {
            let o = Outcome::local(OutcomeKind::Redirect);
            match location.as_deref().and_then(origin_of) {
                Some(origin) => o.with("location", origin),
                None => o,
            }
        }
        TransportError::TooLarge { limit } => {
            Outcome::local(OutcomeKind::TooLarge).with("limit", *limit)
        }
    }
}

fn has(text: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| text.contains(n))
}

/// Shared classification of drop-like answers (also used for token, list and list-one failures).
pub fn classify(status: u16, body: &BodyKind, sent_token: bool) -> Outcome {
    let st = Some(status);
    let out = |kind, msg, next| Outcome::new(kind, st, msg, next);
    let http_ok = (200..300).contains(&status);

    let (level, msg, text): (Option<&Level>, Option<String>, String) = match body {
        BodyKind::Object(l) => (Some(l), l.server_message(), l.all_text_lower()),
        BodyKind::Text(t) => {
            let m = answer::sanitize(t);
            let lower = m.as_deref().unwrap_or("").to_ascii_lowercase();
            (None, m, lower)
        }
        BodyKind::Html(title) => (None, title.clone(), String::new()),
        BodyKind::Empty | BodyKind::OtherJson | BodyKind::TooDeep => (None, None, String::new()),
    };

    let flag = level.and_then(Level::error_flag);
    let inner = level.and_then(Level::inner_status);
    let inner_error = inner.is_some_and(|s| s >= 400);
    let error_code = level.and_then(Level::error_code);

    // Success: 2xx, a JSON object, nothing saying error, and something positively saying
    // it went fine (a false error flag, or a 2xx envelope status). Message text never decides.
    if http_ok {
        if let Some(l) = level {
            let positive = flag == Some(false) || inner.is_some_and(|s| (200..300).contains(&s));
            if flag != Some(true) && !inner_error && positive && l.oauth_error().is_none() {
                return out(OutcomeKind::Dropped, msg, NextStep::Done);
            }
        }
    }

    // From here on the answer is a failure (or unintelligible).
    let oauth = level
        .and_then(Level::oauth_error)
        .map(str::to_ascii_lowercase);
    let oauth_auth = oauth.as_deref().is_some_and(|e| {
        matches!(
            e,
            "invalid_client" | "invalid_token" | "unauthorized_client" | "invalid_grant"
        )
    });

    if status == 401
        || oauth_auth
        || has(
            &text,
            &[
                "client authentication failed",
                "invalid_token",
                "invalid_client",
            ],
        )
    {
        return out(OutcomeKind::AuthFailed, msg, NextStep::RenewToken);
    }
    if status == 504
        || status == 408
        || has(&text, &["request timed out", "timing out", "timed out"])
    {
        return out(OutcomeKind::Timeout, msg, NextStep::Report);
    }
    if has(&text, &["no route matched"]) {
        let next = if sent_token {
            NextStep::TryOtherGeneration
        } else {
            NextStep::RenewToken
        };
        return out(OutcomeKind::RouteNotMatched, msg, next);
    }
    if has(&text, &["resource sub not found"])
        || (status == 404 && (error_code == Some(4) || level.is_none() || flag == Some(true)))
    {
        return out(
            OutcomeKind::ResourceNotFound,
            msg,
            NextStep::TryOtherGeneration,
        );
    }
    let failed = !http_ok || flag == Some(true) || inner_error;
    if failed && level.is_some() {
        if has(
            &text,
            &[
                "not authorized",
                "não autorizado",
                "nao autorizado",
                "não possui autoriza",
                "sem permiss",
            ],
        ) {
            return out(OutcomeKind::NotAuthorized, msg, NextStep::Report);
        }
        if has(
            &text,
            &[
                "error occurred while drop",
                "error occured while drop",
                "erro ao encerrar",
                "erro ao interromper",
                "already ended",
            ],
        ) || (msg.is_none() && error_code == Some(1))
        {
            return out(OutcomeKind::AlreadyEnded, msg, NextStep::Report);
        }
        if has(&text, &["unexpected error", "erro inesperado"]) {
            return out(OutcomeKind::ServerError, msg, NextStep::Report);
        }
    }
    if matches!(status, 502 | 503) {
        return out(OutcomeKind::Gateway, msg, NextStep::Report);
    }
    match body {
        BodyKind::Empty | BodyKind::Html(_) | BodyKind::Text(_) | BodyKind::OtherJson => {
            out(OutcomeKind::Gateway, msg, NextStep::Report)
        }
        BodyKind::Object(_) | BodyKind::TooDeep => {
            out(OutcomeKind::Unexpected, msg, NextStep::Report)
        }
    }
}
