//! The same suite inside a service worker (closest to the MV3 background): no `window`,
//! globals only. Run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

#[path = "wasm_shared/mod.rs"]
mod shared;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_service_worker);

shared::wasm_suite!(
    drop_succeeds_and_token_is_reused,
    expired_token_is_renewed_once_and_drop_retried,
    refused_renewal_is_reported_not_looped,
    timeout_is_reported_within_the_configured_time,
    already_ended_session,
    iso_release_auto_falls_back_and_remembers,
    fixed_generation_does_not_fall_back,
    list_active_returns_only_active_sessions,
    invalid_ids_are_rejected_without_a_request,
    row_id_is_resolved_then_dropped,
    test_connection_and_bad_credentials,
    network_error_is_reported,
    config_errors_throw_report_objects,
    curl_state_and_lang,
);

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
