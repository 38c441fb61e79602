//! Data types of the simulator: release, grant, sessions, behaviours, state.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;

/// Which API generation the simulated appliance runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Release {
    /// 3.33, v4, latest: `DELETE /api/pam/session/drop/{id}`, success body with `tenant`.
    Api,
    /// 3.32 and older: `DELETE /iso/session/drop/{id}`, the older success body.
    Iso,
}

impl Release {
    /// Path prefix (with trailing slash) of the drop call of this release.
    pub fn drop_prefix(self) -> &'static str {
        match self {
            Release::Api => "/api/pam/session/drop/",
            Release::Iso => "/iso/session/drop/",
        }
    }

    /// The other generation.
    pub fn other(self) -> Release {
        match self {
            Release::Api => Release::Iso,
            Release::Iso => Release::Api,
        }
    }

    /// "api" | "iso" (also "3.33", "latest", "v4", "3.32").
    pub fn parse(s: &str) -> Option<Release> {
        match s.trim().to_ascii_lowercase().as_str() {
            "api" | "3.33" | "v4" | "latest" => Some(Release::Api),
            "iso" | "3.32" => Some(Release::Iso),
            _ => None,
        }
    }
}

/// What the A2A authorization grants on PAM Core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    ReadWrite,
    ReadOnly,
}

impl Grant {
    /// "read_write" | "read_only" (also "rw", "ro", "readwrite", "readonly").
    pub fn parse(s: &str) -> Option<Grant> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "read_write" | "readwrite" | "rw" => Some(Grant::ReadWrite),
            "read_only" | "readonly" | "ro" => Some(Grant::ReadOnly),
            _ => None,
        }
    }
}

/// Per-session override of what the drop call answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// No override (same as removing it).
    Normal,
    /// 500 envelope `Unexpected error.`
    Unexpected,
    /// Hangs (default 60 s, `SimState::timeout_hang_ms`), then 504 `Request timed out`.
    Timeout,
    /// 502 with an nginx HTML page.
    Html,
    /// 200 with an empty body.
    Empty,
    /// 500 envelope `You are not authorized to access this resource`.
    NotAuthorized,
    /// 500 envelope `An error occurred while dropping session` (the other spelling), error_code 1.
    DroppingSpelling,
    /// 401 `Client authentication failed` even with a good token.
    AuthFailed,
    /// 404 bare `{"message":"no Route matched with those values"}` even with a header.
    NoRoute,
}

impl Behaviour {
    pub fn parse(s: &str) -> Option<Behaviour> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_ascii_lowercase())).ok()
    }
}

/// A behaviour override, optionally limited to a number of drop calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BehaviourOverride {
    pub behaviour: Behaviour,
    /// `None` = until removed; `Some(n)` = for the next n drop calls of that session.
    pub remaining: Option<u32>,
}

/// One remote session as the appliance stores it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SimSession {
    /// Numeric row id, as a string (like the API).
    pub id: String,
    pub user: String,
    pub origin_ip: String,
    pub credential: String,
    pub device: String,
    pub protocol: String,
    pub proxy: String,
    /// The hash the drop call takes.
    pub session_id: String,
    /// "YYYY-MM-DD HH:MM:SS"
    pub start: String,
    /// `None` (or empty) while active.
    pub end: Option<String>,
    /// "HH:MM:SS"
    pub time: String,
}

impl SimSession {
    pub fn is_active(&self) -> bool {
        self.end.as_deref().map_or(true, |e| e.trim().is_empty())
    }
}

/// A token handed out by `POST /iso/oauth2/token`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub access_token: String,
    pub client_id: String,
    /// Milliseconds since the UNIX epoch.
    pub issued_at_ms: u128,
    /// Milliseconds since the UNIX epoch; the token is refused from this instant on.
    pub expires_at_ms: u128,
}

/// Start-up configuration.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// 0 = pick a free port.
    pub port: u16,
    pub release: Release,
    /// Delay added to every A2A API answer (token, drop, lists).
    pub latency_ms: u64,
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl_s: u64,
    pub grant: Grant,
    pub cors: bool,
    /// 2020-era list keys: `credencial`, `dispositivo`, `"Não"`.
    pub portuguese_keys: bool,
    pub sessions: Vec<SimSession>,
    /// Root of the console replica (`www/`); `None` = no replica pages (the JSON feed still works).
    pub www_dir: Option<PathBuf>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            release: Release::Api,
            latency_ms: 0,
            client_id: "demo-client".into(),
            client_secret: "demo-secret".into(),
            token_ttl_s: 3600,
            grant: Grant::ReadWrite,
            cors: false,
            portuguese_keys: false,
            sessions: crate::gen::demo_sessions(),
            www_dir: Some(default_www_dir()),
        }
    }
}

/// `<CARGO_MANIFEST_DIR>/../www`
pub fn default_www_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("www")
}

/// The live, mutable state (see `Simulator::update`).
#[derive(Clone, Debug)]
pub struct SimState {
    pub release: Release,
    pub latency_ms: u64,
    pub client_id: String,
    pub client_secret: String,
    pub token_ttl_s: u64,
    pub grant: Grant,
    pub cors: bool,
    pub portuguese_keys: bool,
    /// Stored order = newest first (the A2A lists answer them oldest first, by row id).
    pub sessions: Vec<SimSession>,
    /// Keyed by the (percent-decoded) session id of the drop path.
    pub behaviours: HashMap<String, BehaviourOverride>,
    /// Keyed by access token.
    pub tokens: HashMap<String, IssuedToken>,
    /// How long the `timeout` behaviour hangs before answering 504 (default 60 000).
    pub timeout_hang_ms: u64,
    /// How the token endpoint writes a successful answer (`POST /__sim/config` `token_body`).
    pub token_body: TokenBody,
    /// Answer requests whose path starts with a prefix with a redirect (`redirect`).
    pub redirect: Option<RedirectRule>,
    /// Extra delay before list-all answers, in ms (`list_delay_ms`).
    pub list_delay_ms: u64,
    /// When > 0, error answers of the drop call are padded to this many bytes
    /// (`error_body_bytes`).
    pub error_body_bytes: usize,
}

/// How the token endpoint writes a successful answer (real PHP appliances vary).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenBody {
    /// The documented JSON.
    #[default]
    Normal,
    /// A UTF-8 BOM before the JSON and a CRLF after it.
    Bom,
    /// A PHP notice after the JSON.
    PhpNotice,
    /// `"expires_in": 1e400`.
    HugeExpires,
    /// A lone `\ud800` escape at the end of the access token.
    LoneSurrogate,
    /// 200 with `<br />Notice: … {"access_token":"…"}`, which no JSON parser accepts.
    #[serde(rename = "garbage_2xx")]
    Garbage2xx,
}

/// `{ "path_prefix": "/iso/oauth2/token", "status": 307, "location": "http://…" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedirectRule {
    pub path_prefix: String,
    #[serde(default = "default_redirect_status")]
    pub status: u16,
    pub location: String,
}

fn default_redirect_status() -> u16 {
    307
}

impl SimState {
    pub fn from_config(cfg: &SimConfig) -> SimState {
        SimState {
            release: cfg.release,
            latency_ms: cfg.latency_ms,
            client_id: cfg.client_id.clone(),
            client_secret: cfg.client_secret.clone(),
            token_ttl_s: cfg.token_ttl_s,
            grant: cfg.grant,
            cors: cfg.cors,
            portuguese_keys: cfg.portuguese_keys,
            sessions: cfg.sessions.clone(),
            behaviours: HashMap::new(),
            tokens: HashMap::new(),
            timeout_hang_ms: 60_000,
            token_body: TokenBody::Normal,
            redirect: None,
            list_delay_ms: 0,
            error_body_bytes: 0,
        }
    }

    /// Make every issued token expired.
    pub fn expire_tokens(&mut self) {
        for t in self.tokens.values_mut() {
            t.expires_at_ms = 0;
        }
    }

    /// Set (or with `Behaviour::Normal`, remove) a permanent override.
    pub fn set_behaviour(&mut self, session_id: &str, behaviour: Behaviour) {
        self.set_behaviour_times(session_id, behaviour, None);
    }

    /// Set an override for the next `times` drop calls (`None` = until removed).
    pub fn set_behaviour_times(
        &mut self,
        session_id: &str,
        behaviour: Behaviour,
        times: Option<u32>,
    ) {
        if behaviour == Behaviour::Normal || times == Some(0) {
            self.behaviours.remove(session_id);
        } else {
            self.behaviours.insert(
                session_id.to_string(),
                BehaviourOverride {
                    behaviour,
                    remaining: times,
                },
            );
        }
    }

    /// Session by hash.
    pub fn session(&self, session_id: &str) -> Option<&SimSession> {
        self.sessions.iter().find(|s| s.session_id == session_id)
    }

    /// Session by hash, mutable.
    pub fn session_mut(&mut self, session_id: &str) -> Option<&mut SimSession> {
        self.sessions
            .iter_mut()
            .find(|s| s.session_id == session_id)
    }

    /// Session by numeric row id.
    pub fn session_by_row(&self, row_id: &str) -> Option<&SimSession> {
        self.sessions.iter().find(|s| s.id == row_id)
    }

    pub fn active_count(&self) -> usize {
        self.sessions.iter().filter(|s| s.is_active()).count()
    }
}
