// "Ask before terminating" (docs/DESIGN.md §3, issue 8 item 4): the BACKGROUND asks, in an extension
// window (confirm.html?id=N) the console page cannot reach. The drop proceeds only on an explicit
// yes; the window closed, a timeout or a window that cannot open are a no.

export const CONFIRM_TIMEOUT_MS = 120000;
export const CONFIRM_SIZE = Object.freeze({ width: 480, height: 560 });

/**
 * @param {object} d
 * @param {object} d.api  windows.create / windows.remove, runtime.getURL
 * @param {number} [d.timeoutMs]
 */
export function makeConfirm({ api, timeoutMs = CONFIRM_TIMEOUT_MS }) {
  let seq = 0;
  const pending = new Map(); // id -> { info, resolve, windowId, timer }

  function settle(id, yes, reason) {
    const p = pending.get(id);
    if (!p) return false;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve({ yes: yes === true, reason });
    if (typeof p.windowId === "number" && reason !== "closed") {
      Promise.resolve()
        .then(() => api.windows.remove(p.windowId))
        .catch(() => {});
    }
    return true;
  }

  return {
    /**
     * Opens the confirmation window for `info` ({ sessionId, rowId, session, lookupError, mismatch }) and
     * resolves { yes, reason } with reason "yes" | "no" | "closed" | "timeout" | "unavailable".
     */
    ask(info) {
      const id = ++seq;
      const answer = new Promise((resolve) => {
        const timer = setTimeout(() => settle(id, false, "timeout"), timeoutMs);
        pending.set(id, { info, resolve, windowId: null, timer });
      });
      Promise.resolve()
        .then(() => api.windows.create({
          url: api.runtime.getURL(`confirm.html?id=${id}`),
          type: "popup",
          width: CONFIRM_SIZE.width,
          height: CONFIRM_SIZE.height,
          focused: true,
        }))
        .then((win) => {
          const p = pending.get(id);
          if (p) p.windowId = win && typeof win.id === "number" ? win.id : null;
          else if (win && typeof win.id === "number") api.windows.remove(win.id).catch(() => {});
        })
        .catch((err) => {
          console.error("Session Drop: cannot open the confirmation window", err);
          settle(id, false, "unavailable");
        });
      return answer;
    },
    /** What the window shows, or null for an unknown / answered id. */
    get(id) {
      const p = pending.get(id);
      return p ? p.info : null;
    },
    /** The window's answer; false when the id is unknown (already answered, timed out). */
    answer(id, yes) {
      return settle(id, yes === true, yes === true ? "yes" : "no");
    },
    /** windows.onRemoved: a closed window is a no. */
    onWindowRemoved(windowId) {
      for (const [id, p] of pending) if (p.windowId === windowId) settle(id, false, "closed");
    },
    get size() {
      return pending.size;
    },
  };
}
