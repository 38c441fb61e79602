/* Remote sessions report: renders rows from /flow/api/sessions, paginates by replacing the
   tbody rows, vendor-like action icons (cosmetic: nothing is ever sent from here). */
(function () {
  "use strict";
  var C = window.SimConsole, t = C.t, el = C.el, icon = C.icon;

  var table = document.getElementById("remote-sessions-report");
  var tbody = table.tBodies[0];
  var info = document.getElementById("page-info");
  var pager = document.getElementById("pagination");
  var processing = document.getElementById("processing");
  var form = document.getElementById("filters");
  var perPageSel = document.getElementById("per-page");

  var state = { page: 1, perPage: 30, pages: 1, total: 0, filters: {}, rows: [], sortKey: null, sortDir: 1 };
  var rowData = new WeakMap();

  function td(text, cls, title) {
    return el("td", { class: cls || null, title: title || null, text: text });
  }

  function actionButton(kind, iconName, labelKey, label, enabled) {
    var b = el("button", { type: "button", class: "act " + kind, "data-action": kind, title: t(labelKey, label), "aria-label": t(labelKey, label) }, [icon(iconName)]);
    if (!enabled) b.disabled = true;
    return b;
  }

  function renderRow(r) {
    var tr = document.createElement("tr");
    tr.appendChild(td(r.id, "num"));
    tr.appendChild(td(r.session_id, "mono hash", r.session_id));
    tr.appendChild(td(r.user, "nowrap"));
    tr.appendChild(td(r.origin_ip, "nowrap"));
    tr.appendChild(td(r.credential, "nowrap"));
    tr.appendChild(td(r.device, "clip", r.device));
    var proto = el("td", {}, [el("span", { class: "proto " + String(r.protocol).toLowerCase(), text: String(r.protocol).toUpperCase() })]);
    tr.appendChild(proto);
    tr.appendChild(td(r.proxy));
    tr.appendChild(td(r.start, "dt"));
    if (r.active) tr.appendChild(el("td", {}, [el("span", { class: "pill live", text: t("live", "Active") })]));
    else tr.appendChild(td(r.end || "", "dt"));
    tr.appendChild(td(r.time, "num"));
    var actions = el("td", { class: "actions" }, [
      actionButton("live", "eye", "act.live", "Live Stream", r.active),
      actionButton("power", "power", "act.drop", "Drop Session", r.active),
      actionButton("logs", "file", "act.logs", "Session logs", true),
      actionButton("video", "video", "act.video", "Video", !r.active),
      actionButton("more", "more", "act.more", "More options", true)
    ]);
    tr.appendChild(actions);
    rowData.set(tr, r);
    return tr;
  }

  function sortedRows() {
    var rows = state.rows.slice();
    if (!state.sortKey) return rows;
    var k = state.sortKey, d = state.sortDir;
    rows.sort(function (a, b) {
      var x = a[k] === null ? "" : a[k], y = b[k] === null ? "" : b[k];
      if (k === "id") { x = Number(x); y = Number(y); }
      return x < y ? -d : x > y ? d : 0;
    });
    return rows;
  }

  function renderRows() {
    var rows = sortedRows().map(renderRow);
    if (!rows.length) rows = [el("tr", { class: "empty-row" }, [el("td", { colspan: "12", text: t("empty", "No records found") })])];
    tbody.replaceChildren.apply(tbody, rows);
  }

  function pageButton(label, page, opts) {
    opts = opts || {};
    var b = el("button", { type: "button", text: label, "data-page": String(page) });
    if (opts.current) { b.className = "current"; b.setAttribute("aria-current", "page"); }
    if (opts.disabled) b.disabled = true;
    b.addEventListener("click", function () { if (!b.disabled && page !== state.page) load(page); });
    return b;
  }

  function renderPager() {
    var p = state.page, n = state.pages, nodes = [];
    nodes.push(pageButton(t("pg.prev", "Previous"), Math.max(1, p - 1), { disabled: p <= 1 }));
    var from = Math.max(1, Math.min(p - 2, n - 4)), to = Math.min(n, from + 4);
    if (from > 1) { nodes.push(pageButton("1", 1)); if (from > 2) nodes.push(el("button", { type: "button", disabled: true, text: "…" })); }
    for (var i = from; i <= to; i++) nodes.push(pageButton(String(i), i, { current: i === p }));
    if (to < n) { if (to < n - 1) nodes.push(el("button", { type: "button", disabled: true, text: "…" })); nodes.push(pageButton(String(n), n)); }
    nodes.push(pageButton(t("pg.next", "Next"), Math.min(n, p + 1), { disabled: p >= n }));
    pager.replaceChildren.apply(pager, nodes);
    if (state.total === 0) info.textContent = t("pg.info_empty", "Showing 0 to 0 of 0 entries");
    else info.textContent = t("pg.info", "", { from: (p - 1) * state.perPage + 1, to: Math.min(state.total, p * state.perPage), total: state.total });
  }

  function apply(data) {
    state.page = data.page; state.pages = data.pages; state.total = data.total; state.perPage = data.per_page;
    state.rows = data.rows || [];
    renderRows();
    renderPager();
  }

  var seq = 0;
  function load(page) {
    var my = ++seq;
    processing.classList.add("on");
    var q = Object.assign({ page: page, per_page: state.perPage }, state.filters);
    return C.fetchSessions(q).then(function (data) {
      if (my === seq) apply(data);
    }).catch(function (e) {
      C.toast("Error: " + e.message);
    }).then(function () {
      if (my === seq) processing.classList.remove("on");
    });
  }

  /* ---------- vendor-like actions (cosmetic) ---------- */
  function interruptModal(r) {
    var reason = el("textarea", { placeholder: t("modal.reason_ph", "Describe why the session is being interrupted") });
    C.modal({
      title: t("modal.interrupt", "Interrupt Session"),
      icon: "power",
      body: [
        el("p", { text: t("modal.interrupt_text", "The session below will be interrupted and the user disconnected.") }),
        el("dl", {}, [
          el("dt", { text: t("col.id", "ID") }), el("dd", { text: r.id }),
          el("dt", { text: t("col.session_id", "Session ID") }), el("dd", { text: r.session_id }),
          el("dt", { text: t("col.user", "User") }), el("dd", { text: r.user }),
          el("dt", { text: t("col.device", "Device") }), el("dd", { text: r.device })
        ]),
        el("label", { text: t("modal.reason", "Reason") }), reason
      ],
      buttons: [
        { label: t("btn.cancel", "Cancel") },
        { label: t("btn.interrupt", "Interrupt"), cls: "danger", onClick: function () { C.toast(t("toast.interrupt", "Interruption requested (replica: nothing was sent).")); } }
      ]
    });
  }

  function logsModal(r) {
    var lines = [
      r.start + "  session opened by " + r.user + " from " + r.origin_ip,
      r.start + "  proxy " + r.proxy + " -> " + r.device + " (" + r.protocol + ") as " + r.credential,
      r.start + "  credential checked out, password injected",
      r.active ? "…  session in progress" : (r.end + "  session closed (" + r.time + ")")
    ];
    C.modal({
      title: t("logs.title", "Session logs") + " #" + r.id,
      icon: "file",
      body: [el("pre", { style: "margin:0;font-size:11.5px;background:#0f1826;color:#cfe3ff;padding:12px;border-radius:4px;white-space:pre-wrap", text: lines.join("\n") })],
      buttons: [{ label: t("btn.close", "Close"), cls: "primary" }]
    });
  }

  tbody.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("button.act[data-action]");
    if (!b || b.disabled) return;
    var r = rowData.get(b.closest("tr"));
    if (!r) return;
    ev.stopPropagation();
    switch (b.getAttribute("data-action")) {
      case "live": C.toast(t("toast.live", "Live stream is not available in the replica.")); break;
      case "power":
        C.popover(b, t("confirm.drop", "Do you want to drop this session?"), [
          { label: t("no", "No") },
          { label: t("yes", "Yes"), cls: "danger", onClick: function () { interruptModal(r); } }
        ]);
        break;
      case "logs": logsModal(r); break;
      case "video": C.toast(t("toast.video", "The video is being processed.")); break;
      case "more":
        C.dropdown(b, [
          { icon: "info", label: t("more.details", "Session details"), onClick: function () { logsModal(r); } },
          { icon: "terminal", label: t("more.commands", "Command history") },
          { icon: "lock", label: t("more.purge", "Prevent purge") },
          { icon: "download", label: t("more.download", "Download video") }
        ]);
        break;
    }
  });

  table.tHead.addEventListener("click", function (ev) {
    var th = ev.target.closest && ev.target.closest("th.sortable");
    if (!th) return;
    var k = th.getAttribute("data-key");
    state.sortDir = state.sortKey === k ? -state.sortDir : 1;
    state.sortKey = k;
    table.tHead.querySelectorAll("th").forEach(function (h) { h.classList.toggle("sorted", h === th); });
    renderRows();
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = {};
    new FormData(form).forEach(function (v, k) { if (String(v).trim() !== "") f[k] = String(v).trim(); });
    state.filters = f;
    load(1);
  });
  form.addEventListener("reset", function () {
    setTimeout(function () { state.filters = {}; load(1); }, 0);
  });
  perPageSel.addEventListener("change", function () {
    state.perPage = Number(perPageSel.value) || 30;
    load(1);
  });
  document.getElementById("btn-refresh").addEventListener("click", function () {
    load(state.page).then(function () { C.toast(t("toast.refreshed", "List refreshed.")); });
  });
  document.getElementById("btn-export").addEventListener("click", function () {
    C.toast(t("toast.export", "Export started (replica: no file is produced)."));
  });

  var init = C.initialData();
  if (init) apply(init); else load(1);
})();
