//! What `cargo xtask` shares with the end-to-end tests (`e2e/` depends on this library):
//! the extension's identities, where the browsers and their policy folders are, and the
//! release packaging (CRX3 packed by Chromium, gupdate `updates.xml`, Firefox `updates.json`,
//! the policy documents an administrator deploys). Defined once here, used by both.

pub mod browsers;
pub mod identity;
pub mod release;
