//! Native figures for the core. `cargo run --release --example bench_core`
//! Prints numbers only (no assertions on time).

use session_drop::{
    drop_request, generate_list_json, interpret_drop, parse_list_all, Generation, HttpResponse,
    ServerUrl, SessionId,
};
use std::hint::black_box;
use std::time::Instant;

const LATEST_OK: &str = r#"{"code":200,"response":{"status":200,"message":"Session dropped successfully","error":false,"error_code":0,"detail":"","mensagem":"Sessão encerrada com sucesso","erro":false,"cod_erro":0},"tenant":"Segura"}"#;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let server = ServerUrl::parse("https://pam.example.com:8443").unwrap();
    let id = SessionId::new("3fcf1e4a16104e328d6794e1b9693cfc457871d2").unwrap();
    let resp = HttpResponse::json(200, LATEST_OK.as_bytes().to_vec());

    // Drop: build the DELETE + interpret the answer. Median over batches.
    const BATCH: usize = 2_000;
    const BATCHES: usize = 51;
    let mut per_op_us = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let t = Instant::now();
        for _ in 0..BATCH {
            let req = drop_request(
                black_box(&server),
                Generation::Api,
                black_box(&id),
                "eyJ0eXAiOiJKV1Qi.token",
            );
            black_box(&req);
            let o = interpret_drop(black_box(&resp), true);
            black_box(o);
        }
        per_op_us.push(t.elapsed().as_secs_f64() * 1e6 / BATCH as f64);
    }
    let drop_us = median(&mut per_op_us);
    println!("drop build+interpret: {drop_us:.2} µs/op (median of {BATCHES}×{BATCH})");

    // 100 000-session list, 10% active.
    let n = 100_000;
    let body = generate_list_json(n, 10);
    let mut ms = Vec::new();
    let mut kept = 0;
    for _ in 0..9 {
        let t = Instant::now();
        let l = parse_list_all(black_box(body.as_bytes()), true).unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        kept = l.sessions.len();
        assert_eq!(l.total, n);
        black_box(l);
    }
    let list_ms = median(&mut ms);
    println!(
        "parse list-all: {n} sessions ({:.1} MB, {kept} active kept) in {list_ms:.1} ms (median of 9) = {:.0} sessions/s, {:.0} MB/s",
        body.len() as f64 / 1e6,
        n as f64 / (list_ms / 1e3),
        body.len() as f64 / 1e6 / (list_ms / 1e3)
    );
}
