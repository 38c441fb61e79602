// Test helpers: the extension's ES modules are plain `.js` files (no package.json "type": "module"
// in the extension, which is shipped as is), so copy lib/ to a temporary directory marked as ESM.
import { mkdtempSync, mkdirSync, readdirSync, copyFileSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const EXT = join(dirname(fileURLToPath(import.meta.url)), "..");

let libDir = null;
function prepare() {
  if (libDir) return libDir;
  const root = mkdtempSync(join(tmpdir(), "session-drop-lib-"));
  process.on("exit", () => rmSync(root, { recursive: true, force: true }));
  libDir = join(root, "lib");
  mkdirSync(libDir);
  for (const f of readdirSync(join(EXT, "lib"))) {
    if (f.endsWith(".js")) copyFileSync(join(EXT, "lib", f), join(libDir, f));
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  return libDir;
}

/** import() of extension/lib/<name>.js */
export function importLib(name) {
  return import(pathToFileURL(join(prepare(), `${name}.js`)).href);
}

export function read(rel) {
  return readFileSync(join(EXT, rel), "utf8");
}

export function readJSON(rel) {
  return JSON.parse(read(rel));
}

/** Recursively lists files under extension/ (relative paths), skipping tests/ and wasm/. */
export function listFiles(dir = "", out = []) {
  for (const ent of readdirSync(join(EXT, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${ent.name}` : ent.name;
    if (ent.isDirectory()) {
      if (rel === "tests" || rel === "wasm" || rel === "node_modules") continue;
      listFiles(rel, out);
    } else out.push(rel);
  }
  return out;
}
