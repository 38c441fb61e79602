//! Stable-toolchain fuzz harness of every parser and interpreter of the core: the token
//! answer, the drop answer, list-all, list-one, the server URL and the session id.
//!
//! `cargo xtask fuzz [--seconds N]` (or `cargo run --release -p session-drop-fuzz -- --seconds
//! N [--seed S]`). Time-boxed; prints the inputs tried, the panics found (each saved under
//! `target/fuzz-crashes/`), invariant violations, and the slowest input's time per byte among
//! inputs of 64 KiB or more (a linearity check: a super-linear parser shows up as a large
//! ns/byte on the largest inputs).
//!
//! Inputs: structure-aware (the vendor's answer shapes — envelope, OAuth answer, session lists,
//! English and Portuguese keys — built from an `arbitrary::Unstructured` byte stream, then
//! mutated: truncation, byte flips, insertions, BOM and whitespace, duplicated keys), random
//! bytes, large inputs (up to several MB), deep nesting and huge numbers. A seeded fastrand
//! RNG feeds it, so a run is reproducible from its seed.

use arbitrary::Unstructured;
use session_drop::id::{ref_from_value, row_from_value};
use session_drop::{
    generate_list_json, interpret_drop, interpret_token, parse_list_all, parse_list_one,
    HttpResponse, OutcomeKind, ServerUrl, SessionId, SessionRef,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

const KEYS: &[&str] = &[
    "code",
    "response",
    "status",
    "message",
    "mensagem",
    "error",
    "erro",
    "error_code",
    "cod_erro",
    "detail",
    "tenant",
    "exception",
    "error_description",
    "access_token",
    "token_type",
    "expires_in",
    "remote_sessions",
    "remote_session",
    "sessoes_remotas",
    "sessões_remotas",
    "id",
    "ID",
    "user",
    "usuario",
    "usuário",
    "origin_ip",
    "credential",
    "credencial",
    "device",
    "dispositivo",
    "protocol",
    "proxy",
    "session_id",
    "hash",
    "start",
    "inicio",
    "end",
    "fim",
    "time",
    "tempo",
    "prevent_purge",
    "request",
    "ITSM",
    "hint",
    "x",
    "us\\u0065r",
    "\\u0065nd",
    "",
];

const STRINGS: &[&str] = &[
    "",
    "Session dropped successfully",
    "Sessão encerrada com sucesso",
    "An error occurred while droping session",
    "An error occurred while dropping session",
    "You are not authorized to access this resource",
    "no Route matched with those values",
    "Resource sub not found",
    "Unexpected error.",
    "Request timed out",
    "Client authentication failed",
    "invalid_client",
    "invalid_token",
    "1002: Session not found",
    "1003: Unexpected identifier type",
    "Bearer",
    "bearer",
    "mac",
    "3600",
    " 7200 ",
    "NaN",
    "inf",
    "-1",
    "1e400",
    "2024-05-06 16:05:07",
    "0000-00-00 00:00:00",
    "null",
    "true",
    "0",
    "\\ud800",
    "\\udc00\\ud800",
    "\\u0000",
    "\\u202e",
    "a\\\"b",
    "\\\\",
    "é",
    "\u{1F600}",
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.x.y",
    "3fcf1e4a16104e328d6794e1b9693cfc457871d2",
    "../x",
    "a/b",
    "%2e%2e",
    "<br />",
    "\n\t\r",
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "200",
    "500",
    "404",
    "1002",
    "1003",
    "3600",
    "-5",
    "1e308",
    "1e400",
    "-1e400",
    "1e-400",
    "3.14",
    "18446744073709551616",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "0.000001",
    "1E+2",
    "9007199254740993",
];

/// Builds JSON-ish text from the vendor's vocabulary.
struct Gen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
    out: String,
    budget: usize,
}

impl Gen<'_, '_> {
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.u.choose_index(xs.len()).unwrap_or(0)]
    }

    fn byte(&mut self) -> u8 {
        self.u.arbitrary::<u8>().unwrap_or(0)
    }

    fn string(&mut self) -> String {
        match self.byte() % 8 {
            0 => {
                // Arbitrary characters (escaped as JSON would need them, or not).
                let s: String = self.u.arbitrary().unwrap_or_default();
                if self.byte().is_multiple_of(2) {
                    serde_json_like_escape(&s)
                } else {
                    s
                }
            }
            _ => self.pick(STRINGS).to_owned(),
        }
    }

    fn value(&mut self, depth: u32) {
        if self.budget == 0 {
            self.out.push_str("null");
            return;
        }
        self.budget -= 1;
        match self.byte() % 12 {
            0..=2 => {
                let s = self.string();
                self.out.push('"');
                self.out.push_str(&s);
                self.out.push('"');
            }
            3 | 4 => {
                let n = self.pick(NUMBERS);
                self.out.push_str(n);
            }
            5 => {
                let w = self.pick(&["true", "false", "null"]);
                self.out.push_str(w);
            }
            6 | 7 if depth < 6 => self.object(depth + 1),
            8 if depth < 6 => self.array(depth + 1),
            9 if depth < 6 => self.sessions(depth + 1),
            _ => self.out.push_str("\"\""),
        }
    }

    fn object(&mut self, depth: u32) {
        self.out.push('{');
        let n = self.byte() % 9;
        for i in 0..n {
            if i > 0 {
                self.out.push(',');
            }
            let k = self.pick(KEYS);
            self.out.push('"');
            self.out.push_str(k);
            self.out.push_str("\":");
            self.value(depth);
        }
        self.out.push('}');
    }

    fn array(&mut self, depth: u32) {
        self.out.push('[');
        let n = self.byte() % 6;
        for i in 0..n {
            if i > 0 {
                self.out.push(',');
            }
            self.value(depth);
        }
        self.out.push(']');
    }

    /// A list of session-like objects.
    fn sessions(&mut self, depth: u32) {
        self.out.push('[');
        let n = self.byte() % 12;
        for i in 0..n {
            if i > 0 {
                self.out.push(',');
            }
            self.object(depth);
        }
        self.out.push(']');
    }

    /// One of the vendor's answer shapes.
    fn answer(&mut self) {
        match self.byte() % 6 {
            0 => {
                // Envelope.
                let st = self.pick(NUMBERS);
                let msg = self.string();
                let flag = self.pick(&["true", "false", "1", "0", "\"false\"", "null"]);
                let code = self.pick(NUMBERS);
                self.out.push_str(&format!(
                    r#"{{"code":{st},"response":{{"status":{st},"message":"{msg}","error":{flag},"error_code":{code},"detail":"","mensagem":"{msg}","erro":{flag},"cod_erro":{code}}},"tenant":"Segura""#
                ));
                if self.byte().is_multiple_of(2) {
                    self.out.push_str(",\"remote_sessions\":");
                    self.sessions(1);
                }
                self.out.push('}');
            }
            1 => {
                // OAuth answer.
                let tt = self.string();
                let ei = self.pick(NUMBERS);
                let at = self.string();
                self.out.push_str(&format!(
                    r#"{{"token_type":"{tt}","expires_in":{ei},"access_token":"{at}"}}"#
                ));
            }
            2 => {
                self.out.push_str(r#"{"code":200,"remote_session":"#);
                self.sessions(1);
                self.out.push('}');
            }
            _ => self.object(0),
        }
    }
}

/// Escapes quotes, backslashes and controls (as serde_json would), leaving the rest.
fn serde_json_like_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o
}

/// Random damage to an input.
fn mutate(rng: &mut fastrand::Rng, b: &mut Vec<u8>) {
    let n = rng.usize(0..4);
    for _ in 0..n {
        if b.is_empty() {
            b.push(rng.u8(..));
            continue;
        }
        match rng.u8(0..8) {
            0 => {
                let at = rng.usize(0..b.len());
                b.truncate(at);
            }
            1 => {
                let at = rng.usize(0..b.len());
                b[at] = rng.u8(..);
            }
            2 => {
                let at = rng.usize(0..=b.len());
                let k = rng.usize(1..8);
                for _ in 0..k {
                    b.insert(at.min(b.len()), rng.u8(..));
                }
            }
            3 => {
                let mut v = b"\xEF\xBB\xBF".to_vec();
                v.append(b);
                *b = v;
            }
            4 => b.extend_from_slice(b" \r\n\t"),
            5 => b.extend_from_slice(
                b"\n<br />\n<b>Notice</b>: Undefined index in /var/www/x.php on line 1<br />\n",
            ),
            6 => {
                // Duplicate a slice.
                let s = rng.usize(0..b.len());
                let e = rng.usize(s..=b.len().min(s + 64));
                let piece = b[s..e].to_vec();
                let at = rng.usize(0..=b.len());
                b.splice(at..at, piece);
            }
            _ => {
                let at = rng.usize(0..b.len());
                let with = *[b'{', b'}', b'[', b']', b'"', b'\\', b',', b':']
                    .get(rng.usize(0..8))
                    .unwrap_or(&b'"');
                b[at] = with;
            }
        }
    }
}

/// One input: its bytes, how it was made.
fn make_input(rng: &mut fastrand::Rng, seed_bytes: &mut Vec<u8>) -> (Vec<u8>, &'static str) {
    let roll = rng.u32(0..100_000);
    if roll < 4 {
        // Large: a generated list of up to ~20,000 sessions (~8 MB), maybe damaged.
        let n = rng.usize(1_000..20_000);
        let mut b = generate_list_json(n, rng.usize(0..20)).into_bytes();
        if rng.bool() {
            mutate(rng, &mut b);
        }
        return (b, "large list");
    }
    if roll < 10 {
        // Deep nesting.
        let d = rng.usize(100..200_000);
        let (o, c) = if rng.bool() {
            ("[", "]")
        } else {
            (r#"{"a":"#, "}")
        };
        let mut s = String::from(r#"{"response":"#);
        s.push_str(&o.repeat(d));
        s.push_str(&c.repeat(if rng.bool() { d } else { d / 2 }));
        s.push('}');
        return (s.into_bytes(), "deep");
    }
    if roll < 16 {
        // Large random bytes (up to 2 MB) or a huge number.
        if rng.bool() {
            let n = rng.usize(64 * 1024..2 * 1024 * 1024);
            let mut b = vec![0u8; n];
            rng.fill(&mut b);
            return (b, "large random");
        }
        let digits = "9".repeat(rng.usize(300..200_000));
        return (
            format!(r#"{{"expires_in":{digits},"access_token":"a","error_code":{digits}}}"#)
                .into_bytes(),
            "huge number",
        );
    }
    if roll < 15_000 {
        let n = rng.usize(0..512);
        let mut b = vec![0u8; n];
        rng.fill(&mut b);
        return (b, "random bytes");
    }
    // Structure-aware.
    seed_bytes.resize(rng.usize(16..2048), 0);
    rng.fill(seed_bytes);
    let mut u = Unstructured::new(seed_bytes);
    let mut g = Gen {
        u: &mut u,
        out: String::new(),
        budget: 400,
    };
    g.answer();
    let mut b = g.out.into_bytes();
    if rng.u8(0..3) == 0 {
        mutate(rng, &mut b);
    }
    (b, "structured")
}

#[derive(Default)]
struct Stats {
    inputs: u64,
    panics: u64,
    violations: u64,
    bytes: u64,
    slowest_ns_per_byte: f64,
    slowest_len: usize,
    slowest_target: &'static str,
    largest: usize,
}

fn check(ok: bool, what: &str, stats: &mut Stats) {
    if !ok {
        stats.violations += 1;
        if stats.violations <= 10 {
            eprintln!("invariant violated: {what}");
        }
    }
}

fn message_ok(m: &Option<String>) -> bool {
    m.as_ref()
        .is_none_or(|m| m.chars().count() <= 300 && !m.chars().any(char::is_control))
}

/// Runs every target on one input; returns the time taken per target.
fn run_targets(input: &[u8], status: u16, stats: &mut Stats) -> [(&'static str, Duration); 6] {
    let ct = if status.is_multiple_of(3) {
        Some("text/html")
    } else {
        Some("application/json")
    };
    let resp = HttpResponse::new(status, ct, input.to_vec());
    let t = Instant::now();
    let tok = interpret_token(&resp, 1.7e12);
    let d_token = t.elapsed();
    match &tok {
        Ok(t) => check(
            (1.7e12 + 60_000.0..=1.7e12 + 7.0 * 86_400_000.0).contains(&t.expires_at_ms)
                && !t.access_token.is_empty()
                && (200..300).contains(&status),
            "token lifetime within [60 s, 7 d], 2xx, non-empty",
            stats,
        ),
        Err(o) => check(
            ((200..300).contains(&status) && o.server_message.is_none())
                || (!(200..300).contains(&status) && message_ok(&o.server_message)),
            "a 2xx token body is never quoted",
            stats,
        ),
    }
    let t = Instant::now();
    let o = interpret_drop(&resp, status.is_multiple_of(2));
    let d_drop = t.elapsed();
    check(
        message_ok(&o.server_message),
        "drop message sanitised",
        stats,
    );
    check(
        o.kind != OutcomeKind::Dropped || (200..300).contains(&status),
        "dropped needs a 2xx",
        stats,
    );
    let t = Instant::now();
    for active in [true, false] {
        if let Ok(l) = parse_list_all(input, active) {
            check(l.sessions.len() <= l.total, "kept <= total", stats);
            if active {
                check(
                    l.sessions.iter().all(|s| s.end.is_none())
                        && l.sessions.windows(2).all(|w| w[0].start >= w[1].start),
                    "active, newest first",
                    stats,
                );
            }
        }
    }
    let d_list = t.elapsed();
    let t = Instant::now();
    let _ = parse_list_one(&resp);
    let d_one = t.elapsed();
    // Server URL and session id: on the input as text (first 4 KiB; they are short fields).
    let text = String::from_utf8_lossy(&input[..input.len().min(4096)]);
    let t = Instant::now();
    if let Ok(u) = ServerUrl::parse(&text) {
        let again = ServerUrl::parse(&u.base());
        check(again.as_ref() == Ok(&u), "server URL idempotent", stats);
    }
    let d_url = t.elapsed();
    let t = Instant::now();
    if let Ok(id) = SessionId::new(&text) {
        let enc = id.encoded();
        check(
            !enc.contains('/')
                && !enc.contains('?')
                && !enc.contains('#')
                && enc != "."
                && enc != "..",
            "an id stays one path segment",
            stats,
        );
    }
    let _ = SessionRef::row_id(&text);
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(input) {
        let _ = ref_from_value(&v);
        let _ = row_from_value(&v);
    }
    let d_id = t.elapsed();
    [
        ("token", d_token),
        ("drop", d_drop),
        ("list-all", d_list),
        ("list-one", d_one),
        ("server URL", d_url),
        ("session id", d_id),
    ]
}

fn main() {
    let mut seconds = 60u64;
    let mut seed = 0x5e55_10d0_u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or(seconds),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(seed),
            _ => {
                eprintln!("usage: session-drop-fuzz [--seconds N] [--seed S]");
                std::process::exit(2);
            }
        }
    }
    std::panic::set_hook(Box::new(|_| {}));
    let crash_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("fuzz-crashes");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut seed_bytes = Vec::new();
    let mut stats = Stats::default();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut last_report = start;
    let mut kinds: std::collections::BTreeMap<&'static str, u64> = Default::default();
    while Instant::now() < deadline {
        let (input, how) = make_input(&mut rng, &mut seed_bytes);
        let status = *[200u16, 200, 201, 400, 401, 404, 500, 502, 504, 302, 0, 299]
            .get(rng.usize(0..12))
            .unwrap_or(&200);
        *kinds.entry(how).or_default() += 1;
        stats.inputs += 1;
        stats.bytes += input.len() as u64;
        stats.largest = stats.largest.max(input.len());
        let r = catch_unwind(AssertUnwindSafe(|| {
            let mut local = Stats::default();
            let times = run_targets(&input, status, &mut local);
            (times, local.violations)
        }));
        match r {
            Ok((times, violations)) => {
                stats.violations += violations;
                if violations > 0 && stats.violations <= 10 {
                    let _ = std::fs::create_dir_all(&crash_dir);
                    let _ = std::fs::write(
                        crash_dir.join(format!("violation-{}.bin", stats.inputs)),
                        &input,
                    );
                }
                if input.len() >= 64 * 1024 {
                    // Timing noise (a shared machine) only ever adds: keep the fastest of three.
                    let mut times = times;
                    for _ in 0..2 {
                        let again = run_targets(&input, status, &mut Stats::default());
                        for (t, a) in times.iter_mut().zip(again) {
                            t.1 = t.1.min(a.1);
                        }
                    }
                    for (target, d) in times {
                        let per = d.as_nanos() as f64 / input.len() as f64;
                        if per > stats.slowest_ns_per_byte {
                            stats.slowest_ns_per_byte = per;
                            stats.slowest_len = input.len();
                            stats.slowest_target = target;
                        }
                    }
                }
            }
            Err(_) => {
                stats.panics += 1;
                let _ = std::fs::create_dir_all(&crash_dir);
                let path = crash_dir.join(format!("panic-{}-{status}.bin", stats.inputs));
                let _ = std::fs::write(&path, &input);
                eprintln!(
                    "PANIC on input {} (status {status}): saved {}",
                    stats.inputs,
                    path.display()
                );
            }
        }
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!(
                "... {:.0} s: {} inputs, {} panics",
                start.elapsed().as_secs_f64(),
                stats.inputs,
                stats.panics
            );
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("== session-drop fuzz (seed {seed}, {secs:.0} s) ==");
    println!(
        "targets: token answer, drop answer, list-all (active and all), list-one, server URL, session id/ref"
    );
    println!(
        "inputs tried: {} ({:.0}/s), {:.1} MB in all, largest {:.1} MB",
        stats.inputs,
        stats.inputs as f64 / secs,
        stats.bytes as f64 / 1e6,
        stats.largest as f64 / 1e6
    );
    println!("by kind: {kinds:?}");
    println!("panics found: {}", stats.panics);
    println!("invariant violations: {}", stats.violations);
    println!(
        "slowest input >= 64 KiB: {:.2} ns/byte ({} on {:.2} MB)",
        stats.slowest_ns_per_byte,
        stats.slowest_target,
        stats.slowest_len as f64 / 1e6
    );
    if stats.panics > 0 || stats.violations > 0 {
        std::process::exit(1);
    }
}
