#![allow(dead_code)]

pub mod http;

use http::Response;
use session_drop_sim::{SimConfig, Simulator};

pub const DROP_OK_ISO: &str = r#"{"code":200,"response":{"status":200,"message":"Sessão interrompida com sucesso","error":false,"error_code":0,"detail":"","mensagem":"Sessão interrompida com sucesso","erro":false,"cod_erro":0}}"#;
pub const DROP_OK_API: &str = r#"{"code":200,"response":{"status":200,"message":"Session dropped successfully","error":false,"error_code":0,"detail":"","mensagem":"Sessão encerrada com sucesso","erro":false,"cod_erro":0},"tenant":"Segura"}"#;
pub const NO_ROUTE: &str = r#"{"message":"no Route matched with those values"}"#;

pub fn start() -> Simulator {
    Simulator::start(SimConfig::default()).expect("simulator starts")
}

pub fn start_with(f: impl FnOnce(&mut SimConfig)) -> Simulator {
    let mut cfg = SimConfig::default();
    f(&mut cfg);
    Simulator::start(cfg).expect("simulator starts")
}

pub fn token(sim: &Simulator) -> String {
    http::fetch_token(&sim.base_url(), "demo-client", "demo-secret").expect("token")
}

/// Hash of the newest active session.
pub fn active_hash(sim: &Simulator) -> String {
    sim.state()
        .sessions
        .iter()
        .find(|s| s.is_active())
        .expect("an active session")
        .session_id
        .clone()
}

pub fn drop_api(sim: &Simulator, id: &str, token: &str) -> Response {
    http::delete_bearer(
        &format!("{}/api/pam/session/drop/{id}", sim.base_url()),
        token,
    )
    .expect("request")
}

pub fn drop_iso(sim: &Simulator, id: &str, token: &str) -> Response {
    http::delete_bearer(&format!("{}/iso/session/drop/{id}", sim.base_url()), token)
        .expect("request")
}

pub fn get(sim: &Simulator, path: &str) -> Response {
    http::get(&format!("{}{path}", sim.base_url())).expect("request")
}

pub fn post_json(sim: &Simulator, path: &str, json: &str) -> Response {
    http::post_json(&format!("{}{path}", sim.base_url()), json).expect("request")
}
