// JS port of the core's `sessions::generate_list_json(n, active_every)`: the same bytes (checked
// by the wasm test `list_generator_matches_the_core` in tests/wasm_window.rs). Lets the benchmark
// generate its 100,000-session answer without shipping the generator in the production wasm.

const MASK = (1n << 64n) - 1n;

function splitmix(x) {
  x = (x + 0x9e3779b97f4a7c15n) & MASK;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return x ^ (x >> 31n);
}

const pad = (v, n) => String(v).padStart(n, "0");
const hex = (v, n) => v.toString(16).padStart(n, "0");

function fmtTime(epochS) {
  const iso = new Date(epochS * 1000).toISOString(); // 2024-04-24T23:06:40.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

const USERS = ["Admin", "mallory", "joao.silva", "maria", "ops-bot"];
const PROTOS = ["rdp", "ssh", "http"];
const BASE = 1_714_000_000;

/** The list-all answer as a string (see the Rust doc of `generate_list_json`). */
export function generateListJson(n, activeEvery) {
  const parts = [
    '{"code":200,"response":{"status":200,"message":"OK","error":false,"error_code":0,' +
      '"detail":"","mensagem":"OK","erro":false,"cod_erro":0},"tenant":"Segura",' +
      '"remote_sessions":[',
  ];
  for (let i = 0; i < n; i++) {
    const h1 = splitmix(BigInt(i));
    const h2 = splitmix(h1);
    const h3 = splitmix(h2);
    const active = activeEvery > 0 && i % activeEvery === 0;
    const start = BASE + i * 37;
    const dur = Number(h1 % 7200n) + 1;
    const b = (h, s) => Number((h >> BigInt(s)) % 256n);
    parts.push(
      (i > 0 ? "," : "") +
        `{"id":"${i + 1}","user":"${USERS[i % USERS.length]}","origin_ip":"172.16.${b(h1, 8)}.${b(h1, 16)}",` +
        `"credential":"usr${pad(i % 1000, 4)}","device":"10.66.${b(h2, 8)}.${b(h2, 16)}:${i % 3 === 1 ? 22 : 3389}",` +
        `"protocol":"${PROTOS[i % PROTOS.length]}","proxy":"Web Proxy",` +
        `"session_id":"${hex(h1, 16)}${hex(h2, 16)}${hex(h3 & 0xffffffffn, 8)}","start":"${fmtTime(start)}",` +
        `"end":"${active ? "" : fmtTime(start + dur)}",` +
        `"time":"${pad(Math.floor(dur / 3600), 2)}:${pad(Math.floor(dur / 60) % 60, 2)}:${pad(dur % 60, 2)}",` +
        `"prevent_purge":"No","request":null,"ITSM":null}`,
    );
  }
  parts.push("]}");
  return parts.join("");
}
