//! Session Drop core: builds and interprets senhasegura PAM "drop session" API calls.
//!
//! No I/O lives here: requests are data ([`http::HttpRequest`]), responses are data
//! ([`http::HttpResponse`]). The async flow ([`client::Client`]) is generic over a
//! [`client::Transport`] so the same flow runs natively in tests and in wasm
//! ([`wasm`], the binding, holds no logic).
//!
//! Module layers, one way only (a module imports only those listed before it):
//! `http`, `id`, `server`, `credentials` → `generation` → `answer` → `outcome` → `token`,
//! `sessions`, `request` → `config` → `report` → `client` → `wasm`.

/// The `visit_*` methods of a serde `Visitor` for the JSON values that carry nothing for it
/// (booleans, numbers, strings, null): each is read and answers `$ret`. The vendor's answers are
/// untrusted, so a value of an unexpected type is skipped rather than an error.
macro_rules! skip_scalars {
    ($ret:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($ret)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($ret)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($ret)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($ret)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($ret)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($ret)
        }
    };
}

pub mod answer;
pub mod client;
pub mod config;
pub mod credentials;
pub mod generation;
pub mod http;
pub mod id;
pub mod outcome;
pub mod report;
pub mod request;
pub mod server;
pub mod sessions;
pub mod token;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use client::{Client, ClientState, Clock, Transport, PROBE_SESSION_ID};
pub use config::{Config, ConfigError, ListOptions};
pub use credentials::{Credentials, TokenAuthStyle};
pub use generation::{AutoGeneration, Generation, GenerationPolicy};
pub use http::{Call, HttpRequest, HttpResponse, Method, TransportError};
pub use id::{IdError, RefKind, SessionId, SessionRef};
pub use outcome::{from_transport, interpret_drop, NextStep, Outcome, OutcomeKind, Params};
pub use report::{Report, ReportView};
pub use request::{drop_request, list_request, probe_request, to_curl, token_request};
pub use server::{ServerUrl, ServerUrlError};
pub use sessions::{
    generate_list_json, parse_list_all, parse_list_one, RemoteSession, SessionList, SessionListView,
};
pub use token::{interpret_token, Token, TokenCache};
