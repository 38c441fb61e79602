import { test } from "node:test";
import assert from "node:assert/strict";
import { readJSON, read, listFiles } from "./helpers.mjs";

// Keys added by the background work (confirmation window, badge, extension-only kinds), merged
// into _locales with the new catalogue (CONTRACT-V2 §C); checked here as if merged already.
const additions = readJSON("_locales_additions_bg.json");
const en = { ...readJSON("_locales/en/messages.json"), ...additions.en };
const pt = { ...readJSON("_locales/pt_BR/messages.json"), ...additions.pt_BR };
// Until the catalogue of CONTRACT-V2 §C lands: keys the background no longer uses (it formats no
// text any more), and the two report-text.js keys that catalogue brings.
const RETIRED_BY_BACKGROUND = new Set(["coreLang", "errCoreTitle", "errCoreCause", "errCoreFix", "errUnexpectedTitle",
  "errUnexpectedCause", "errUnexpectedFix", "errNotConfiguredTitle", "errNotConfiguredCause", "errNotConfiguredFix",
  "errNoPermissionTitle", "errNoPermissionCause", "errNoPermissionFix", "errDeadlineTitle", "errDeadlineCause",
  "errDeadlineFix", "errServerUrlTitle", "errServerUrlCause", "errServerUrlFix", "errBulkRunningTitle",
  "errBulkRunningCause", "errBulkRunningFix", "errSaveTitle", "errSaveCause", "errSaveFix"]);
const PENDING_CATALOGUE = new Set(["report_server_said", "report_http_status"]);

test("the background's additions: en and pt_BR, same keys, each with a description", () => {
  assert.deepEqual(Object.keys(additions).sort(), ["en", "pt_BR"]);
  assert.deepEqual(Object.keys(additions.pt_BR).sort(), Object.keys(additions.en).sort());
  for (const loc of [additions.en, additions.pt_BR]) {
    for (const [k, m] of Object.entries(loc)) assert.ok(m.message && m.description, k);
  }
});

test("en and pt_BR have the same keys", () => {
  assert.deepEqual(Object.keys(pt).sort(), Object.keys(en).sort());
});

test("messages are well formed and placeholders agree", () => {
  for (const [name, loc] of [["en", en], ["pt_BR", pt]]) {
    for (const [key, m] of Object.entries(loc)) {
      assert.match(key, /^[A-Za-z0-9_]+$/, `${name}:${key} name`);
      assert.equal(typeof m.message, "string", `${name}:${key}`);
      assert.ok(m.message.trim().length > 0, `${name}:${key} empty`);
      const used = [...m.message.matchAll(/\$([A-Za-z0-9_]+)\$/g)].map((x) => x[1].toLowerCase());
      const declared = Object.keys(m.placeholders || {}).map((k) => k.toLowerCase());
      for (const u of used) assert.ok(declared.includes(u), `${name}:${key} uses $${u}$ without a placeholder`);
      // a lone "$" (not a placeholder, not "$$") would be eaten by the browser
      const stripped = m.message.replace(/\$[A-Za-z0-9_]+\$/g, "").replace(/\$\$/g, "");
      assert.ok(!stripped.includes("$"), `${name}:${key} has a stray $`);
    }
    for (const key of Object.keys(en)) {
      const a = Object.keys(en[key].placeholders || {}).sort();
      const b = Object.keys(pt[key].placeholders || {}).sort();
      assert.deepEqual(b, a, `placeholders of ${key}`);
      for (const p of a) assert.equal(pt[key].placeholders[p].content, en[key].placeholders[p].content, `${key}.${p}`);
    }
  }
});

test("the texts the DOM contract and the e2e tests rely on", () => {
  assert.equal(en.buttonTerminate.message, "Terminate session");
  assert.equal(pt.buttonTerminate.message, "Encerrar sessão");
  assert.equal(en.labelServerUrl.message, "Server URL");
  assert.equal(en.labelClientId.message, "Client ID");
  assert.equal(en.labelClientSecret.message, "Client secret");
  assert.equal(en.buttonSave.message, "Save");
  assert.equal(en.buttonTest.message, "Test connection");
  assert.equal(en.managedNote.message, "Set by your organization");
  assert.equal(en.statusReload.message, "Session Drop was updated or reloaded: reload this page.");
});

test("pt_BR is actually translated", () => {
  const same = Object.keys(en).filter((k) => en[k].message === pt[k].message);
  // product names, OAuth field names and a few technical words stay as they are
  const allowed = new Set(["extName", "columnHeader", "popupTitle", "labelClientId", "labelClientSecret",
    "sourceConsole", "sourcePopup", "runReason", "buttonCopyCurlShort"]);
  assert.equal(en.coreLang.message, "en");
  assert.equal(pt.coreLang.message, "pt-BR");
  assert.deepEqual(same.filter((k) => !allowed.has(k)), []);
});

test("every message used in code, pages and manifest exists", () => {
  const files = listFiles().filter((f) => /\.(js|html|json)$/.test(f) && !f.startsWith("_locales/"));
  const used = new Map();
  const patterns = [
    /__MSG_([A-Za-z0-9_]+)__/g,
    /getMessage\(\s*["']([A-Za-z0-9_]+)["']/g,
    /\b(?:t|msg)\(\s*["']([A-Za-z0-9_]+)["']/g,
    /data-i18n(?:-aria|-placeholder|-title)?="([A-Za-z0-9_]+)"/g,
  ];
  for (const f of files) {
    const src = read(f);
    for (const re of patterns) for (const m of src.matchAll(re)) used.set(m[1], f);
    // keys chosen from tables: "k: \"errUrlX\"" maps
    for (const m of src.matchAll(/^\s*[a-z]+:\s*"((?:err|source)[A-Z][A-Za-z0-9_]*)",?$/gm)) used.set(m[1], f);
  }
  assert.ok(used.size > 50, `found only ${used.size} uses`);
  const missing = [...used].filter(([k]) => !(k in en) && !PENDING_CATALOGUE.has(k)).map(([k, f]) => `${k} (${f})`);
  assert.deepEqual(missing, []);
});

test("no unused messages", () => {
  const files = listFiles().filter((f) => /\.(js|html|json)$/.test(f) && !f.startsWith("_locales/"));
  const all = files.map((f) => read(f)).join("\n");
  const unused = Object.keys(en).filter((k) => !all.includes(`"${k}"`) && !all.includes(`__MSG_${k}__`)
    && !RETIRED_BY_BACKGROUND.has(k) && !k.startsWith("report_"));
  assert.deepEqual(unused, []);
});
