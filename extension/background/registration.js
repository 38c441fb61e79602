// The console content script, registered dynamically for the saved server's pattern (no baked
// server), re-checked at every start and after every change of settings or permissions.
import { CONTENT_SCRIPT } from "../lib/content-scripts.js";

/**
 * @param {object} d
 * @param {object} d.api      scripting, runtime.getManifest, tabs
 * @param {object} d.config   background/config.js
 */
export function makeRegistration({ api, config, script = CONTENT_SCRIPT }) {
  let chain = Promise.resolve();

  async function injectIntoOpenTabs(pattern, origin) {
    let tabs = [];
    try {
      tabs = await api.tabs.query({ url: pattern });
    } catch {
      return;
    }
    for (const tab of tabs || []) {
      if (typeof tab.id !== "number") continue;
      try {
        if (tab.url && new URL(tab.url).origin !== origin) continue;
      } catch {
        continue;
      }
      const target = { tabId: tab.id, allFrames: script.allFrames };
      Promise.resolve().then(() => api.scripting.insertCSS({ target, files: [...script.css] })).catch(() => {});
      Promise.resolve().then(() => api.scripting.executeScript({ target, files: [...script.js] })).catch(() => {});
    }
  }

  async function sync() {
    if (!api.scripting || !api.scripting.registerContentScripts) return;
    const cfg = await config.get();
    const wanted = cfg.server && cfg.permission ? cfg.server.matchPattern : null;
    const manifest = api.runtime.getManifest();
    const staticPatterns = (manifest.content_scripts || []).flatMap((c) => c.matches || []);
    const target = wanted && !staticPatterns.includes(wanted) ? wanted : null;
    let existing = [];
    try {
      existing = await api.scripting.getRegisteredContentScripts({ ids: [script.id] });
    } catch {
      existing = [];
    }
    const cur = existing && existing[0];
    const same = cur && target
      && JSON.stringify(cur.matches || []) === JSON.stringify([target])
      && JSON.stringify(cur.js || []) === JSON.stringify(script.js)
      && cur.allFrames === script.allFrames;
    if (same) return;
    if (cur) await api.scripting.unregisterContentScripts({ ids: [script.id] });
    if (!target) return;
    const reg = {
      id: script.id,
      matches: [target],
      js: [...script.js],
      css: [...script.css],
      runAt: script.runAt,
      allFrames: script.allFrames,
      persistAcrossSessions: true,
    };
    try {
      await api.scripting.registerContentScripts([reg]);
    } catch {
      // Older engines without persistence: we re-register at every start anyway.
      reg.persistAcrossSessions = false;
      await api.scripting.registerContentScripts([reg]);
    }
    await injectIntoOpenTabs(target, cfg.server.origin);
  }

  return {
    /** Serialised: concurrent calls run one after the other. */
    sync() {
      chain = chain.then(sync).catch((err) => {
        console.error("Session Drop: content script registration failed", err);
      });
      return chain;
    },
  };
}
