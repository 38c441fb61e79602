// Session Drop content script: the entry point (esbuild bundles it, and what it imports, into the
// package's content/console.js, one IIFE; see lib/content-scripts.js).
//
// Runs only in a top-level document: a console page framed by another site gets nothing (the
// background also refuses messages from frames). Asks the background for its status first: on a
// page whose origin is not the configured appliance (port-less match patterns also match other
// ports) the background answers invalid_request and nothing is decorated.

import { setExtraHeaders } from "./dom.js";
import { extensionApi, alive } from "./port.js";
import * as terminateButton from "./features/terminate-button.js";

/** The features, each `{ name, init(signal, ctx) }` (Refined GitHub style). */
export const FEATURES = Object.freeze([terminateButton]);

/**
 * Key under which a running instance leaves its stop function on the content script's own global
 * (the isolated world / Firefox sandbox; the page cannot see it), so that a second injection into
 * the same world (re-registration, update) stops the first one before it starts.
 */
export const STOP = Symbol.for("session-drop.stop");

/** Whether `win` is a top-level browsing context (not in a frame). */
export function isTopLevel(win) {
  try {
    return !!win && win.top === win;
  } catch {
    return false;
  }
}

/** Starts the content script in `root` (the content script's global). Returns false when it does nothing. */
export function boot(root, { features = FEATURES } = {}) {
  const win = root.window || root;
  const doc = root.document;
  if (!doc || !isTopLevel(win)) return false;
  const ext = extensionApi(root);
  if (!ext || !ext.runtime) return false;

  if (typeof root[STOP] === "function") {
    try {
      root[STOP]();
    } catch {
      // previous instance already gone
    }
  }
  const controller = new AbortController();
  const signal = controller.signal;
  root[STOP] = () => controller.abort();

  let pending = null;
  function fetchStatus() {
    if (!pending) {
      pending = (async () => {
        if (!alive(ext)) throw new Error("context invalidated");
        const answer = await ext.runtime.sendMessage({ type: "status" });
        if (!answer || typeof answer !== "object") throw new Error("no answer");
        if (answer.kind === "invalid_request" || answer.kind === "not_top_frame") return { rejected: true };
        setExtraHeaders(answer.columnTitles);
        return { configured: answer.configured === true };
      })().finally(() => {
        pending = null;
      });
    }
    return pending;
  }

  const ctx = { doc, ext };
  let started = false;
  function start() {
    if (started || signal.aborted) return;
    started = true;
    for (const feature of features) {
      try {
        feature.init(signal, ctx);
      } catch (err) {
        console.error(`Session Drop: feature ${feature.name} failed to start`, err);
      }
    }
  }

  fetchStatus().then(
    (st) => {
      if (st && st.rejected) return; // not the configured appliance
      start();
    },
    () => {
      if (alive(ext)) start(); // background hiccup: decorate anyway, clicks report the problem
    },
  );

  // Settings may change in the options page: refresh when the person comes back to this tab.
  const refresh = () => {
    if (signal.aborted || !alive(ext)) return;
    fetchStatus().then(
      (st) => {
        if (st && st.rejected && started) controller.abort(); // the appliance changed in the options
      },
      () => {},
    );
  };
  doc.addEventListener("visibilitychange", () => {
    if (doc.visibilityState === "visible") refresh();
  }, { signal });
  win.addEventListener("focus", refresh, { signal });
  return true;
}

boot(globalThis);
