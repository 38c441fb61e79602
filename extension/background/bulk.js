// Bulk runs: a bounded pool of drops that survives the popup closing; per-session states kept in
// storage.local (an extension reload keeps it too) so that a background stopped mid-run leaves an
// honest account on restart: the audit trail (written before each DELETE) tells which sessions
// were sent; nothing is ever re-sent.
//
// Per-session line: { sessionId, rowId, user, device, state, ok, kind, status, report }
//   state: "pending"  not sent yet
//          "sending"  its DELETE is under way
//          "done"     answered (ok / kind / status / report from the appliance)
//          "invalid"  refused before anything was sent (report: invalid_session_ref + params)
//          "skipped"  beyond the 20,000 sessions of one run
//          "not_sent" never sent (token failure, audit failure, run interrupted before it)
//          "unknown"  sent, but the background stopped before the answer was recorded
import { makeReport, reportFromError, summarize } from "../lib/report.js";
import { LIMITS, bulkKey } from "../lib/protocol.js";
import { scrubReport } from "../lib/scrub.js";

export const RUN_KEY = "bulkRun";
const KEEP_ALIVE_MS = 20000;

export function newRunId() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const rnd = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, "0")).join("");
  return `run-${stamp}-${rnd}`;
}

function line(item, state, report = null) {
  return {
    sessionId: item.sessionId ?? null,
    rowId: item.rowId ?? null,
    user: item.user ?? null,
    device: item.device ?? null,
    state,
    ok: report ? report.ok === true : false,
    kind: report ? report.kind : null,
    status: report && typeof report.status === "number" ? report.status : null,
    report,
  };
}

function settleLine(l, state, report) {
  l.state = state;
  l.report = report;
  l.ok = report ? report.ok === true : false;
  l.kind = report ? report.kind : null;
  l.status = report && typeof report.status === "number" ? report.status : null;
  if (report && report.sessionId && !l.sessionId) l.sessionId = report.sessionId;
  if (report && report.rowId && !l.rowId) l.rowId = report.rowId;
}

/**
 * @param {object} d
 * @param {object} d.api       storage.local, runtime.getPlatformInfo
 * @param {object} d.clients   background/client.js
 * @param {object} d.dropper   background/drop.js
 * @param {object} d.audit     background/audit.js (ofRun, for the account after a restart)
 * @param {() => string[]} [d.secrets]
 */
export function makeBulk({ api, clients, dropper, audit, secrets = () => [] }) {
  let current = null;
  let persistTimer = null;
  let keepAlive = null;
  // The settling of a run a previous instance left running (restore below): started once, by
  // main.js after start-up (off a drop's path: it reads the whole stored run) or by the first
  // bulkStart / bulkState, whichever comes first; both wait for it.
  let restored = null;
  const restoreOnce = () => {
    restored ??= restore().catch((err) => console.error("Session Drop: cannot restore the bulk run", err));
    return restored;
  };

  function view(run) {
    return {
      id: run.id,
      appliance: run.appliance,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      running: run.running,
      interrupted: run.interrupted,
      total: run.total,
      done: run.done,
      concurrency: run.concurrency,
      error: run.error,
      results: run.results,
      summary: summarize(run.results),
    };
  }

  function persistNow() {
    if (persistTimer) {
      clearTimeout(persistTimer);
      persistTimer = null;
    }
    if (!current) return Promise.resolve();
    const v = scrubReport(view(current), secrets());
    return Promise.resolve()
      .then(() => api.storage.local.set({ [RUN_KEY]: v }))
      .catch((err) => console.error("Session Drop: cannot save the bulk run", err));
  }

  function schedulePersist() {
    if (persistTimer || !current) return;
    // A long run is written less often (the audit trail is what tells what was sent).
    const delay = Math.max(250, Math.floor(current.results.length / 10));
    persistTimer = setTimeout(() => {
      persistTimer = null;
      persistNow();
    }, delay);
  }

  async function stored() {
    try {
      const got = await api.storage.local.get(RUN_KEY);
      return got && got[RUN_KEY] && typeof got[RUN_KEY] === "object" ? got[RUN_KEY] : null;
    } catch {
      return null;
    }
  }

  /** A run stored as running by a previous instance was cut short: settle every line from the
   *  audit trail (done / sent-but-unknown / never sent) and mark the run interrupted. */
  async function restore() {
    const run = await stored();
    if (current || !run || !run.running || !Array.isArray(run.results)) return;
    const records = await audit.ofRun(run.id).catch(() => []);
    const byHash = new Map();
    const byRow = new Map();
    for (const r of records) {
      if (r.sessionId) byHash.set(r.sessionId, r);
      if (r.rowId) byRow.set(r.rowId, r);
    }
    for (const l of run.results) {
      if (l.state !== "pending" && l.state !== "sending") continue;
      const rec = (l.sessionId && byHash.get(l.sessionId)) || (l.rowId && byRow.get(l.rowId)) || null;
      if (rec && rec.state === "done") {
        settleLine(l, "done", makeReport(rec.kind || "unexpected", rec.params || {}, {
          ok: rec.ok === true, status: rec.status ?? null, sessionId: rec.sessionId, rowId: rec.rowId, serverMessage: rec.serverMessage ?? null,
        }));
      } else if (rec) {
        settleLine(l, "unknown", null);
      } else {
        settleLine(l, "not_sent", null);
      }
    }
    run.done = run.results.filter((l) => !["pending", "sending"].includes(l.state)).length;
    run.running = false;
    run.interrupted = true;
    run.finishedAt = new Date().toISOString();
    run.summary = summarize(run.results);
    if (current) return;
    await api.storage.local.set({ [RUN_KEY]: run }).catch(() => {});
  }

  async function execute(run, entry) {
    keepAlive ??= setInterval(() => Promise.resolve().then(() => api.runtime.getPlatformInfo()).catch(() => {}), KEEP_ALIVE_MS);
    const queue = run.results.filter((l) => l.state === "pending");
    try {
      const failure = await clients.obtainToken(entry);
      if (failure) {
        run.error = failure;
        for (const l of queue) settleLine(l, "not_sent", failure);
        run.done += queue.length;
        return;
      }
      let next = 0;
      let stop = null;
      const worker = async () => {
        while (next < queue.length) {
          const l = queue[next++];
          if (stop) {
            settleLine(l, "not_sent", stop);
            run.done++;
            continue;
          }
          l.state = "sending";
          const ref = l.sessionId ? { kind: "hash", value: l.sessionId } : { kind: "row", value: l.rowId };
          let report;
          try {
            report = await dropper.drop({ ref, context: { user: l.user, device: l.device }, source: "bulk", runId: run.id });
          } catch (err) {
            report = reportFromError(err);
          }
          if (report.kind === "audit_failed") {
            // Nothing was sent; with no audit trail, nothing more is sent either.
            stop = report;
            run.error = report;
            settleLine(l, "not_sent", report);
          } else {
            settleLine(l, "done", report);
          }
          run.done++;
          schedulePersist();
        }
      };
      await Promise.all(Array.from({ length: Math.min(run.concurrency, queue.length) }, worker));
    } finally {
      run.running = false;
      run.finishedAt = new Date().toISOString();
      await persistNow();
      if (keepAlive) {
        clearInterval(keepAlive);
        keepAlive = null;
      }
    }
  }

  return {
    /** Settles a run a previous instance left running (once; later calls wait for the first). */
    restore: restoreOnce,
    /** bulkStart { items: [{ok, item, problem?, skipped?}], concurrency? } (lib/protocol.js). */
    async start({ items, concurrency }) {
      await restoreOnce();
      if (current && current.running) {
        return makeReport("bulk_running", { count: current.total - current.done });
      }
      const entry = await clients.usable();
      if (entry.error) return entry.error;
      const { cfg } = entry;
      const results = [];
      const seen = new Set();
      for (const it of items) {
        if (it.skipped) {
          results.push(line(it.item, "skipped", makeReport("skipped", { max: LIMITS.bulkMax })));
        } else if (!it.ok) {
          results.push(line(it.item, "invalid", makeReport("invalid_session_ref", it.problem, { sessionId: it.item.sessionId, rowId: it.item.rowId })));
        } else {
          const k = bulkKey(it.item);
          if (seen.has(k)) continue; // the same session listed twice: once
          seen.add(k);
          results.push(line(it.item, "pending"));
        }
      }
      let conc = cfg.managedKeys.includes("bulkConcurrency")
        ? cfg.settings.bulkConcurrency
        : concurrency ?? cfg.settings.bulkConcurrency ?? 4;
      conc = Math.min(LIMITS.concurrencyMax, Math.max(LIMITS.concurrencyMin, conc | 0 || 4));
      const run = {
        id: newRunId(),
        appliance: cfg.server.origin,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        running: true,
        interrupted: false,
        total: results.length,
        done: results.filter((l) => l.state !== "pending").length,
        concurrency: conc,
        error: null,
        results,
      };
      current = run;
      // The whole list is stored before the first DELETE: a restart can account for every line.
      await persistNow();
      execute(run, entry).catch((err) => console.error("Session Drop: bulk run failed", err));
      return { ok: true, run: view(run) };
    },
    async state() {
      if (current) return { ok: true, run: view(current) };
      await restoreOnce();
      if (current) return { ok: true, run: view(current) };
      return { ok: true, run: await stored() };
    },
  };
}
