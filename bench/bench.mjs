// Wasm benchmark of Session Drop (figures only, no timed assertions).
//
//   cargo xtask bench                      (builds, then runs this among the other benchmarks)
//   node --expose-gc bench/bench.mjs       (after `cargo xtask bench` built target/wasm-bench/out/,
//                                           the module with the `bench` feature hooks)
//
// (a) build + interpret of one drop inside the wasm core (µs per drop);
// (b) a generated 100,000-session list-all answer (10% active; bench/listgen.js, a byte-exact
//     port of the core's `sessions::generate_list_json`, checked by a wasm test): the wasm
//     `listActive` path (bytes in, active sessions out as JS objects) vs `JSON.parse` + a JS
//     filter for active sessions, in the same engine (V8); issue 9's guard: ratio ≤ 1.3.
//
// Env (set by xtask): SD_MJS = file URL of the glue as .mjs, SD_WASM = path of the .wasm.
// Without them the files of extension/wasm/ are copied next to a temporary .mjs.

import { readFileSync, mkdtempSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateListJson } from "./listgen.js";

const here = dirname(fileURLToPath(import.meta.url));
let mjs = process.env.SD_MJS;
let wasmPath = process.env.SD_WASM;
if (!mjs || !wasmPath) {
  const out = join(here, "..", "target", "wasm-bench", "out");
  const dir = mkdtempSync(join(tmpdir(), "sd-bench-"));
  copyFileSync(join(out, "session_drop.js"), join(dir, "session_drop.mjs"));
  wasmPath = join(out, "session_drop_bg.wasm");
  mjs = pathToFileURL(join(dir, "session_drop.mjs")).href;
}

const N_SESSIONS = Number(process.env.SD_BENCH_SESSIONS || 100_000);
const ACTIVE_EVERY = 10; // 10% active
const RUNS = Number(process.env.SD_BENCH_RUNS || 7);

const gc = globalThis.gc ?? (() => {});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, d = 1) => x.toFixed(d);

function time(fn, runs = RUNS, warmup = 2) {
  for (let i = 0; i < warmup; i++) fn();
  const ts = [];
  let last;
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    last = fn();
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), min: Math.min(...ts), last };
}

const bytesWasm = readFileSync(wasmPath);
const mod = await import(mjs);
let t0 = performance.now();
mod.initSync({ module: bytesWasm });
const initMs = performance.now() - t0;

console.log(`== wasm benchmark (node ${process.version}, V8 ${process.versions.v8}) ==`);
console.log(`module: ${bytesWasm.length} B; initSync (compile + instantiate): ${fmt(initMs)} ms`);

// (a) build + interpret of a drop
{
  const iters = 20_000;
  const r = time(() => mod.__benchInterpret(iters), 5, 1);
  if (r.last !== iters) throw new Error(`__benchInterpret: ${r.last} of ${iters} dropped`);
  console.log(`(a) build DELETE + interpret answer, in wasm: ${fmt((r.ms * 1000) / iters, 2)} µs per drop (median of 5 x ${iters})`);
}

// (b) list parsing
{
  t0 = performance.now();
  const text = generateListJson(N_SESSIONS, ACTIVE_EVERY);
  const bytes = new TextEncoder().encode(text);
  const genMs = performance.now() - t0;
  const expectedActive = Math.ceil(N_SESSIONS / ACTIVE_EVERY);
  console.log(
    `(b) list-all answer: ${N_SESSIONS} sessions, ${expectedActive} active, ${fmt(bytes.length / 1048576, 1)} MiB (generated in ${fmt(genMs, 0)} ms)`,
  );

  const isActive = (s) => s.end === null || s.end === undefined || s.end === "";
  const jsBytes = time(() => JSON.parse(new TextDecoder().decode(bytes)).remote_sessions.filter(isActive));
  const jsText = time(() => JSON.parse(text).remote_sessions.filter(isActive));
  const wasm = time(() => mod.__benchParseActive(bytes));

  const w = wasm.last;
  if (!w || w.ok !== true || w.sessions.length !== expectedActive || w.total !== N_SESSIONS)
    throw new Error(`wasm list: unexpected result ${JSON.stringify({ ok: w?.ok, total: w?.total, n: w?.sessions?.length })}`);
  if (jsBytes.last.length !== expectedActive) throw new Error(`JS filter found ${jsBytes.last.length}`);
  const ids = new Set(jsBytes.last.map((s) => s.session_id));
  if (!w.sessions.every((s) => ids.has(s.sessionId))) throw new Error("wasm and JS disagree on the active sessions");

  console.log(`    wasm (bytes -> parse -> active only, newest first -> JS objects): ${fmt(wasm.ms)} ms (min ${fmt(wasm.min)})`);
  console.log(`    JS   TextDecoder + JSON.parse + filter:                           ${fmt(jsBytes.ms)} ms (min ${fmt(jsBytes.min)})`);
  console.log(`    JS   JSON.parse(string already decoded) + filter:                 ${fmt(jsText.ms)} ms (min ${fmt(jsText.min)})`);
  const ratio = wasm.ms / jsBytes.ms;
  console.log(
    `    ratio wasm / JS (from bytes):  ${fmt(ratio, 2)}   (issue 9 guard ≤ 1.3: ${ratio <= 1.3 ? "within" : "OVER"}; 0.73–0.77 before the rebuild)`,
  );
  console.log(`    ratio wasm / JS (from string): ${fmt(wasm.ms / jsText.ms, 2)}`);
}
