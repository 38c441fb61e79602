// One termination: (confirmation) -> audit record written -> DELETE -> record completed.
// De-duplicated per session hash while in flight; bounded by a deadline that answers "still
// waiting" without freeing the in-flight entry.
import { makeReport, plainReport, plainSession, reportFromError, withDeadline, get } from "../lib/report.js";
import { callDeadline } from "./client.js";
import { inflightKey } from "./inflight.js";

/** A drop makes at most this many requests of timeoutMs each (token, resolve, DELETE, renewals,
 *  other generation): its deadline. */
const DROP_REQUESTS = 7;

/**
 * @param {object} d
 * @param {object} d.clients   background/client.js
 * @param {object} d.audit     background/audit.js
 * @param {object} d.inflight  background/inflight.js
 * @param {object} [d.confirm] background/confirm.js (needed when `ask` is used)
 */
export function makeDropper({ clients, audit, inflight, confirm = null }) {
  async function call(entry, p, requests) {
    try {
      return plainReport(await withDeadline(p, callDeadline(entry.cfg, requests), () => makeReport("timeout", { stillWaiting: "yes" })));
    } catch (err) {
      return reportFromError(err);
    }
  }

  async function send(entry, { hash, rowId, context, source, runId }) {
    let id;
    try {
      id = await audit.begin({
        appliance: entry.cfg.server.origin,
        ref: { kind: "hash", value: hash },
        rowId,
        context,
        source,
        runId,
      });
    } catch (err) {
      const detail = err && err.message ? err.message : String(err);
      return makeReport("audit_failed", { detail: detail.slice(0, 300) }, { sessionId: hash, rowId });
    }
    let report;
    try {
      report = plainReport(await entry.client.drop({ kind: "hash", value: hash }));
    } catch (err) {
      report = reportFromError(err);
    }
    if (!report.sessionId) report.sessionId = hash;
    if (!report.rowId && rowId) report.rowId = rowId;
    clients.persist(entry);
    if (!(await audit.complete(id, report))) {
      // The DELETE went out and its record says "sending": the operator is told the trail lacks
      // the outcome (the report keeps its own kind; describeReport adds the warning).
      report.params = { ...(report.params || {}), auditIncomplete: "yes" };
    }
    return report;
  }

  /** list-one of a row id: `{ session }` (plain) or `{ lookupError }` (a Report). */
  async function lookupRow(entry, rowId) {
    let found;
    try {
      found = await withDeadline(entry.client.lookup({ kind: "row", value: rowId }), callDeadline(entry.cfg, 3), () => makeReport("timeout", { stillWaiting: "yes" }));
    } catch (err) {
      found = reportFromError(err);
    }
    clients.persist(entry);
    if (get(found, "ok") === true && get(found, "session")) return { session: plainSession(get(found, "session")), lookupError: null };
    return { session: null, lookupError: plainReport(found) };
  }

  /**
   * @param {object} a
   * @param {{kind: "hash"|"row", value: string}} a.ref
   * @param {object} [a.context]  { user, device, rowId } as the page shows them; `rowId` (the
   *   numeric ID a hash row shows) is only asked about (list-one) in the confirmation, never trusted
   * @param {"console"|"popup"|"bulk"} a.source
   * @param {string} [a.runId]
   * @param {boolean} [a.ask]     confirm in an extension window first
   * @returns {Promise<object>} the Report
   */
  async function drop({ ref, context = {}, source, runId = null, ask = false }) {
    const entry = await clients.usable();
    if (entry.error) return entry.error;
    const { client, cfg } = entry;
    let hash = ref.kind === "hash" ? ref.value : null;
    let rowId = ref.kind === "row" ? ref.value : null;
    // The row ID the page shows next to a hash: a claim, checked with the appliance below.
    const shownRowId = ref.kind === "hash" && typeof context.rowId === "string" ? context.rowId : null;
    const auditContext = { ...context };
    delete auditContext.rowId; // the audit record's rowId is set only when the appliance confirmed it
    let session = null;
    let lookupError = null;
    let mismatch = false;
    if (rowId !== null) {
      // A row is resolved to its hash first: the in-flight key is the session, not its name.
      if (ask) {
        ({ session, lookupError } = await lookupRow(entry, rowId));
        if (session) hash = session.sessionId;
      } else {
        const r = await call(entry, client.resolve(rowId), 3);
        clients.persist(entry);
        if (r.ok && r.sessionId) hash = r.sessionId;
        else return { ...r, rowId: r.rowId ?? rowId };
      }
      if (!hash) return { ...(lookupError ?? makeReport("session_not_found")), rowId };
    } else if (ask && shownRowId !== null) {
      // A hash row that also shows its row ID: what the appliance says about that row. When it
      // names another session the page may be lying: the window says so; the drop still targets
      // only the bound hash, and only on a yes.
      ({ session, lookupError } = await lookupRow(entry, shownRowId));
      mismatch = !!session && session.sessionId !== hash;
      if (session && !mismatch) rowId = shownRowId; // confirmed by the appliance: recorded
    }
    if (ask) {
      const shown = rowId ?? shownRowId;
      if (!confirm) return makeReport("cancelled", { reason: "unavailable" }, { sessionId: hash, rowId });
      const { yes, reason } = await confirm.ask({ sessionId: hash, rowId: shown, session, lookupError, mismatch });
      if (!yes) return makeReport("cancelled", { reason }, { sessionId: hash, rowId });
    }
    const { promise } = inflight.run(inflightKey(cfg.server.origin, hash), () => send(entry, { hash, rowId, context: auditContext, source, runId }));
    return withDeadline(
      promise,
      callDeadline(cfg, DROP_REQUESTS),
      () => makeReport("timeout", { stillWaiting: "yes" }, { sessionId: hash, rowId }),
    );
  }

  return { drop };
}
