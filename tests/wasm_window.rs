//! wasm-bindgen-test in a headless Chromium window: the exported client against the simulator.
//! Run by `cargo xtask test` (or see tests/wasm_shared/mod.rs for running it by hand).
#![cfg(target_arch = "wasm32")]

#[path = "wasm_shared/mod.rs"]
mod shared;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

shared::whole_suite!();

#[wasm_bindgen::prelude::wasm_bindgen(module = "/bench/listgen.js")]
extern "C" {
    #[wasm_bindgen(js_name = generateListJson)]
    fn js_generate_list_json(n: u32, active_every: u32) -> String;
}

/// The benchmark's JS generator (bench/listgen.js) writes exactly the core's bytes.
#[wasm_bindgen_test::wasm_bindgen_test]
fn list_generator_matches_the_core() {
    for (n, k) in [(0, 10), (1, 1), (37, 10), (1000, 10), (300, 0), (120, 7)] {
        let js = js_generate_list_json(n, k);
        let core = session_drop::sessions::generate_list_json(n as usize, k as usize);
        assert_eq!(js.len(), core.len(), "n={n} k={k}");
        assert!(
            js == core,
            "n={n} k={k}: first difference at byte {:?}",
            js.bytes().zip(core.bytes()).position(|(a, b)| a != b)
        );
    }
}
