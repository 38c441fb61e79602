// The message table (docs/DESIGN.md §3 + docs/DESIGN.md §3). See router.js for the fields.
import { VALIDATORS, invalidRequest } from "../lib/protocol.js";
import { columnTitlesOf } from "./settings.js";

const CONTENT = Object.freeze(["content"]);
const PAGE = Object.freeze(["page"]);
const BOTH = Object.freeze(["content", "page"]);

/**
 * @param {object} d  the modules: api, settings, dropper, bulk, lists, audit, confirm, extensionBase
 */
export function makeRoutes({ api, settings, dropper, bulk, lists, audit, confirm, extensionBase }) {
  const v = VALIDATORS;
  const fromConfirmPage = (sender) => typeof sender.url === "string" && sender.url.startsWith(`${extensionBase}confirm.html`);
  return {
    status: {
      from: CONTENT,
      validate: v.status,
      handle: (_m, { cfg }) => ({
        configured: !!(cfg && cfg.configured),
        askBeforeTerminate: !!(cfg && cfg.settings.askBeforeTerminate),
        columnTitles: columnTitlesOf(cfg),
      }),
    },
    openOptions: {
      from: CONTENT,
      validate: v.openOptions,
      handle: async () => {
        await api.runtime.openOptionsPage();
        return { ok: true };
      },
    },
    drop: {
      from: BOTH,
      validate: v.drop,
      handle: (m, { senderClass, cfg }) => {
        const console_ = senderClass === "content";
        return dropper.drop({
          ref: m.ref,
          context: m.context,
          source: console_ ? "console" : "popup",
          // The background asks (extension window) for a console drop; the content script has no
          // say in whether it was confirmed.
          ask: console_ && !!(cfg && cfg.settings.askBeforeTerminate),
        });
      },
    },
    testConnection: { from: PAGE, validate: v.testConnection, handle: (m) => settings.test(m.settings) },
    saveSettings: { from: PAGE, validate: v.saveSettings, handle: (m) => settings.save(m.settings) },
    getSettings: { from: PAGE, validate: v.getSettings, handle: () => settings.get() },
    freshToken: { from: PAGE, validate: v.freshToken, handle: () => lists.freshToken(), secret: true },
    curl: { from: PAGE, validate: v.curl, handle: (m) => lists.curl(m.ref) },
    bulkStart: { from: PAGE, validate: v.bulkStart, handle: (m) => bulk.start(m) },
    bulkState: { from: PAGE, validate: v.bulkState, handle: () => bulk.state() },
    auditList: { from: PAGE, validate: v.auditList, handle: async () => ({ ok: true, entries: await audit.list() }) },
    auditClear: {
      from: PAGE,
      validate: v.auditClear,
      handle: async () => {
        await audit.clear();
        return { ok: true };
      },
    },
    confirmGet: {
      from: PAGE,
      validate: v.confirmGet,
      handle: (m, { sender }) => {
        const info = fromConfirmPage(sender) ? confirm.get(m.id) : null;
        return info ? { ok: true, ...info } : invalidRequest();
      },
    },
    confirmAnswer: {
      from: PAGE,
      validate: v.confirmAnswer,
      handle: (m, { sender }) => (fromConfirmPage(sender) && confirm.answer(m.id, m.yes) ? { ok: true } : invalidRequest()),
    },
  };
}
