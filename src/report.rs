//! The Report: one shape from the core to the row (`{ ok, kind, status, next, sessionId,
//! rowId, generation, attempts, tokenRenewed, serverMessage, params }`), and its scrubbing.

use crate::answer::sensible;
use crate::config::ConfigError;
use crate::generation::Generation;
use crate::id::IdError;
use crate::outcome::{NextStep, Outcome, OutcomeKind, Params};
use crate::server::ServerUrl;
use serde::{Deserialize, Serialize};

/// What replaces a secret found in a Report string.
pub const REDACTED: &str = "[redacted]";
/// Secrets shorter than this are not searched for (they would mangle ordinary text).
pub const MIN_SCRUB_LEN: usize = 4;

/// Result of one user-level operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub outcome: Outcome,
    pub session_id: Option<String>,
    pub row_id: Option<String>,
    pub generation: Option<Generation>,
    /// API requests made for the operation (DELETEs for a drop, GETs for resolve/list);
    /// token requests are not counted.
    pub attempts: u32,
    /// The token was renewed after the appliance refused it.
    pub token_renewed: bool,
}

/// JS shape of a [`Report`] (camelCase). `serverMessage` is null unless worth quoting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub ok: bool,
    pub kind: OutcomeKind,
    pub status: Option<u16>,
    pub next: NextStep,
    pub session_id: Option<String>,
    pub row_id: Option<String>,
    pub generation: Option<Generation>,
    pub attempts: u32,
    pub token_renewed: bool,
    pub server_message: Option<String>,
    pub params: Params,
}

fn scrub_str(s: &mut String, secrets: &[&str]) {
    for secret in secrets {
        if secret.len() >= MIN_SCRUB_LEN && s.contains(secret) {
            *s = s.replace(secret, REDACTED);
        }
    }
}

fn scrub_value(v: &mut serde_json::Value, secrets: &[&str]) {
    match v {
        serde_json::Value::String(s) => scrub_str(s, secrets),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|v| scrub_value(v, secrets)),
        serde_json::Value::Object(m) => m.values_mut().for_each(|v| scrub_value(v, secrets)),
        _ => {}
    }
}

impl Report {
    pub fn new(outcome: Outcome) -> Self {
        Report {
            outcome,
            session_id: None,
            row_id: None,
            generation: None,
            attempts: 0,
            token_renewed: false,
        }
    }

    pub fn ok(&self) -> bool {
        self.outcome.is_ok()
    }

    pub fn kind(&self) -> OutcomeKind {
        self.outcome.kind
    }

    /// A refused session reference (`invalid_session_ref`, `params` from the error).
    pub fn invalid_ref(err: &IdError) -> Self {
        let mut o = Outcome::local(OutcomeKind::InvalidSessionRef);
        o.params = err.params();
        Report::new(o)
    }

    /// A refused configuration (`invalid_config`, `params` from the error).
    pub fn invalid_config(err: &ConfigError) -> Self {
        let mut o = Outcome::local(OutcomeKind::InvalidConfig);
        o.params = err.params();
        Report::new(o)
    }

    /// Replace every occurrence of each secret (of at least [`MIN_SCRUB_LEN`] bytes) in every
    /// string of the report by [`REDACTED`].
    pub fn scrub(&mut self, secrets: &[&str]) {
        for s in [
            self.outcome.server_message.as_mut(),
            self.session_id.as_mut(),
            self.row_id.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            scrub_str(s, secrets);
        }
        self.outcome
            .params
            .values_mut()
            .for_each(|v| scrub_value(v, secrets));
    }

    /// The JS shape.
    pub fn to_view(&self) -> ReportView {
        self.clone().into_view()
    }

    /// [`to_view`](Self::to_view), consuming the report.
    pub fn into_view(self) -> ReportView {
        let ok = self.ok();
        let o = self.outcome;
        ReportView {
            ok,
            kind: o.kind,
            status: o.status,
            next: o.next,
            session_id: self.session_id,
            row_id: self.row_id,
            generation: self.generation,
            attempts: self.attempts,
            token_renewed: self.token_renewed,
            server_message: o.server_message.filter(|m| sensible(m)),
            params: o.params,
        }
    }
}

/// `checkServerUrl(url)`: `{ ok: true, base, origin, matchPattern }` or
/// `{ ok: false, kind: "invalid_config", params: { field: "serverUrl", reason, value? } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UrlCheck {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<OutcomeKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<Params>,
}

impl UrlCheck {
    pub fn of(url: &str) -> UrlCheck {
        match ServerUrl::parse(url) {
            Ok(s) => UrlCheck {
                ok: true,
                base: Some(s.base()),
                origin: Some(s.origin()),
                match_pattern: Some(s.match_pattern()),
                kind: None,
                params: None,
            },
            Err(e) => UrlCheck {
                ok: false,
                base: None,
                origin: None,
                match_pattern: None,
                kind: Some(OutcomeKind::InvalidConfig),
                params: Some(ConfigError::Server(e).params()),
            },
        }
    }
}

/// `checkSessionRef(ref)`: `{ ok: true }` or `{ ok: false, kind: "invalid_session_ref", params }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefCheck {
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<OutcomeKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<Params>,
}

impl RefCheck {
    pub fn of(v: &serde_json::Value) -> RefCheck {
        match crate::id::ref_from_value(v) {
            Ok(_) => RefCheck {
                ok: true,
                kind: None,
                params: None,
            },
            Err(e) => RefCheck {
                ok: false,
                kind: Some(OutcomeKind::InvalidSessionRef),
                params: Some(Report::invalid_ref(&e).outcome.params),
            },
        }
    }
}
