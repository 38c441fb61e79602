//! Session Drop core: builds and interprets senhasegura PAM "drop session" API calls.
//!
//! No I/O lives here: requests are data ([`request::HttpRequest`]), responses are data
//! ([`request::HttpResponse`]). The async orchestrator ([`client::Client`]) is generic over a
//! [`client::Transport`] so the same flow runs natively in tests and in wasm.
//!
//! `no_std` (+ `alloc`): the release wasm links no `std`, so its panic machinery (panic hook,
//! message formatting, `core::fmt`) is not in the module; a panic is a bare `unreachable` trap
//! (what std's `panic = "abort"` ends in too). Native builds and the wasm test builds (feature
//! `std`, enabled by the wasm dev-dependency on this crate) link std and its panic handler.

#![no_std]

extern crate alloc;
#[cfg(any(not(target_arch = "wasm32"), feature = "std"))]
extern crate std;

/// Release wasm: no std, so this crate provides the panic handler. Trapping is what std's
/// `panic = "abort"` does as well; nothing is formatted or printed (see docs/WASM-SIZE.md).
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// What `std`'s prelude would bring (the crate is `no_std`).
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::String;
    pub(crate) use alloc::vec;
    pub(crate) use alloc::vec::Vec;
}

pub mod client;
pub mod generation;
pub mod id;
mod json;
pub mod messages;
mod minijson;
mod num;
pub mod outcome;
pub mod request;
pub mod server;
pub mod sessions;
mod text;
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
