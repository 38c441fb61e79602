// The first minute (issue 10): right after an install, an unconfigured extension opens its
// options once; the toolbar action shows a badge until it is configured (never when a policy or
// the build's preset configures it).

export const ONBOARDED_KEY = "onboarded";
export const BADGE_TEXT = "!";
/** How long a fresh install waits for policy values before it counts as unconfigured: a browser
 *  that force-installs the extension delivers its managed values a few seconds after the install
 *  (Chromium: 2–3 s, as a storage.onChanged "managed" event). */
export const POLICY_GRACE_MS = 6000;
const POLL_MS = 250;

/**
 * @param {object} d
 * @param {object} d.api      action, runtime.openOptionsPage, storage.local, i18n
 * @param {object} d.config   background/config.js
 */
export function makeOnboarding({ api, config, sleep = (ms) => new Promise((r) => setTimeout(r, ms)), now = () => Date.now() }) {
  const action = () => api.action ?? api.browserAction ?? null;

  async function badge(cfg) {
    const a = action();
    if (!a) return;
    const c = cfg ?? (await config.get());
    // Before the first install has been settled (policy grace below), no badge: a policy may be on
    // its way.
    const show = !c.configured && (await onboarded());
    try {
      await a.setBadgeText({ text: show ? BADGE_TEXT : "" });
      if (show) {
        await a.setBadgeBackgroundColor?.({ color: "#b3261e" });
        await a.setTitle({ title: api.i18n.getMessage("badgeNotConfiguredTitle") || "Session Drop: not configured" });
      } else {
        await a.setTitle({ title: api.i18n.getMessage("actionTitle") || "Session Drop" });
      }
    } catch (err) {
      console.warn("Session Drop: cannot set the badge", err);
    }
  }

  async function onboarded() {
    const got = await api.storage.local.get(ONBOARDED_KEY).catch(() => ({}));
    return !!(got && got[ONBOARDED_KEY]);
  }

  return {
    badge,
    /** runtime.onInstalled */
    async installed(details) {
      if (!details || details.reason !== "install") {
        await api.storage.local.set({ [ONBOARDED_KEY]: true }).catch(() => {});
        await badge();
        return;
      }
      if (await onboarded()) return;
      let cfg = await config.get();
      const until = now() + POLICY_GRACE_MS;
      while (!cfg.configured && !cfg.byPolicy && now() < until) {
        await sleep(POLL_MS);
        cfg = await config.get();
      }
      await api.storage.local.set({ [ONBOARDED_KEY]: true }).catch(() => {});
      await badge(cfg);
      if (cfg.configured || cfg.byPolicy) return;
      await api.runtime.openOptionsPage();
    },
  };
}
