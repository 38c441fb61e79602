//! The A2A client credentials and how they are sent to the token endpoint.

use serde::{Deserialize, Serialize};
use std::fmt;

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

    /// Both empty: a token-only client (it uses a token it is given, never asks for one).
    pub fn is_empty(&self) -> bool {
        self.client_id.is_empty() && self.client_secret.is_empty()
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
