// Static checks of the extension sources: manifest, CSP rules, build contract, file references.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { EXT, read, readJSON, listFiles, importLib } from "./helpers.mjs";

const manifest = readJSON("manifest.base.json");

test("manifest.base.json: MV3 base without per-browser keys", () => {
  assert.equal(manifest.manifest_version, 3);
  assert.equal(manifest.default_locale, "en");
  assert.match(manifest.name, /^__MSG_\w+__$/);
  assert.match(manifest.description, /^__MSG_\w+__$/);
  assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
  assert.equal(manifest.action.default_popup, "popup.html");
  assert.deepEqual(manifest.options_ui, { page: "options.html", open_in_tab: true });
  assert.deepEqual(manifest.permissions, ["storage", "scripting"]);
  assert.deepEqual(manifest.optional_host_permissions, ["https://*/*", "http://127.0.0.1/*", "http://localhost/*"]);
  assert.equal(manifest.content_security_policy.extension_pages, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
  assert.equal(manifest.storage.managed_schema, "managed_schema.json");
  for (const k of ["background", "key", "browser_specific_settings", "host_permissions", "content_scripts"]) {
    assert.equal(k in manifest, false, `${k} is added by the build`);
  }
  for (const p of ["<all_urls>", "tabs"]) assert.equal(JSON.stringify(manifest).includes(`"${p}"`), false);
});

test("manifest files exist (icons, pages, schema)", () => {
  const files = [
    ...Object.values(manifest.icons),
    ...Object.values(manifest.action.default_icon),
    manifest.action.default_popup,
    manifest.options_ui.page,
    manifest.storage.managed_schema,
    "background/main.js",
    "audit.html",
    "confirm.html",
  ];
  for (const f of files) assert.ok(existsSync(join(EXT, f)), f);
  for (const [size, f] of Object.entries(manifest.icons)) {
    const buf = require_png(f);
    assert.equal(buf.readUInt32BE(16), Number(size), `${f} width`);
    assert.equal(buf.readUInt32BE(20), Number(size), `${f} height`);
  }
});

import { readFileSync } from "node:fs";
function require_png(rel) {
  const buf = readFileSync(join(EXT, rel));
  assert.equal(buf.subarray(1, 4).toString(), "PNG");
  return buf;
}

test("managed_schema.json covers exactly the managed keys", async () => {
  const S = await importLib("settings");
  const schema = readJSON("managed_schema.json");
  assert.equal(schema.type, "object");
  assert.deepEqual(Object.keys(schema.properties).sort(), [...S.MANAGED_KEYS].sort());
  for (const k of ["serverUrl", "clientId", "clientSecret", "generation", "timeoutMs", "askBeforeTerminate", "bulkConcurrency"]) {
    assert.ok(schema.properties[k], k);
  }
  assert.deepEqual(schema.properties.generation.enum, ["auto", "api", "iso"]);
  assert.equal(schema.properties.askBeforeTerminate.type, "boolean");
  assert.equal(schema.properties.bulkConcurrency.type, "integer");
});

test("content script list: lib/content-scripts.js = BUILD-CONTRACT.md, files exist", async () => {
  const { CONTENT_SCRIPT, CONTENT_ENTRY } = await importLib("content-scripts");
  const contract = read("BUILD-CONTRACT.md");
  const block = /```json\s*([\s\S]*?)```/.exec(contract);
  assert.ok(block, "json block in BUILD-CONTRACT.md");
  const spec = JSON.parse(block[1].replace("<matchPattern>", "https://x/*"))[0];
  assert.deepEqual(spec.js, [...CONTENT_SCRIPT.js]);
  assert.deepEqual(spec.css, [...CONTENT_SCRIPT.css]);
  assert.equal(spec.run_at, "document_idle");
  assert.equal(spec.all_frames, CONTENT_SCRIPT.allFrames);
  // the script is the bundle of CONTENT_ENTRY, made by `cargo xtask dist`
  assert.deepEqual([...CONTENT_SCRIPT.js], ["content/console.js"]);
  for (const f of [CONTENT_ENTRY, ...CONTENT_SCRIPT.css]) assert.ok(existsSync(join(EXT, f)), f);
  assert.match(read("chrome-key.pub.txt").trim(), /^[A-Za-z0-9+/]+=*$/);
});

test("CSP-friendly pages: no inline scripts, no inline handlers, module scripts only", () => {
  for (const f of listFiles().filter((x) => x.endsWith(".html"))) {
    const html = read(f);
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      assert.match(m[1], /\bsrc="[^"]+"/, `${f}: inline <script>`);
      assert.match(m[1], /type="module"/, `${f}: module script`);
      assert.equal(m[2].trim(), "", `${f}: script body`);
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, `${f}: inline event handler`);
    assert.doesNotMatch(html, /javascript:/i, `${f}: javascript: URL`);
    for (const m of html.matchAll(/(?:src|href)="([^"#:]+)"/g)) assert.ok(existsSync(join(EXT, m[1])), `${f} -> ${m[1]}`);
  }
});

test("no eval, no new Function, no innerHTML/outerHTML/insertAdjacentHTML/document.write", () => {
  for (const f of listFiles().filter((x) => x.endsWith(".js"))) {
    const src = read(f).replace(/\/\/.*$/gm, "");
    assert.doesNotMatch(src, /\beval\s*\(/, `${f}: eval`);
    assert.doesNotMatch(src, /new\s+Function\b/, `${f}: new Function`);
    assert.doesNotMatch(src, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/, `${f}: HTML sink`);
    assert.doesNotMatch(src, /setTimeout\(\s*["'`]/, `${f}: string timer`);
  }
});

test("content scripts are static ES modules sharing nothing through globals (bundled by the build)", () => {
  for (const f of listFiles().filter((x) => x.startsWith("content/") && x.endsWith(".js"))) {
    const src = read(f);
    assert.doesNotMatch(src, /\bimport\(/, f);
    assert.doesNotMatch(src, /__sessionDrop/, f);
    for (const m of src.matchAll(/^import\s[^;]*?from\s+"(\.[^"]+)";/gms)) {
      assert.ok(existsSync(join(EXT, f, "..", m[1])), `${f} imports ${m[1]}`);
    }
  }
});

test("background: wasm init first, no top-level await, listeners registered at top level", () => {
  const src = read("background/main.js");
  assert.equal(existsSync(join(EXT, "background.js")), false, "background.js is dissolved into background/");
  assert.match(src, /^import init, \{ DropClient, checkServerUrl \} from "\.\.\/wasm\/session_drop\.js";$/m);
  // the first statement of the body starts the core, with the wasm path of the packaged bundle
  const body = src.split("\n").filter((l) => /^\S/.test(l) && !/^(import|\/\/|\}|\))/.test(l));
  assert.match(body[0], /^const core = startCore\(init, new URL\("\.\/wasm\/session_drop_bg\.wasm", import\.meta\.url\)\);$/);
  for (const f of listFiles().filter((x) => x.startsWith("background/"))) {
    const s = read(f);
    // top-level statements start at column 0 (the files are formatted that way)
    for (const line of s.split("\n")) assert.doesNotMatch(line, /^(?!\/\/)\S.*\bawait\b/, `${f}: top-level await: ${line}`);
    assert.doesNotMatch(s, /\bimport\(/, `${f}: dynamic import is refused in service workers`);
    // the background formats no text: reports travel with params (docs/DESIGN.md §2)
    assert.doesNotMatch(s, /getMessage\("(err|report_)/, `${f}: formats a report`);
    assert.doesNotMatch(s, /coreLang|setLang/, `${f}: core language`);
  }
  for (const ev of ["runtime.onMessage", "runtime.onConnect", "storage.onChanged", "permissions.onAdded", "permissions.onRemoved", "runtime.onInstalled", "runtime.onStartup"]) {
    assert.match(src, new RegExp(`^api\\.${ev.replace(".", "\\.")}\\.addListener`, "m"), ev);
  }
  assert.match(src, /^api\.windows\?\.onRemoved\.addListener/m);
});

test("background modules import no module that imports them back, and each is importable alone", () => {
  const graph = new Map();
  for (const f of listFiles().filter((x) => x.startsWith("background/") || x.startsWith("lib/"))) {
    const deps = [...read(f).matchAll(/^import\s[^;]*?from\s+"(\.[^"]+)";/gms)].map((m) => join(f, "..", m[1]).replace(/\\/g, "/"));
    graph.set(f, deps.filter((d) => !d.startsWith("wasm/")));
  }
  const state = new Map();
  const visit = (n, path) => {
    if (state.get(n) === "done") return;
    assert.notEqual(state.get(n), "open", `import cycle: ${[...path, n].join(" -> ")}`);
    state.set(n, "open");
    for (const d of graph.get(n) || []) visit(d, [...path, n]);
    state.set(n, "done");
  };
  for (const n of graph.keys()) visit(n, []);
  // only the entry imports the wasm glue: every other module is testable without it
  for (const [f] of graph) {
    if (f === "background/main.js") continue;
    assert.doesNotMatch(read(f), /wasm\/session_drop/, `${f} imports the wasm glue`);
  }
});

test("background module graph resolves", () => {
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const src = read(rel);
    for (const m of src.matchAll(/^import\s[^;]*?from\s+"(\.[^"]+)";/gms)) {
      const target = join(rel, "..", m[1]).replace(/\\/g, "/");
      if (target.startsWith("wasm/")) continue; // generated by the build
      assert.ok(existsSync(join(EXT, target)), `${rel} imports ${m[1]}`);
      visit(target);
    }
  };
  for (const entry of ["background/main.js", "options.js", "popup.js", "audit.js", "confirm.js"]) visit(entry);
  assert.ok(seen.has("lib/protocol.js"));
});
