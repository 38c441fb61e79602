// The first minute (issue 10): right after an install, an unconfigured extension opens its
// options once; the toolbar action shows a badge until it is configured (never when a policy or
// the build's preset configures it).

export const ONBOARDED_KEY = "onboarded";
export const BADGE_TEXT = "!";

/**
 * @param {object} d
 * @param {object} d.api      action, runtime.openOptionsPage, storage.local, i18n
 * @param {object} d.config   background/config.js
 */
export function makeOnboarding({ api, config }) {
  const action = () => api.action ?? api.browserAction ?? null;

  async function badge(cfg) {
    const a = action();
    if (!a) return;
    const c = cfg ?? (await config.get());
    const show = !c.configured;
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

  return {
    badge,
    /** runtime.onInstalled */
    async installed(details) {
      const cfg = await config.get();
      await badge(cfg);
      if (!details || details.reason !== "install" || cfg.configured || cfg.byPolicy) return;
      const got = await api.storage.local.get(ONBOARDED_KEY).catch(() => ({}));
      if (got && got[ONBOARDED_KEY]) return;
      await api.storage.local.set({ [ONBOARDED_KEY]: true }).catch(() => {});
      await api.runtime.openOptionsPage();
    },
  };
}
