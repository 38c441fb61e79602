// The audit trail, write-ahead (docs/DESIGN.md §3): a record { id, state: "sending" } is written,
// and the write awaited, before each DELETE; it is completed (state "done", the outcome) after.
// A failed write is an error the caller reports (kind audit_failed) instead of sending.
//
// Each record is its own storage.local key ("audit:<ms since epoch>-<n>", in time order), so a
// write costs one small record however long the trail is, and the first DELETE of a cold background
// does not wait for the trail to be read (the index is loaded after, for the cap). The trail is
// capped by the bytes of its JSON (4 MiB, well under the 10 MiB quota), oldest first. Every record
// is scrubbed of the secrets before it is written.
import { makeSendingEntry, completeEntry, entryBytes, AUDIT_MAX_BYTES } from "../lib/audit.js";
import { scrubReport } from "../lib/scrub.js";

export const AUDIT_PREFIX = "audit:";
const LEGACY_KEY = "audit";

let seq = 0;
/** A new record key: time first (ordered across instances), then a counter (ordered within one). */
export function newAuditKey(now = Date.now()) {
  seq = (seq + 1) % 1e6;
  return `${AUDIT_PREFIX}${String(now).padStart(15, "0")}-${String(seq).padStart(6, "0")}`;
}

/**
 * @param {object} d
 * @param {object} d.storage        storage.local (get/set/remove)
 * @param {() => string[]} [d.secrets]
 * @param {number} [d.maxBytes]
 */
export function makeAudit({ storage, secrets = () => [], maxBytes = AUDIT_MAX_BYTES }) {
  let loaded = null;
  let index = []; // oldest first: { key, bytes }
  let total = 0;
  const cache = new Map(); // key -> entry, for complete() and list()

  function load() {
    loaded ??= (async () => {
      const all = (await storage.get(null)) || {};
      const keys = Object.keys(all).filter((k) => k.startsWith(AUDIT_PREFIX)).sort();
      for (const k of keys) {
        const e = all[k];
        if (!e || typeof e !== "object") continue;
        if (cache.has(k)) continue; // written by this instance meanwhile: already counted
        const bytes = entryBytes(e);
        index.push({ key: k, bytes });
        total += bytes;
        cache.set(k, e);
      }
      index.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      // A trail of the previous version (one array under "audit"): moved to records, once.
      if (Array.isArray(all[LEGACY_KEY])) {
        const moved = {};
        for (const old of all[LEGACY_KEY]) {
          if (!old || typeof old !== "object") continue;
          const key = newAuditKey(Date.parse(old.at) || 0);
          const e = scrubReport({ ...old, id: key, state: "done" }, secrets());
          moved[key] = e;
          const bytes = entryBytes(e);
          index.push({ key, bytes });
          total += bytes;
          cache.set(key, e);
        }
        await storage.set(moved);
        await storage.remove(LEGACY_KEY);
      }
      await evict();
    })();
    loaded.catch(() => {
      loaded = null;
    });
    return loaded;
  }

  async function evict(limit = maxBytes) {
    const gone = [];
    while (index.length > 1 && total > limit) {
      const old = index.shift();
      total -= old.bytes;
      cache.delete(old.key);
      gone.push(old.key);
    }
    if (gone.length) await storage.remove(gone);
  }

  function account(key, entry) {
    const bytes = entryBytes(entry);
    const at = index.findIndex((x) => x.key === key);
    if (at >= 0) {
      total += bytes - index[at].bytes;
      index[at].bytes = bytes;
    } else {
      index.push({ key, bytes });
      total += bytes;
    }
    cache.set(key, entry);
  }

  return {
    /**
     * Writes the "sending" record of an attempt and resolves with its id once it is stored.
     * Rejects when it could not be written: the DELETE must then not be sent.
     * @param {object} a { appliance, ref, sessionId?, context, source, runId? }
     */
    async begin(a) {
      const key = newAuditKey();
      const entry = scrubReport(makeSendingEntry({ ...a, id: key }), secrets());
      await storage.set({ [key]: entry });
      account(key, entry);
      // The cap after the write, off the DELETE's path.
      load()
        .then(() => evict())
        .catch((err) => console.error("Session Drop: audit eviction failed", err));
      return key;
    },
    /** Completes a record with the outcome. Resolves true, or false when the write failed (the
     *  record then stays "sending": sent, outcome not recorded). */
    async complete(id, report) {
      try {
        const base = cache.get(id) || { id, state: "sending" };
        const entry = scrubReport(completeEntry(base, report), secrets());
        await storage.set({ [id]: entry });
        account(id, entry);
        return true;
      } catch (err) {
        console.error("Session Drop: audit completion failed", err);
        return false;
      }
    },
    /** Every record, oldest first (scrubbed again: a secret may be newer than its record). */
    async list() {
      await load();
      return index.map((x) => cache.get(x.key)).filter(Boolean).map((e) => scrubReport(e, secrets()));
    },
    /** The records of one bulk run. */
    async ofRun(runId) {
      await load();
      return index.map((x) => cache.get(x.key)).filter((e) => e && e.runId === runId);
    },
    async clear() {
      await load();
      const keys = index.map((x) => x.key);
      index = [];
      total = 0;
      cache.clear();
      if (keys.length) await storage.remove(keys);
    },
    /** Frees room for something more important (settings): evicts the oldest half. */
    async shrink() {
      await load();
      await evict(Math.floor(total / 2));
    },
    bytes: () => total,
  };
}
