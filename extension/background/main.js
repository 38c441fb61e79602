// Session Drop background, entry module (Chrome: module service worker; Firefox: module background
// script), bundled by esbuild into the package's `background.js`. The only place with secrets and
// network. The wasm init is started first; every listener is registered synchronously at the top
// level; there is no top-level await (a service worker refuses it): handlers await `core.ready`.
import init, { DropClient, checkServerUrl } from "../wasm/session_drop.js";
import { startCore } from "./core.js";
import { makeVault } from "./vault.js";
import { makeConfig, lockSession, CONFIG_SNAPSHOT } from "./config.js";
import { makeClients } from "./client.js";
import { makeAudit } from "./audit.js";
import { makeInflight } from "./inflight.js";
import { makeConfirm } from "./confirm.js";
import { makeDropper } from "./drop.js";
import { makeBulk } from "./bulk.js";
import { makeLists } from "./list.js";
import { makeSettings } from "./settings.js";
import { makeRegistration } from "./registration.js";
import { makeOnboarding } from "./onboarding.js";
import { makeRouter } from "./router.js";
import { makeRoutes } from "./routes.js";
import { reportFromError } from "../lib/report.js";

// The wasm core starts loading before anything else, even before the first use of an extension
// API (Firefox builds each API namespace on first use): when a drop wakes a stopped background,
// the core is what the DELETE waits for longest. The path is relative to the PACKAGED bundle
// (`background.js` at the package root, next to `wasm/`), which is the only form a browser loads.
const core = startCore(init, new URL("./wasm/session_drop_bg.wasm", import.meta.url));

const api = globalThis.browser ?? globalThis.chrome;
const EXT_BASE = api.runtime.getURL("");
/** runtime.connect name of the content script's request port. */
const PORT_NAME = "session-drop";

const sessionLocked = lockSession(api);
// Read at load, in parallel with the wasm init: the configuration snapshot and the client state.
const boot = api.storage.session.get(["clientState", CONFIG_SNAPSHOT]).catch(() => ({}));

const vault = makeVault(globalThis.indexedDB);
const config = makeConfig({ api, vault, core, checkServerUrl, boot, sessionLocked });
const clients = makeClients({ api, core, DropClient, config, boot, sessionLocked });
const secrets = () => clients.secrets();
const audit = makeAudit({ storage: api.storage.local, secrets });
const confirm = makeConfirm({ api });
const lists = makeLists({ clients });
const dropper = makeDropper({ clients, audit, inflight: makeInflight(), confirm });
const bulk = makeBulk({ api, clients, dropper, audit, secrets });
const registration = makeRegistration({ api, config });
const onboarding = makeOnboarding({ api, config });

function changed() {
  config.invalidate();
  clients.invalidate();
  onboarding.badge().catch(() => {});
  return registration.sync();
}

const settings = makeSettings({
  api, core, config, clients, vault, audit,
  changed: () => Promise.all([registration.sync(), onboarding.badge().catch(() => {})]),
});
const route = makeRouter({
  runtimeId: api.runtime.id,
  extensionBase: EXT_BASE,
  config,
  secrets,
  routes: makeRoutes({ api, settings, dropper, bulk, lists, audit, confirm, extensionBase: EXT_BASE }),
});

function answerOf(raw, sender) {
  return route(raw, sender).catch((err) => {
    console.error("Session Drop: message handler failed", err);
    return reportFromError(err);
  });
}

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  answerOf(msg, sender).then(sendResponse);
  return true; // answer asynchronously
});

// The console's content script sends its drops over a short-lived port: requests `{ id, msg }`,
// answers `{ id, answer }`, `port.sender` checked like a message sender.
api.runtime.onConnect.addListener((port) => {
  if (port.name !== PORT_NAME) {
    port.disconnect();
    return;
  }
  port.onMessage.addListener((request) => {
    const id = request && typeof request === "object" ? request.id : undefined;
    if (!Number.isSafeInteger(id)) return;
    answerOf(request.msg, port.sender).then((answer) => {
      try {
        port.postMessage({ id, answer });
      } catch {
        // the page went away: nobody to answer
      }
    });
  });
});

// Settings, policy (area "managed": takes effect without a restart) or credentials changed.
api.storage.onChanged.addListener((changes, area) => {
  if (area === "managed" || (area === "local" && changes.settings)) changed();
});
api.permissions.onAdded.addListener(() => changed());
api.permissions.onRemoved.addListener(() => changed());
api.windows?.onRemoved.addListener((windowId) => confirm.onWindowRemoved(windowId));
api.runtime.onInstalled.addListener((details) => {
  registration.sync();
  onboarding.installed(details).catch((err) => console.error("Session Drop: onboarding failed", err));
});
api.runtime.onStartup.addListener(() => {
  registration.sync();
  onboarding.badge().catch(() => {});
});

// The client a drop needs is made now rather than at the first message.
clients.get().catch(() => {});
// What a drop does not need waits until a drop that woke this background has gone out (issue 9:
// the start-up runs only what a drop needs; `perf.rs` traces it):
// - settling a bulk run a previous instance left running, from the audit trail (it reads the
//   whole stored run, up to 200,000 lines); bulkState / bulkStart start it themselves if asked
//   sooner, and wait for it;
// - the registration check of every start, only a safety net (install, browser start and every
//   change run it at once).
setTimeout(() => {
  bulk.restore();
  registration.sync();
}, 1000);
