// The wasm core's start: begun first at load by main.js (before any extension API is touched),
// awaited inside the handlers (a service worker refuses top-level await).
import { makeReport } from "../lib/report.js";

/**
 * @param {(opts: object) => Promise<unknown>} init  the wasm-bindgen glue's default export
 * @param {URL|string} wasmUrl
 * @returns {{ ready: Promise<boolean>, failed: () => object }} `failed()` is the Report to answer
 *   with when `ready` resolved false.
 */
export function startCore(init, wasmUrl) {
  let error = null;
  const ready = Promise.resolve()
    .then(() => init({ module_or_path: wasmUrl }))
    .then(
      () => true,
      (err) => {
        error = err;
        console.error("Session Drop: the wasm core failed to load", err);
        return false;
      },
    );
  const failed = () => {
    const detail = error && error.message ? error.message : String(error ?? "");
    return makeReport("core_failed", { detail: detail.slice(0, 300) || "?" });
  };
  return { ready, failed };
}
