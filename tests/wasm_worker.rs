//! The same suite inside a service worker (closest to the MV3 background): no `window`,
//! globals only. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

#[path = "wasm_shared/mod.rs"]
mod shared;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_service_worker);

shared::whole_suite!();

/// The suite above really ran in a service worker: no `window`, a `registration`.
#[wasm_bindgen_test::wasm_bindgen_test]
fn runs_in_a_service_worker() {
    let g = js_sys::global();
    let has = |k: &str| js_sys::Reflect::has(&g, &k.into()).unwrap_or(false);
    assert!(!has("window"), "window exists: not a worker");
    assert!(
        has("registration"),
        "no ServiceWorkerGlobalScope.registration"
    );
    assert!(has("fetch") && has("setTimeout") && has("AbortController"));
}
