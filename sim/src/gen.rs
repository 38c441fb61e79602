//! Deterministic generation of realistic remote sessions.

use crate::model::SimSession;
use crate::util::{format_datetime, format_duration, parse_datetime};

/// Newest session of the generated sets starts shortly before this instant.
pub const BASE_TIME: &str = "2025-06-02 17:45:00";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn hex40(&mut self) -> String {
        let mut s = String::with_capacity(40);
        while s.len() < 40 {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(40);
        s
    }
}

const USERS: &[&str] = &[
    "Admin",
    "mariana.souza",
    "joao.silva",
    "carlos.pereira",
    "ana.lima",
    "rafael.costa",
    "beatriz.alves",
    "lucas.rocha",
    "fernanda.gomes",
    "pedro.martins",
    "juliana.ribeiro",
    "thiago.carvalho",
    "camila.nunes",
    "svc_ansible",
];

const ORIGINS: &[&str] = &[
    "172.16.20.125",
    "172.16.20.87",
    "172.16.21.14",
    "10.10.4.33",
    "10.10.4.71",
    "192.168.10.52",
    "192.168.10.118",
    "10.20.0.9",
];

const RDP: &[(&str, &str)] = &[
    ("usrdomadm01", "10.66.33.15:3389"),
    ("administrator", "10.66.33.21:3389"),
    ("usrdomadm02", "WIN-AD01.corp.local:3389"),
    ("svc_sql", "WIN-SQL02.corp.local:3389"),
    ("administrator", "10.66.40.8:3389"),
    ("helpdesk01", "WIN-FS01.corp.local:3389"),
];

const SSH: &[(&str, &str)] = &[
    ("root", "10.66.50.11:22"),
    ("root", "lnx-web01.corp.local:22"),
    ("oracle", "lnx-ora01.corp.local:22"),
    ("postgres", "10.66.50.24:22"),
    ("ec2-user", "172.31.8.140:22"),
    ("netadmin", "fw-core01.corp.local:22"),
    ("ansible", "lnx-app03.corp.local:22"),
];

const HTTP: &[(&str, &str)] = &[
    ("admin", "https://vcenter.corp.local"),
    ("netadmin", "https://fw-core01.corp.local:8443"),
    ("svc_portal", "https://intranet.corp.local"),
    ("root", "https://idrac-srv07.corp.local"),
];

/// Deterministic sessions, newest first; row ids `1000+n` down to `1001`.
/// Session `i` (0 = newest) is active when `active_every > 0 && i % active_every == 0`.
pub fn generate_sessions(n: usize, active_every: usize, seed: u64) -> Vec<SimSession> {
    generate_with(n, seed, |i| active_every > 0 && i % active_every == 0)
}

/// The default demo set: 75 sessions, 45 active (3 of every 5), seed 2024.
pub fn demo_sessions() -> Vec<SimSession> {
    generate_with(75, 2024, |i| i % 5 < 3)
}

/// Deterministic sessions with a custom "is session i active" rule.
pub fn generate_with(n: usize, seed: u64, active: impl Fn(usize) -> bool) -> Vec<SimSession> {
    let base = parse_datetime(BASE_TIME).expect("valid base time");
    let mut rng = Rng(seed ^ 0x5E55_10D2_0B00_0000);
    let mut start = base - 60 - rng.below(240) as i64;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if i > 0 {
            start -= 90 + rng.below(22 * 60) as i64;
        }
        let roll = rng.below(100);
        let (protocol, pair, proxy) = if roll < 45 {
            (
                "rdp",
                RDP[rng.below(RDP.len() as u64) as usize],
                "RDP Proxy",
            )
        } else if roll < 85 {
            (
                "ssh",
                SSH[rng.below(SSH.len() as u64) as usize],
                "SSH Proxy",
            )
        } else {
            (
                "http",
                HTTP[rng.below(HTTP.len() as u64) as usize],
                "Web Proxy",
            )
        };
        let user = rng.pick(USERS);
        let origin = rng.pick(ORIGINS);
        let session_id = rng.hex40();
        let (end, time) = if active(i) {
            (None, format_duration(base - start))
        } else {
            let mut dur = 20 + rng.below(150 * 60) as i64;
            if start + dur > base - 30 {
                dur = ((base - 30 - start) * 4 / 5).max(5);
            }
            (Some(format_datetime(start + dur)), format_duration(dur))
        };
        out.push(SimSession {
            id: (1000 + n - i).to_string(),
            user: user.to_string(),
            origin_ip: origin.to_string(),
            credential: pair.0.to_string(),
            device: pair.1.to_string(),
            protocol: protocol.to_string(),
            proxy: proxy.to_string(),
            session_id,
            start: format_datetime(start),
            end,
            time,
        });
    }
    out
}
