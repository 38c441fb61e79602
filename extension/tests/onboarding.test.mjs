// Issue 10, the first minute: options opened once after an install of an unconfigured extension,
// a badge until it is configured, neither when a policy configures it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { importBg, fakeStorage, fakeCfg } from "./bgfakes.mjs";

const { makeOnboarding, BADGE_TEXT, POLICY_GRACE_MS } = await importBg("onboarding");

function env(cfg) {
  const calls = { options: 0, badge: [], title: [] };
  const api = {
    action: {
      setBadgeText: async (o) => { calls.badge.push(o.text); },
      setBadgeBackgroundColor: async () => {},
      setTitle: async (o) => { calls.title.push(o.title); },
    },
    runtime: { openOptionsPage: async () => { calls.options++; } },
    storage: { local: fakeStorage() },
    i18n: { getMessage: (k) => k },
  };
  let current = cfg;
  let clock = 0;
  const waits = [];
  const sleep = async (ms) => { clock += ms; waits.push(ms); if (e.onSleep) e.onSleep(clock); };
  const e = { calls, set: (c) => { current = c; }, waits };
  e.o = makeOnboarding({ api, config: { get: async () => current }, sleep, now: () => clock });
  return e;
}

test("install, not configured: the options open once and the badge shows until configured", async () => {
  const e = env(fakeCfg({ configured: false, server: null }));
  await e.o.installed({ reason: "install" });
  assert.equal(e.calls.options, 1);
  assert.deepEqual(e.calls.badge, [BADGE_TEXT]);
  assert.deepEqual(e.calls.title, ["badgeNotConfiguredTitle"]);
  assert.ok(e.waits.reduce((a, b) => a + b, 0) >= POLICY_GRACE_MS, "waited for a policy first");
  await e.o.installed({ reason: "install" });
  assert.equal(e.calls.options, 1, "once");
  e.set(fakeCfg());
  await e.o.badge();
  assert.equal(e.calls.badge.at(-1), "");
  assert.equal(e.calls.title.at(-1), "actionTitle");
});

test("configured by policy or preset: no options page, no badge; an update opens nothing", async () => {
  const policy = env(fakeCfg({ byPolicy: true, managedKeys: ["serverUrl", "clientId", "clientSecret"] }));
  await policy.o.installed({ reason: "install" });
  assert.equal(policy.calls.options, 0);
  assert.deepEqual(policy.calls.badge, [""]);
  const preset = env(fakeCfg({ byPreset: true }));
  await preset.o.installed({ reason: "install" });
  assert.equal(preset.calls.options, 0);
  const update = env(fakeCfg({ configured: false }));
  await update.o.installed({ reason: "update" });
  assert.equal(update.calls.options, 0);
  assert.deepEqual(update.calls.badge, [BADGE_TEXT]);
});

test("a policy that arrives after the install (Chromium: 2-3 s later) opens nothing and shows no badge", async () => {
  const e = env(fakeCfg({ configured: false, server: null }));
  // no badge at load before the install is settled: a policy may be on its way
  await e.o.badge();
  assert.deepEqual(e.calls.badge, [""]);
  e.onSleep = (t) => { if (t >= 2500) e.set(fakeCfg({ byPolicy: true, managedKeys: ["serverUrl", "clientId", "clientSecret"] })); };
  await e.o.installed({ reason: "install" });
  assert.equal(e.calls.options, 0);
  assert.deepEqual(e.calls.badge, ["", ""]);
  assert.ok(e.waits.reduce((a, b) => a + b, 0) < POLICY_GRACE_MS, "stopped waiting once configured");
});
