//! `session-drop-sim [--port N] [--release api|iso] [--latency-ms N] [--sessions N]
//! [--active-every K] [--cors] [--portuguese-keys] [--read-only] [--token-ttl-s N] [--www DIR|--no-www]`

use session_drop_sim::{generate_sessions, Grant, Release, SimConfig, Simulator};
use std::io::Write;
use std::path::PathBuf;

const USAGE: &str = "usage: session-drop-sim [--port N] [--release api|iso] [--latency-ms N] \
[--sessions N] [--active-every K] [--seed N] [--cors] [--portuguese-keys] [--read-only] \
[--token-ttl-s N] [--client-id ID] [--client-secret SECRET] [--www DIR | --no-www]";

fn fail(msg: &str) -> ! {
    eprintln!("session-drop-sim: {msg}\n{USAGE}");
    std::process::exit(2);
}

fn main() {
    let mut cfg = SimConfig::default();
    let mut sessions: Option<usize> = None;
    let mut active_every: usize = 2;
    let mut seed: u64 = 2024;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| -> String {
            inline
                .clone()
                .or_else(|| args.next())
                .unwrap_or_else(|| fail(&format!("{name} needs a value")))
        };
        fn num<T: std::str::FromStr>(name: &str, v: String) -> T {
            v.parse()
                .unwrap_or_else(|_| fail(&format!("{name}: not a number: {v}")))
        }
        match flag.as_str() {
            "--port" => cfg.port = num("--port", value("--port")),
            "--release" => {
                let v = value("--release");
                cfg.release = Release::parse(&v)
                    .unwrap_or_else(|| fail(&format!("--release: api or iso, not {v}")));
            }
            "--latency-ms" => cfg.latency_ms = num("--latency-ms", value("--latency-ms")),
            "--sessions" => sessions = Some(num("--sessions", value("--sessions"))),
            "--active-every" => active_every = num("--active-every", value("--active-every")),
            "--seed" => seed = num("--seed", value("--seed")),
            "--token-ttl-s" => cfg.token_ttl_s = num("--token-ttl-s", value("--token-ttl-s")),
            "--client-id" => cfg.client_id = value("--client-id"),
            "--client-secret" => cfg.client_secret = value("--client-secret"),
            "--cors" => cfg.cors = true,
            "--portuguese-keys" => cfg.portuguese_keys = true,
            "--read-only" => cfg.grant = Grant::ReadOnly,
            "--www" => cfg.www_dir = Some(PathBuf::from(value("--www"))),
            "--no-www" => cfg.www_dir = None,
            "-h" | "--help" => {
                println!("{USAGE}");
                return;
            }
            other => fail(&format!("unknown argument {other}")),
        }
    }
    if let Some(n) = sessions {
        cfg.sessions = generate_sessions(n, active_every, seed);
    }
    let (n, active) = (
        cfg.sessions.len(),
        cfg.sessions.iter().filter(|s| s.is_active()).count(),
    );
    let release = cfg.release;
    let sim = Simulator::start(cfg).unwrap_or_else(|e| fail(&format!("cannot start: {e}")));
    let url = sim.base_url();
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "SIM_URL={url}");
        let _ = out.flush();
    }
    eprintln!(
        "session-drop-sim: release {release:?}, {n} sessions ({active} active); console replica {url}/flow/ ; control {url}/__sim/config"
    );
    loop {
        std::thread::park();
    }
}
