// One in-flight drop per session (docs/DESIGN.md §3): keyed on the appliance and the session HASH,
// whatever reference named it (a row id is resolved to its hash first). An entry is freed only
// when its request has settled: a deadline elsewhere may answer "still waiting", never free it.

export function makeInflight() {
  const map = new Map();
  return {
    /** The promise of the attempt under `key`: the running one, or a new one from `start()`. */
    run(key, start) {
      const existing = map.get(key);
      if (existing) return { promise: existing, joined: true };
      const p = Promise.resolve().then(start);
      map.set(key, p);
      const free = () => {
        if (map.get(key) === p) map.delete(key);
      };
      p.then(free, free);
      return { promise: p, joined: false };
    },
    has: (key) => map.has(key),
    get size() {
      return map.size;
    },
  };
}

export function inflightKey(origin, hash) {
  return `${origin}\nhash:${hash}`;
}
