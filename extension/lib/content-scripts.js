// The console content script, as registered dynamically by the background (no baked server) and as
// written statically into the manifest by the build (baked `--server`). Keep in sync with
// BUILD-CONTRACT.md (a unit test checks it).
export const CONTENT_SCRIPT = Object.freeze({
  id: "session-drop-console",
  js: Object.freeze(["content/dom.js", "content/features/terminate-button.js", "content/main.js"]),
  css: Object.freeze(["content/terminate.css"]),
  runAt: "document_idle",
  allFrames: true,
});
