// The credential vault: client id + secret in the extension origin's IndexedDB (`session-drop`,
// store `vault`, key `credentials`). Content scripts run in the page's origin and cannot open it.

const DB_NAME = "session-drop";
const STORE = "vault";
const KEY = "credentials";

/** @param {IDBFactory} idb */
export function makeVault(idb) {
  function open() {
    return new Promise((resolve, reject) => {
      const req = idb.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error("IndexedDB blocked"));
    });
  }
  return {
    async get() {
      const db = await open();
      try {
        return await new Promise((resolve, reject) => {
          const r = db.transaction(STORE, "readonly").objectStore(STORE).get(KEY);
          r.onsuccess = () => resolve(r.result ?? null);
          r.onerror = () => reject(r.error);
        });
      } finally {
        db.close();
      }
    },
    async put(value) {
      const db = await open();
      try {
        await new Promise((resolve, reject) => {
          const tx = db.transaction(STORE, "readwrite");
          tx.objectStore(STORE).put(value, KEY);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error || new Error("aborted"));
        });
      } finally {
        db.close();
      }
    },
  };
}
