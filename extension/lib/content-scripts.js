// The console content script, as registered dynamically by the background (no baked server) and as
// written statically into the manifest by the build (baked `--server`). Keep in sync with
// BUILD-CONTRACT.md (a unit test checks it).
//
// `content/console.js` exists only in the packages: `cargo xtask dist` bundles it with esbuild
// (one IIFE) from the ES module `content/main.js` and what it imports. The script itself does
// nothing outside a top-level document, whatever `allFrames` says.
export const CONTENT_SCRIPT = Object.freeze({
  id: "session-drop-console",
  js: Object.freeze(["content/console.js"]),
  css: Object.freeze(["content/terminate.css"]),
  runAt: "document_idle",
  allFrames: true,
});

/** The source module esbuild bundles into CONTENT_SCRIPT.js[0]. */
export const CONTENT_ENTRY = "content/main.js";
