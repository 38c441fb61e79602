//! Embedded senhasegura PAM simulator: A2A OAuth token, "drop session" on both API generations,
//! remote session lists, behaviour overrides, control endpoints, and the console replica
//! (`www/`, served under `/flow/…`).
//!
//! ```no_run
//! use session_drop_sim::{SimConfig, Simulator};
//! let sim = Simulator::start(SimConfig::default()).unwrap();
//! println!("{}", sim.base_url());
//! ```

mod control;
pub mod gen;
pub mod model;
mod replica;
mod server;
pub mod util;
pub mod vendor;

pub use gen::{demo_sessions, generate_sessions, generate_with};
pub use model::{
    default_www_dir, Behaviour, BehaviourOverride, Grant, IssuedToken, RedirectRule, Release,
    SimConfig, SimSession, SimState, TokenBody,
};
pub use server::{LoggedRequest, Simulator, INSTANCE_HEADER};
