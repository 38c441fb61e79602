// Session Drop content script: the channel to the background.
//
// Drops go over a port (`runtime.connect({ name: "session-drop" })`, DESIGN.md §3): one message
// each way instead of a new channel per call. It is opened when the pointer or the focus reaches
// a row button (which also wakes a stopped service worker / suspended event page while the user
// is still aiming), or at the click, and closed after PORT_IDLE_MS without use. Other messages
// (`status`, `openOptions`) use `runtime.sendMessage`.

export const PORT_NAME = "session-drop";
export const PORT_IDLE_MS = 10000;

/** The extension was reloaded or removed: this content script can no longer reach it. */
export class ContextGone extends Error {}

/** `browser` (Firefox) or `chrome`. */
export function extensionApi(root = globalThis) {
  return root.browser ?? root.chrome;
}

/** Whether the extension that injected us is still there. */
export function alive(ext) {
  try {
    return !!(ext && ext.runtime && ext.runtime.id);
  } catch {
    return false;
  }
}

/** `i18n.getMessage(key, subs)`, "" when missing or when the extension is gone. */
export function message(ext, key, subs) {
  try {
    return (ext && ext.i18n && ext.i18n.getMessage(key, subs)) || "";
  } catch {
    return "";
  }
}

/**
 * The channel to the background: `send(msg)` answers the background's answer (a drop over the
 * port, the rest with sendMessage), or throws ContextGone / an Error when there is no answer.
 */
export function createChannel(ext, { idleMs = PORT_IDLE_MS } = {}) {
  let port = null; // { p: runtime.Port, pending: Map<id, { resolve, reject }> }
  let nextId = 1;
  let timer = 0;

  function open() {
    if (port) return port;
    const p = ext.runtime.connect({ name: PORT_NAME });
    const entry = { p, pending: new Map() };
    p.onMessage.addListener((m) => {
      const waiter = m && typeof m === "object" ? entry.pending.get(m.id) : undefined;
      if (!waiter) return;
      entry.pending.delete(m.id);
      waiter.resolve(m.answer);
    });
    p.onDisconnect.addListener(() => {
      void (ext.runtime && ext.runtime.lastError); // read, so that it is not reported as unchecked
      if (port === entry) port = null;
      for (const w of entry.pending.values()) w.reject(new Error("the background closed the port"));
      entry.pending.clear();
    });
    port = entry;
    closeWhenIdle();
    return entry;
  }

  function close() {
    const entry = port;
    port = null;
    clearTimeout(timer);
    if (!entry) return;
    try {
      entry.p.disconnect();
    } catch {
      // already gone
    }
    for (const w of entry.pending.values()) w.reject(new Error("closed"));
    entry.pending.clear();
  }

  function closeWhenIdle() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (port && port.pending.size) closeWhenIdle();
      else close();
    }, idleMs);
  }

  /** One request over the port, posted synchronously (in the caller's task). */
  function request(msg) {
    return new Promise((resolve, reject) => {
      const entry = open();
      const id = nextId++;
      entry.pending.set(id, { resolve, reject });
      entry.p.postMessage({ id, msg });
      closeWhenIdle();
    });
  }

  async function send(msg) {
    if (!alive(ext)) throw new ContextGone();
    try {
      return await (msg.type === "drop" ? request(msg) : ext.runtime.sendMessage(msg));
    } catch (err) {
      if (!alive(ext) || /context invalidated/i.test(String(err && err.message))) throw new ContextGone();
      throw err;
    }
  }

  /** Opens the port ahead of a likely drop (wakes the background); never throws. */
  function warm() {
    if (port || !alive(ext)) return;
    try {
      open();
    } catch {
      // extension reloaded: the click will say so
    }
  }

  return { send, warm, close, isOpen: () => port !== null };
}
