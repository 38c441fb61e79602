//! The `session-drop-sim` binary prints SIM_URL first and serves.

mod common;

use common::http;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

struct Kill(std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_prints_url_and_serves() {
    let child = Command::new(env!("CARGO_BIN_EXE_session-drop-sim"))
        .args([
            "--port",
            "0",
            "--release",
            "iso",
            "--latency-ms",
            "0",
            "--sessions",
            "10",
            "--active-every",
            "2",
            "--cors",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut child = Kill(child);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("SIM_URL=")
        .expect(&line)
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"));
    let cfg = http::get(&format!("{url}/__sim/config")).unwrap().json();
    assert_eq!(cfg["release"], "iso");
    assert_eq!(cfg["cors"], true);
    assert_eq!(cfg["sessions"], 10);
    assert_eq!(cfg["active"], 5);
    let tok = http::fetch_token(&url, "demo-client", "demo-secret").unwrap();
    let list = http::get_bearer(&format!("{url}/iso/session/remotesessions"), &tok)
        .unwrap()
        .json();
    assert_eq!(list["remote_sessions"].as_array().unwrap().len(), 10);
}

#[test]
fn binary_rejects_bad_arguments() {
    let out = Command::new(env!("CARGO_BIN_EXE_session-drop-sim"))
        .args(["--release", "v9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
