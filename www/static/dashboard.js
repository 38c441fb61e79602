/* PAM Dashboard > Remote Session: active sessions (numeric ID only, no hash), auto-refreshed
   every 30 s (or ?refresh_s=N) by replacing the tbody rows with new <tr> elements. */
(function () {
  "use strict";
  var C = window.SimConsole, t = C.t, el = C.el;
  var params = new URLSearchParams(location.search);
  var refreshS = Math.max(1, Number(params.get("refresh_s")) || 30);

  var tbody = document.getElementById("dashboard-remote-session").tBodies[0];
  var lastUpdate = document.getElementById("last-update");
  var refreshText = document.getElementById("refresh-text");
  refreshText.textContent = t("dash.auto", "", { n: refreshS });

  var COLORS = { rdp: "#1565c0", ssh: "#1e9e5a", http: "#f26522" };

  function td(text, cls) { return el("td", { class: cls || null, text: text }); }

  function renderRow(r) {
    return el("tr", {}, [
      td(r.id, "num"),
      td(r.user, "nowrap"),
      td(r.origin_ip, "nowrap"),
      td(r.credential, "nowrap"),
      el("td", { class: "clip", title: r.device, text: r.device }),
      el("td", {}, [el("span", { class: "proto " + String(r.protocol).toLowerCase(), text: String(r.protocol).toUpperCase() })]),
      td(r.start, "dt"),
      td(r.time, "num")
    ]);
  }

  function uniq(rows, k) {
    var s = {};
    rows.forEach(function (r) { s[r[k]] = 1; });
    return Object.keys(s).length;
  }

  function apply(data) {
    var rows = (data.rows || []).filter(function (r) { return r.active; });
    var trs = rows.map(renderRow);
    if (!trs.length) trs = [el("tr", { class: "empty-row" }, [el("td", { colspan: "8", text: t("empty", "No records found") })])];
    tbody.replaceChildren.apply(tbody, trs);
    document.getElementById("kpi-active").textContent = String(rows.length);
    document.getElementById("kpi-users").textContent = String(uniq(rows, "user"));
    document.getElementById("kpi-devices").textContent = String(uniq(rows, "device"));
    var counts = {};
    rows.forEach(function (r) { counts[r.protocol] = (counts[r.protocol] || 0) + 1; });
    document.getElementById("kpi-protocols").textContent = String(Object.keys(counts).length);
    var bars = Object.keys(counts).sort().map(function (p) {
      var pct = rows.length ? Math.round(counts[p] * 100 / rows.length) : 0;
      return el("div", { class: "bar-row" }, [
        el("div", { class: "lbl" }, [el("span", { text: p.toUpperCase() }), el("span", { text: counts[p] + " (" + pct + "%)" })]),
        el("div", { class: "bar" }, [el("span", { style: "width:" + pct + "%;background:" + (COLORS[p] || "#6a3fc1") })])
      ]);
    });
    var barBox = document.getElementById("proto-bars");
    barBox.replaceChildren.apply(barBox, bars);
    lastUpdate.textContent = t("dash.last", "", { t: new Date().toLocaleTimeString(C.LANG === "pt" ? "pt-BR" : "en-US") });
  }

  function load() {
    return C.fetchSessions({ active: 1, per_page: 500, page: 1 }).then(apply).catch(function (e) { C.toast("Error: " + e.message); });
  }

  document.getElementById("btn-refresh").addEventListener("click", function () { load(); });
  var init = C.initialData();
  if (init) apply(init); else load();
  setInterval(load, refreshS * 1000);
})();
