//! Session Drop core: builds and interprets senhasegura PAM "drop session" API calls.
//!
//! No I/O lives here: requests are data ([`request::HttpRequest`]), responses are data
//! ([`request::HttpResponse`]). The async orchestrator ([`client::Client`]) is generic over a
//! [`client::Transport`] so the same flow runs natively in tests and in wasm.

pub mod client;
pub mod generation;
pub mod id;
mod json;
pub mod messages;
pub mod outcome;
pub mod request;
pub mod server;
pub mod sessions;
pub mod token;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use client::{Client, ClientState, Clock, Config, ConfigError, Report, ReportView, Transport};
pub use generation::{AutoGeneration, Generation, GenerationPolicy};
pub use id::{IdError, RefKind, SessionId, SessionRef};
pub use messages::{describe, Lang, Message};
pub use outcome::{from_transport, interpret_drop, NextStep, Outcome, OutcomeKind};
pub use request::{
    drop_request, list_request, to_curl, token_request, HttpRequest, HttpResponse, Method,
    TransportError,
};
pub use server::{ServerUrl, ServerUrlError};
pub use sessions::{
    generate_list_json, parse_list_all, parse_list_one, RemoteSession, SessionList, SessionListView,
};
pub use token::{interpret_token, Credentials, Token, TokenAuthStyle, TokenCache};
