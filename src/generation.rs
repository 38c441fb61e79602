//! The two generations of the appliance's API paths, and the pure "auto" state machine.

use crate::id::SessionId;
use serde::{Deserialize, Serialize};

/// Path generation. serde: `"api"` | `"iso"`.
///
/// * `Api` (3.33, v4, latest): `DELETE /api/pam/session/drop/{id}`
/// * `Iso` (3.32 and older):   `DELETE /iso/session/drop/{id}`
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Generation {
    Api,
    Iso,
}

/// What the user configured. serde: `"auto"` | `"api"` | `"iso"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GenerationPolicy {
    #[default]
    Auto,
    Api,
    Iso,
}

/// List path every generation falls back to (3.32 / latest docs).
pub const COMMON_LIST_PATH: &str = "/api/session/remotesessions";

impl Generation {
    pub fn as_str(self) -> &'static str {
        match self {
            Generation::Api => "api",
            Generation::Iso => "iso",
        }
    }

    pub fn parse(s: &str) -> Option<Generation> {
        match s.trim().to_ascii_lowercase().as_str() {
            "api" => Some(Generation::Api),
            "iso" => Some(Generation::Iso),
            _ => None,
        }
    }

    pub fn other(self) -> Generation {
        match self {
            Generation::Api => Generation::Iso,
            Generation::Iso => Generation::Api,
        }
    }

    /// Drop path prefix, without the id: "/api/pam/session/drop/" or "/iso/session/drop/".
    pub fn drop_prefix(self) -> &'static str {
        match self {
            Generation::Api => "/api/pam/session/drop/",
            Generation::Iso => "/iso/session/drop/",
        }
    }

    /// Drop path with the id encoded as one segment.
    pub fn drop_path(self, id: &SessionId) -> String {
        let mut s = String::from(self.drop_prefix());
        s.push_str(&id.encoded());
        s
    }

    /// List-all paths to try, in order (own generation first, then the common fallback).
    pub fn list_paths(self) -> [&'static str; 2] {
        match self {
            Generation::Api => ["/api/pam/session/remotesessions", COMMON_LIST_PATH],
            Generation::Iso => ["/iso/session/remotesessions", COMMON_LIST_PATH],
        }
    }
}

/// List-one path: list path + "/{row_id}".
pub fn list_one_path(list_path: &str, row_id: u64) -> String {
    let mut s = String::from(list_path.trim_end_matches('/'));
    s.push('/');
    s.push_str(&row_id.to_string());
    s
}

impl GenerationPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            GenerationPolicy::Auto => "auto",
            GenerationPolicy::Api => "api",
            GenerationPolicy::Iso => "iso",
        }
    }

    pub fn parse(s: &str) -> Option<GenerationPolicy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Some(GenerationPolicy::Auto),
            "api" => Some(GenerationPolicy::Api),
            "iso" => Some(GenerationPolicy::Iso),
            _ => None,
        }
    }

    /// The fixed generation, if any.
    pub fn fixed(self) -> Option<Generation> {
        match self {
            GenerationPolicy::Auto => None,
            GenerationPolicy::Api => Some(Generation::Api),
            GenerationPolicy::Iso => Some(Generation::Iso),
        }
    }
}

/// Pure state machine for the `auto` policy.
///
/// Per call: [`begin`](Self::begin) starts at the remembered generation (default `Api`);
/// the first [`on_route_not_found`](Self::on_route_not_found) switches to the other one, the
/// second gives up (`None`). [`on_success`](Self::on_success) remembers what worked.
/// A machine built with [`fixed`](Self::fixed) never switches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoGeneration {
    remembered: Option<Generation>,
    current: Generation,
    switched: bool,
    fixed: bool,
}

impl Default for AutoGeneration {
    fn default() -> Self {
        AutoGeneration::new(None)
    }
}

impl AutoGeneration {
    /// Auto policy, starting from what was remembered (if anything).
    pub fn new(remembered: Option<Generation>) -> Self {
        AutoGeneration {
            remembered,
            current: remembered.unwrap_or(Generation::Api),
            switched: false,
            fixed: false,
        }
    }

    /// A fixed generation: `on_route_not_found` always answers `None`.
    pub fn fixed(g: Generation) -> Self {
        AutoGeneration {
            remembered: Some(g),
            current: g,
            switched: false,
            fixed: true,
        }
    }

    pub fn for_policy(policy: GenerationPolicy, remembered: Option<Generation>) -> Self {
        match policy.fixed() {
            Some(g) => AutoGeneration::fixed(g),
            None => AutoGeneration::new(remembered),
        }
    }

    pub fn is_fixed(&self) -> bool {
        self.fixed
    }

    /// Start a new call: back to the remembered generation, switch allowance restored.
    pub fn begin(&mut self) {
        self.current = self.remembered.unwrap_or(Generation::Api);
        self.switched = false;
    }

    /// Generation to use now.
    pub fn current(&self) -> Generation {
        self.current
    }

    /// The route was not found with `current()`: the generation to try next, once per call.
    pub fn on_route_not_found(&mut self) -> Option<Generation> {
        if self.fixed || self.switched {
            return None;
        }
        self.switched = true;
        self.current = self.current.other();
        Some(self.current)
    }

    /// `g` worked: remember it (a fixed machine keeps its generation).
    pub fn on_success(&mut self, g: Generation) {
        if !self.fixed {
            self.remembered = Some(g);
            self.current = g;
        }
    }

    pub fn remembered(&self) -> Option<Generation> {
        self.remembered
    }

    /// Restore a remembered generation (ignored by a fixed machine).
    pub fn set_remembered(&mut self, g: Option<Generation>) {
        if !self.fixed {
            self.remembered = g;
            self.current = g.unwrap_or(Generation::Api);
            self.switched = false;
        }
    }
}
