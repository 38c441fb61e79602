//! Client configuration: validation and reading the JS options object (`new DropClient({...})`,
//! `listActive({...})`) from a JSON value, so the binding holds no logic.

use crate::credentials::{Credentials, TokenAuthStyle};
use crate::generation::GenerationPolicy;
use crate::http::{Call, LIST_CAP_MAX};
use crate::outcome::Params;
use crate::server::{ServerUrl, ServerUrlError};
use serde_json::Value;

/// Default request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;
/// Longest `listActive({timeoutMs})`: 30 minutes (the vendor warns a list may take minutes).
pub const MAX_LIST_TIMEOUT_MS: u32 = 30 * 60 * 1000;

/// Client configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub server: ServerUrl,
    /// Both empty: a token-only client (see [`Credentials::is_empty`]).
    pub credentials: Credentials,
    pub generation: GenerationPolicy,
    pub timeout_ms: u32,
    pub token_auth: TokenAuthStyle,
}

/// Why a configuration was refused (kind `invalid_config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    Server(ServerUrlError),
    /// A client secret without a client id.
    MissingClientId,
    /// A client id without a client secret.
    MissingClientSecret,
    /// Timeout outside 1 000..=300 000 ms.
    BadTimeout(u32),
    /// An option of the wrong type or value (its JS name; "config" when not an object).
    Malformed(&'static str),
}

impl ConfigError {
    /// Catalogue parameters: `{ field: "serverUrl" | "clientId" | "clientSecret" | "timeoutMs" |
    /// "generation" | "tokenAuth" | "config", reason, value? }`; for the server URL `reason` is
    /// a [`ServerUrlError`] name.
    pub fn params(&self) -> Params {
        let mut m = Params::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_owned(), v);
        };
        match self {
            ConfigError::Server(e) => {
                put("field", "serverUrl".into());
                put("reason", e.reason().into());
                if let Some(v) = e.value() {
                    put("value", v.into());
                }
            }
            ConfigError::MissingClientId => {
                put("field", "clientId".into());
                put("reason", "missing".into());
            }
            ConfigError::MissingClientSecret => {
                put("field", "clientSecret".into());
                put("reason", "missing".into());
            }
            ConfigError::BadTimeout(ms) => {
                put("field", "timeoutMs".into());
                put("reason", "out_of_range".into());
                put("value", (*ms).into());
            }
            ConfigError::Malformed(field) => {
                put("field", (*field).into());
                put("reason", "malformed".into());
            }
        }
        m
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Server(e) => write!(f, "{e}"),
            ConfigError::MissingClientId => f.write_str("client ID missing"),
            ConfigError::MissingClientSecret => f.write_str("client secret missing"),
            ConfigError::BadTimeout(ms) => write!(f, "timeout {ms} ms out of range"),
            ConfigError::Malformed(field) => write!(f, "option {field} malformed"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<ServerUrlError> for ConfigError {
    fn from(e: ServerUrlError) -> Self {
        ConfigError::Server(e)
    }
}

/// A string option of `obj`: missing or null → `None`; not a string → `Malformed(name)`.
fn text<'a>(obj: &'a Value, name: &'static str) -> Result<Option<&'a str>, ConfigError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_str().map(Some).ok_or(ConfigError::Malformed(name)),
    }
}

/// A whole number of milliseconds, at most `u32::MAX`.
fn millis(obj: &Value, name: &'static str) -> Result<Option<u32>, ConfigError> {
    let n = match obj.get(name) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_f64().ok_or(ConfigError::Malformed(name))?),
    };
    match n {
        None => Ok(None),
        Some(n) if (0.0..=4_294_967_295.0).contains(&n) && n.fract() == 0.0 => Ok(Some(n as u32)),
        Some(_) => Err(ConfigError::Malformed(name)),
    }
}

impl Config {
    /// Validated config with defaults: generation `auto`, 15 s timeout, credentials in the body.
    /// Client id and secret are trimmed; both empty makes a token-only client.
    pub fn new(
        server_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Config, ConfigError> {
        let server = ServerUrl::parse(server_url)?;
        let credentials = Credentials::new(client_id.trim(), client_secret.trim());
        let c = Config {
            server,
            credentials,
            generation: GenerationPolicy::Auto,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            token_auth: TokenAuthStyle::Body,
        };
        c.validate()?;
        Ok(c)
    }

    /// The options object of `new DropClient({ serverUrl, clientId, clientSecret, generation,
    /// timeoutMs, tokenAuth })`, as JSON. Unknown options are ignored; `generation` is read
    /// case-insensitively ("" = auto).
    pub fn from_options(obj: &Value) -> Result<Config, ConfigError> {
        if !obj.is_object() {
            return Err(ConfigError::Malformed("config"));
        }
        let generation = match text(obj, "generation")? {
            None => None,
            Some(g) => Some(match g.trim().to_ascii_lowercase().as_str() {
                "" | "auto" => GenerationPolicy::Auto,
                "api" => GenerationPolicy::Api,
                "iso" => GenerationPolicy::Iso,
                _ => return Err(ConfigError::Malformed("generation")),
            }),
        };
        let token_auth = match text(obj, "tokenAuth")? {
            None => None,
            Some("body") => Some(TokenAuthStyle::Body),
            Some("basic") => Some(TokenAuthStyle::Basic),
            Some(_) => return Err(ConfigError::Malformed("tokenAuth")),
        };
        let timeout_ms = millis(obj, "timeoutMs")?;
        let server_url = text(obj, "serverUrl")?.unwrap_or_default();
        let client_id = text(obj, "clientId")?.unwrap_or_default();
        let client_secret = text(obj, "clientSecret")?.unwrap_or_default();
        let mut config = Config::new(server_url, client_id, client_secret)?;
        if let Some(g) = generation {
            config.generation = g;
        }
        if let Some(t) = timeout_ms {
            config.timeout_ms = t;
        }
        if let Some(a) = token_auth {
            config.token_auth = a;
        }
        config.validate()?;
        Ok(config)
    }

    /// Check credentials and timeout (the server URL is valid by construction).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let c = &self.credentials;
        if !c.is_empty() {
            if c.client_id.trim().is_empty() {
                return Err(ConfigError::MissingClientId);
            }
            if c.client_secret.trim().is_empty() {
                return Err(ConfigError::MissingClientSecret);
            }
        }
        if !(1_000..=300_000).contains(&self.timeout_ms) {
            return Err(ConfigError::BadTimeout(self.timeout_ms));
        }
        Ok(())
    }

    /// A client that only uses a token it is given.
    pub fn token_only(&self) -> bool {
        self.credentials.is_empty()
    }
}

/// `listActive({ limit, timeoutMs, maxBytes, onProgress })` as given (serde; other keys such
/// as `onProgress` are ignored here).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListOptionsInput {
    pub limit: Option<f64>,
    pub timeout_ms: Option<f64>,
    pub max_bytes: Option<f64>,
}

/// What `listActive` does with its options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListOptions {
    /// Most sessions returned (`activeCount` still counts all).
    pub limit: Option<usize>,
    /// Timeout of each list request (default: the client's), 1 s ..= 30 min.
    pub timeout_ms: Option<u32>,
    /// Cap of the list-all answer (default 64 MiB), at most 256 MiB.
    pub max_bytes: Option<u64>,
}

impl From<ListOptionsInput> for ListOptions {
    /// Lenient: a negative or NaN option is the default; numbers are clamped.
    fn from(i: ListOptionsInput) -> ListOptions {
        let num = |v: Option<f64>| v.filter(|n| *n >= 0.0);
        ListOptions {
            limit: num(i.limit).map(|n| n as usize),
            timeout_ms: num(i.timeout_ms)
                .map(|n| n.clamp(1_000.0, MAX_LIST_TIMEOUT_MS as f64) as u32),
            max_bytes: num(i.max_bytes).map(|n| n.clamp(1.0, LIST_CAP_MAX as f64) as u64),
        }
    }
}

impl ListOptions {
    /// From a JSON value (a malformed one gives the defaults).
    pub fn from_value(v: &Value) -> ListOptions {
        serde_json::from_value::<ListOptionsInput>(v.clone())
            .unwrap_or_default()
            .into()
    }

    pub fn cap(&self) -> u64 {
        self.max_bytes.unwrap_or(Call::List.cap())
    }
}
