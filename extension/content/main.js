// Session Drop content script 3/3: starts the features.
// Classic script. Asks the background for its status first: on a page whose origin is not the
// configured appliance (port-less match patterns also match other ports) the background answers
// invalid_request and nothing is decorated.
(function (root) {
  "use strict";

  const ns = root.__sessionDrop;
  if (!ns || !ns.dom || !ns.features || !root.document) return;
  const ext = root.browser ?? root.chrome;

  // Injected again into the same world (re-registration, update): stop the previous instance first.
  if (typeof ns.stop === "function") {
    try {
      ns.stop();
    } catch {
      // previous instance already gone
    }
  }
  const controller = new AbortController();
  const signal = controller.signal;
  ns.stop = () => controller.abort();

  function alive() {
    try {
      return !!(ext && ext.runtime && ext.runtime.id);
    } catch {
      return false;
    }
  }

  let status = null;
  let pending = null;

  function fetchStatus() {
    if (!pending) {
      pending = (async () => {
        if (!alive()) throw new Error("context invalidated");
        const answer = await ext.runtime.sendMessage({ type: "status" });
        if (!answer || typeof answer !== "object") throw new Error("no answer");
        if (answer.kind === "invalid_request") return { rejected: true };
        ns.dom.setExtraHeaders(answer.columnTitles);
        status = {
          configured: answer.configured === true,
          askBeforeTerminate: answer.askBeforeTerminate === true,
          lang: answer.lang === "pt-BR" ? "pt-BR" : "en",
        };
        return status;
      })().finally(() => {
        pending = null;
      });
    }
    return pending;
  }

  const ctx = {
    cachedStatus: () => status,
    getStatus: fetchStatus,
  };

  let started = false;
  function start() {
    if (started || signal.aborted) return;
    started = true;
    for (const feature of Object.values(ns.features)) {
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
      if (alive()) start(); // background hiccup: decorate anyway, clicks report the problem
    },
  );

  // Settings may change in the options page: refresh when the user comes back to this tab.
  const refresh = () => {
    if (signal.aborted || !alive()) return;
    fetchStatus().then(
      (st) => {
        if (st && st.rejected && started) controller.abort(); // the appliance changed in the options
      },
      () => {},
    );
  };
  root.document.addEventListener("visibilitychange", () => {
    if (root.document.visibilityState === "visible") refresh();
  }, { signal });
  root.addEventListener("focus", refresh, { signal });
})(typeof globalThis !== "undefined" ? globalThis : this);
