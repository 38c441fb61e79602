//! Benchmark hooks (bench/bench.mjs), compiled only with the `bench` feature: the extension's
//! module never contains them. Not part of the documented API.

use super::{report_js, to_js};
use crate::generation::Generation;
use crate::http::HttpResponse;
use crate::id::SessionRef;
use crate::outcome::{interpret_drop, OutcomeKind};
use crate::report::Report;
use crate::request::drop_request;
use crate::server::ServerUrl;
use crate::sessions::parse_list_all;
use wasm_bindgen::prelude::*;

const BENCH_SUCCESS: &str = "{\"code\":200,\"response\":{\"status\":200,\"message\":\"Session dropped successfully\",\"error\":false,\"error_code\":0,\"detail\":\"\",\"mensagem\":\"Sess\u{e3}o encerrada com sucesso\",\"erro\":false,\"cod_erro\":0},\"tenant\":\"Segura\"}";

/// Builds the DELETE for a session hash and interprets the success answer, `iterations`
/// times; returns how many were `dropped` (== iterations).
#[wasm_bindgen(js_name = __benchInterpret)]
pub fn bench_interpret(iterations: u32) -> u32 {
    let (Ok(server), Ok(SessionRef::Hash(id))) = (
        ServerUrl::parse("https://pam.example.com"),
        SessionRef::hash("3fcf1e4a16104e328d6794e1b9693cfc457871d2"),
    ) else {
        return 0;
    };
    let resp = HttpResponse::json(200, BENCH_SUCCESS.as_bytes().to_vec());
    let mut ok = 0;
    for _ in 0..iterations {
        let req = drop_request(&server, Generation::Api, &id, "eyJ.bench.token");
        if interpret_drop(&resp, req.has_bearer()).kind == OutcomeKind::Dropped {
            ok += 1;
        }
    }
    ok
}

/// What `listActive` does with a list-all body: parse the bytes, keep the active sessions,
/// convert them to JS → `{ ok: true, total, activeCount, sessions }` or a Report.
#[wasm_bindgen(js_name = __benchParseActive)]
pub fn bench_parse_active(body: &[u8]) -> JsValue {
    match parse_list_all(body, true) {
        Ok(list) => to_js(&list.to_view(None)),
        Err(o) => report_js(Report::new(o)),
    }
}
