// Test helper: the content script's ES modules (extension/content/**, and lib/ which they import)
// copied to a temporary directory marked as ESM, then imported. The extension ships without a
// package.json "type", so node would otherwise read them as CommonJS.
import { mkdtempSync, cpSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { EXT } from "./helpers.mjs";

let root = null;
function prepare() {
  if (root) return root;
  root = mkdtempSync(join(tmpdir(), "session-drop-content-"));
  process.on("exit", () => rmSync(root, { recursive: true, force: true }));
  cpSync(join(EXT, "content"), join(root, "content"), { recursive: true });
  cpSync(join(EXT, "lib"), join(root, "lib"), { recursive: true });
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  return root;
}

/** import() of extension/<rel> (e.g. "content/dom.js"). */
export function importContent(rel) {
  return import(pathToFileURL(join(prepare(), rel)).href);
}
