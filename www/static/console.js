/* senhasegura console replica: shell (sidebar, top bar), i18n, icons, small UI helpers.
   Holds no secrets and talks only to the replica's own data feed (/flow/api/sessions). */
(function () {
  "use strict";

  var params = new URLSearchParams(location.search);
  var LANG = (params.get("lang") || "").toLowerCase().indexOf("pt") === 0 ? "pt" : "en";

  var PT = {
    "brand.sub": "Acesso privilegiado",
    "menu.module": "PAM Core",
    "menu.dashboard": "Painel",
    "menu.overview": "Visão geral",
    "menu.remote_session": "Sessão remota",
    "menu.credentials": "Credenciais",
    "menu.credentials_all": "Todas as credenciais",
    "menu.ssh_keys": "Chaves SSH",
    "menu.devices": "Dispositivos",
    "menu.access_control": "Controle de acesso",
    "menu.policies": "Políticas de acesso",
    "menu.access_groups": "Grupos de acesso",
    "menu.audit": "Auditoria",
    "menu.sessions": "Sessões",
    "menu.remote_sessions": "Sessões remotas",
    "menu.analytics": "Análise de sessões",
    "menu.commands": "Histórico de comandos",
    "menu.requests": "Solicitações",
    "menu.reports": "Relatórios",
    "menu.settings": "Configurações",
    "menu.section.main": "Navegação",
    "menu.section.admin": "Administração",
    "top.search": "Pesquisar no senhasegura…",
    "top.role": "Administrador",
    "page.remote_sessions": "Sessões remotas",
    "page.remote_session": "Sessão remota",
    "page.index": "Réplica do console",
    "crumb.home": "PAM Core",
    "col.id": "ID",
    "col.session_id": "ID da sessão",
    "col.user": "Usuário",
    "col.origin_ip": "IP de origem",
    "col.credential": "Credencial",
    "col.device": "Dispositivo",
    "col.protocol": "Protocolo",
    "col.proxy": "Proxy",
    "col.start": "Início",
    "col.end": "Fim",
    "col.time": "Tempo",
    "col.action": "Ações",
    "filter.title": "Filtros",
    "filter.start": "Início",
    "filter.until": "Até",
    "filter.status": "Situação",
    "status.all": "Todas",
    "status.active": "Ativas",
    "status.ended": "Finalizadas",
    "btn.filter": "Filtrar",
    "btn.clear": "Limpar",
    "btn.refresh": "Atualizar",
    "btn.export": "Exportar",
    "btn.cancel": "Cancelar",
    "btn.interrupt": "Interromper",
    "btn.close": "Fechar",
    "pg.prev": "Anterior",
    "pg.next": "Próximo",
    "pg.info": "Mostrando {from} a {to} de {total} registros",
    "pg.info_empty": "Mostrando 0 a 0 de 0 registros",
    "pg.rows": "Registros por página",
    "report.title": "Relatório de sessões remotas",
    "processing": "Processando...",
    "empty": "Nenhum registro encontrado",
    "live": "Ativa",
    "act.live": "Transmissão ao vivo",
    "act.drop": "Interromper sessão",
    "act.logs": "Logs da sessão",
    "act.video": "Vídeo",
    "act.more": "Mais opções",
    "confirm.drop": "Deseja interromper esta sessão?",
    "yes": "Sim",
    "no": "Não",
    "modal.interrupt": "Interromper sessão",
    "modal.interrupt_text": "A sessão abaixo será interrompida e o usuário desconectado.",
    "modal.reason": "Justificativa",
    "modal.reason_ph": "Descreva o motivo da interrupção",
    "toast.interrupt": "Interrupção solicitada (réplica: nada foi enviado).",
    "toast.export": "Exportação iniciada (réplica: nenhum arquivo gerado).",
    "toast.refreshed": "Lista atualizada.",
    "toast.live": "Transmissão ao vivo indisponível na réplica.",
    "toast.video": "Vídeo em processamento.",
    "more.details": "Detalhes da sessão",
    "more.commands": "Histórico de comandos",
    "more.purge": "Impedir expurgo",
    "more.download": "Baixar vídeo",
    "logs.title": "Logs da sessão",
    "kpi.active": "Sessões ativas",
    "kpi.users": "Usuários conectados",
    "kpi.devices": "Dispositivos em uso",
    "kpi.protocols": "Protocolos em uso",
    "dash.by_protocol": "Sessões por protocolo",
    "dash.auto": "Atualização automática a cada {n} s",
    "dash.last": "Última atualização {t}",
    "index.remote": "Relatório de sessões remotas (PAM Core > Auditoria > Sessões > Sessões remotas)",
    "index.dash": "Painel PAM: sessões ativas (somente ID numérico, sem hash)"
  };

  var EN = {
    "pg.info": "Showing {from} to {to} of {total} entries",
    "pg.info_empty": "Showing 0 to 0 of 0 entries",
    "dash.auto": "Auto refresh every {n} s",
    "dash.last": "Last update {t}"
  };

  function t(key, fallback, vars) {
    var s = LANG === "pt" && PT[key] !== undefined ? PT[key] : EN[key] !== undefined ? EN[key] : fallback;
    if (s === undefined) s = key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }

  var ICONS = {
    eye: '<path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z"/><circle cx="12" cy="12" r="3"/>',
    power: '<path d="M18.36 6.64a9 9 0 1 1-12.73 0"/><line x1="12" y1="2" x2="12" y2="12"/>',
    file: '<path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z"/><polyline points="14 2 14 8 20 8"/><line x1="16" y1="13" x2="8" y2="13"/><line x1="16" y1="17" x2="8" y2="17"/>',
    video: '<polygon points="23 7 16 12 23 17 23 7"/><rect x="1" y="5" width="15" height="14" rx="2" ry="2"/>',
    more: '<circle cx="12" cy="5" r="1.3" fill="currentColor"/><circle cx="12" cy="12" r="1.3" fill="currentColor"/><circle cx="12" cy="19" r="1.3" fill="currentColor"/>',
    refresh: '<polyline points="23 4 23 10 17 10"/><polyline points="1 20 1 14 7 14"/><path d="M3.51 9a9 9 0 0 1 14.85-3.36L23 10M1 14l4.64 4.36A9 9 0 0 0 20.49 15"/>',
    download: '<path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4"/><polyline points="7 10 12 15 17 10"/><line x1="12" y1="15" x2="12" y2="3"/>',
    search: '<circle cx="11" cy="11" r="8"/><line x1="21" y1="21" x2="16.65" y2="16.65"/>',
    bell: '<path d="M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9"/><path d="M13.73 21a2 2 0 0 1-3.46 0"/>',
    help: '<circle cx="12" cy="12" r="10"/><path d="M9.09 9a3 3 0 0 1 5.83 1c0 2-3 3-3 3"/><line x1="12" y1="17" x2="12.01" y2="17"/>',
    menu: '<line x1="3" y1="12" x2="21" y2="12"/><line x1="3" y1="6" x2="21" y2="6"/><line x1="3" y1="18" x2="21" y2="18"/>',
    chev: '<polyline points="9 18 15 12 9 6"/>',
    chevdown: '<polyline points="6 9 12 15 18 9"/>',
    dashboard: '<rect x="3" y="3" width="7" height="9"/><rect x="14" y="3" width="7" height="5"/><rect x="14" y="12" width="7" height="9"/><rect x="3" y="16" width="7" height="5"/>',
    key: '<circle cx="7.5" cy="15.5" r="5.5"/><path d="M21 2l-9.6 9.6M15.5 7.5l3 3L22 7l-3-3"/>',
    server: '<rect x="2" y="2" width="20" height="8" rx="2"/><rect x="2" y="14" width="20" height="8" rx="2"/><line x1="6" y1="6" x2="6.01" y2="6"/><line x1="6" y1="18" x2="6.01" y2="18"/>',
    shield: '<path d="M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z"/>',
    lock: '<rect x="3" y="11" width="18" height="11" rx="2"/><path d="M7 11V7a5 5 0 0 1 10 0v4"/>',
    activity: '<polyline points="22 12 18 12 15 21 9 3 6 12 2 12"/>',
    chart: '<line x1="18" y1="20" x2="18" y2="10"/><line x1="12" y1="20" x2="12" y2="4"/><line x1="6" y1="20" x2="6" y2="14"/>',
    settings: '<line x1="4" y1="21" x2="4" y2="14"/><line x1="4" y1="10" x2="4" y2="3"/><line x1="12" y1="21" x2="12" y2="12"/><line x1="12" y1="8" x2="12" y2="3"/><line x1="20" y1="21" x2="20" y2="16"/><line x1="20" y1="12" x2="20" y2="3"/><line x1="1" y1="14" x2="7" y2="14"/><line x1="9" y1="8" x2="15" y2="8"/><line x1="17" y1="16" x2="23" y2="16"/>',
    users: '<path d="M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2"/><circle cx="9" cy="7" r="4"/><path d="M23 21v-2a4 4 0 0 0-3-3.87"/><path d="M16 3.13a4 4 0 0 1 0 7.75"/>',
    monitor: '<rect x="2" y="3" width="20" height="14" rx="2"/><line x1="8" y1="21" x2="16" y2="21"/><line x1="12" y1="17" x2="12" y2="21"/>',
    filter: '<polygon points="22 3 2 3 10 12.46 10 19 14 21 14 12.46 22 3"/>',
    clock: '<circle cx="12" cy="12" r="10"/><polyline points="12 6 12 12 16 14"/>',
    terminal: '<polyline points="4 17 10 11 4 5"/><line x1="12" y1="19" x2="20" y2="19"/>',
    alert: '<path d="M10.29 3.86L1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z"/><line x1="12" y1="9" x2="12" y2="13"/><line x1="12" y1="17" x2="12.01" y2="17"/>',
    list: '<line x1="8" y1="6" x2="21" y2="6"/><line x1="8" y1="12" x2="21" y2="12"/><line x1="8" y1="18" x2="21" y2="18"/><line x1="3" y1="6" x2="3.01" y2="6"/><line x1="3" y1="12" x2="3.01" y2="12"/><line x1="3" y1="18" x2="3.01" y2="18"/>',
    layers: '<polygon points="12 2 2 7 12 12 22 7 12 2"/><polyline points="2 17 12 22 22 17"/><polyline points="2 12 12 17 22 12"/>',
    info: '<circle cx="12" cy="12" r="10"/><line x1="12" y1="16" x2="12" y2="12"/><line x1="12" y1="8" x2="12.01" y2="8"/>'
  };

  var SVGNS = "http://www.w3.org/2000/svg";
  function icon(name, extraClass) {
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "ico" + (extraClass ? " " + extraClass : ""));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.innerHTML = ICONS[name] || "";
    return svg;
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") e.textContent = v;
        else if (k === "class") e.className = v;
        else if (k === "on") Object.keys(v).forEach(function (ev) { e.addEventListener(ev, v[ev]); });
        else e.setAttribute(k, v === true ? "" : v);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  function withLang(href) {
    if (LANG !== "pt" || !href || href.charAt(0) !== "/") return href;
    return href + (href.indexOf("?") >= 0 ? "&" : "?") + "lang=pt";
  }

  /* ---------- shell ---------- */
  var MENU = [
    { section: "menu.section.main", label: "Navigation" },
    { key: "menu.dashboard", label: "Dashboard", icon: "dashboard", id: "dashboard", children: [
      { key: "menu.overview", label: "Overview", href: "#" },
      { key: "menu.remote_session", label: "Remote Session", href: "/flow/dashboard/remote-session", id: "dashboard-remote-session" }
    ] },
    { key: "menu.credentials", label: "Credentials", icon: "key", children: [
      { key: "menu.credentials_all", label: "All credentials", href: "#" },
      { key: "menu.ssh_keys", label: "SSH keys", href: "#" }
    ] },
    { key: "menu.devices", label: "Devices", icon: "server", href: "#" },
    { key: "menu.access_control", label: "Access Control", icon: "lock", children: [
      { key: "menu.policies", label: "Access policies", href: "#" },
      { key: "menu.access_groups", label: "Access groups", href: "#" }
    ] },
    { key: "menu.audit", label: "Audit", icon: "activity", id: "audit", children: [
      { key: "menu.sessions", label: "Sessions", id: "sessions", children: [
        { key: "menu.remote_sessions", label: "Remote sessions", href: "/flow/remote-sessions", id: "remote-sessions" },
        { key: "menu.analytics", label: "Session analytics", href: "#" },
        { key: "menu.commands", label: "Command history", href: "#" }
      ] },
      { key: "menu.requests", label: "Requests", href: "#" }
    ] },
    { section: "menu.section.admin", label: "Administration" },
    { key: "menu.reports", label: "Reports", icon: "chart", href: "#" },
    { key: "menu.settings", label: "Settings", icon: "settings", href: "#" }
  ];

  function containsCurrent(item, current) {
    if (item.id === current) return true;
    return (item.children || []).some(function (c) { return containsCurrent(c, current); });
  }

  function buildMenuItems(items, current, depth) {
    var ul = el("ul", { class: depth ? "sub" : "" });
    items.forEach(function (item) {
      if (item.section) {
        ul.appendChild(el("li", { class: "section", text: t(item.section, item.label) }));
        return;
      }
      var open = containsCurrent(item, current);
      var li = el("li", { class: "item" + (open && item.children ? " open" : "") });
      var a = el("a", { href: withLang(item.href || "#") });
      if (item.id === current) { a.className = "current"; a.setAttribute("aria-current", "page"); }
      if (item.icon) a.appendChild(icon(item.icon));
      a.appendChild(el("span", { text: t(item.key, item.label) }));
      if (item.children) {
        a.appendChild(icon("chev", "chev"));
        a.addEventListener("click", function (ev) { ev.preventDefault(); li.classList.toggle("open"); });
      } else if (!item.href || item.href === "#") {
        a.addEventListener("click", function (ev) { ev.preventDefault(); });
      }
      li.appendChild(a);
      if (item.children) li.appendChild(buildMenuItems(item.children, current, depth + 1));
      ul.appendChild(li);
    });
    return ul;
  }

  function buildShell() {
    var current = document.body.getAttribute("data-page") || "";
    var side = document.getElementById("sidebar");
    if (side) {
      var brand = el("a", { class: "brand", href: withLang("/flow/"), style: "text-decoration:none" });
      brand.innerHTML =
        '<svg class="mark" viewBox="0 0 32 32" aria-hidden="true"><path d="M16 2 4 6.5v8.2C4 22.3 9.1 27.9 16 30c6.9-2.1 12-7.7 12-15.3V6.5z" fill="#f26522"/>' +
        '<path d="M16 5.2 7 8.6v6.1c0 5.7 3.8 9.9 9 11.6z" fill="#ff8a4c" opacity=".55"/>' +
        '<circle cx="16" cy="14" r="3.4" fill="#fff"/><rect x="14.7" y="15.6" width="2.6" height="7" rx="1.2" fill="#fff"/></svg>';
      var name = el("div", {}, ["senha", el("b", { text: "segura" }), el("small", { text: t("brand.sub", "Privileged Access") })]);
      brand.appendChild(name);
      side.appendChild(brand);
      var mod = el("div", { class: "module-switch" }, [icon("shield"), el("span", { text: t("menu.module", "PAM Core") }), icon("chevdown", "caret")]);
      side.appendChild(mod);
      var nav = el("nav", { class: "menu", "aria-label": "PAM Core" });
      nav.appendChild(buildMenuItems(MENU, current, 0));
      side.appendChild(nav);
      side.appendChild(el("div", { class: "side-foot", text: "senhasegura 4.0 · replica" }));
    }
    var top = document.getElementById("topbar");
    if (top) {
      top.appendChild(el("button", { class: "icon-btn", type: "button", title: "Menu", "aria-label": "Menu" }, [icon("menu")]));
      top.appendChild(el("div", { class: "module-name" }, [t("menu.module", "PAM Core"), el("span", { text: " · senhasegura" })]));
      var search = el("label", { class: "global-search" }, [icon("search"), el("input", { type: "search", placeholder: t("top.search", "Search senhasegura…"), "aria-label": t("top.search", "Search senhasegura…") })]);
      top.appendChild(search);
      top.appendChild(el("div", { class: "spacer" }));
      var here = location.pathname;
      var lang = el("div", { class: "lang-switch" }, [
        el("a", { href: here, class: LANG === "en" ? "on" : "", text: "EN" }),
        el("a", { href: here + "?lang=pt", class: LANG === "pt" ? "on" : "", text: "PT" })
      ]);
      top.appendChild(lang);
      top.appendChild(el("button", { class: "icon-btn", type: "button", title: "Help", "aria-label": "Help" }, [icon("help")]));
      top.appendChild(el("button", { class: "icon-btn", type: "button", title: "Notifications", "aria-label": "Notifications" }, [icon("bell"), el("span", { class: "badge-dot", text: "3" })]));
      top.appendChild(el("div", { class: "user-menu" }, [
        el("div", { class: "avatar", text: "AD" }),
        el("div", { class: "who" }, ["admin", el("small", { text: t("top.role", "Administrator") })]),
        icon("chevdown")
      ]));
    }
    document.documentElement.lang = LANG === "pt" ? "pt-BR" : "en";
    translate(document);
    document.querySelectorAll("svg[data-icon]").forEach(function (s) {
      s.setAttribute("viewBox", "0 0 24 24");
      s.setAttribute("aria-hidden", "true");
      s.classList.add("ico");
      s.innerHTML = ICONS[s.getAttribute("data-icon")] || "";
    });
    document.querySelectorAll("a[data-keep-lang]").forEach(function (a) { a.setAttribute("href", withLang(a.getAttribute("href"))); });
  }

  function translate(root) {
    root.querySelectorAll("[data-i18n]").forEach(function (e) {
      e.textContent = t(e.getAttribute("data-i18n"), e.textContent);
    });
    root.querySelectorAll("[data-i18n-placeholder]").forEach(function (e) {
      e.setAttribute("placeholder", t(e.getAttribute("data-i18n-placeholder"), e.getAttribute("placeholder")));
    });
    root.querySelectorAll("[data-i18n-title]").forEach(function (e) {
      var v = t(e.getAttribute("data-i18n-title"), e.getAttribute("title"));
      e.setAttribute("title", v);
      e.setAttribute("aria-label", v);
    });
  }

  /* ---------- floating UI ---------- */
  var floating = null;
  function closeFloating() {
    if (floating) { floating.remove(); floating = null; }
  }
  document.addEventListener("click", function (ev) {
    if (floating && !floating.contains(ev.target)) closeFloating();
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { closeFloating(); closeModal(); }
  });

  function placeNear(node, anchor) {
    var r = anchor.getBoundingClientRect();
    document.body.appendChild(node);
    var w = node.offsetWidth;
    var left = Math.max(8, Math.min(window.scrollX + r.right - w, window.scrollX + document.documentElement.clientWidth - w - 8));
    node.style.left = left + "px";
    node.style.top = window.scrollY + r.bottom + 6 + "px";
  }

  function popover(anchor, text, buttons) {
    closeFloating();
    var row = el("div", { class: "row" });
    var pop = el("div", { class: "popover", role: "dialog" }, [el("p", { text: text }), row]);
    buttons.forEach(function (b) {
      row.appendChild(el("button", { type: "button", class: "btn small " + (b.cls || ""), text: b.label, on: { click: function (ev) { ev.stopPropagation(); closeFloating(); if (b.onClick) b.onClick(); } } }));
    });
    setTimeout(function () { floating = pop; placeNear(pop, anchor); }, 0);
    return pop;
  }

  function dropdown(anchor, items) {
    closeFloating();
    var dd = el("div", { class: "dropdown", role: "menu" });
    items.forEach(function (it) {
      dd.appendChild(el("button", { type: "button", role: "menuitem", on: { click: function (ev) { ev.stopPropagation(); closeFloating(); if (it.onClick) it.onClick(); } } }, [icon(it.icon || "info"), it.label]));
    });
    setTimeout(function () { floating = dd; placeNear(dd, anchor); }, 0);
    return dd;
  }

  var modalNode = null;
  function closeModal() {
    if (modalNode) { modalNode.remove(); modalNode = null; }
  }
  function modal(opts) {
    closeModal();
    var footer = el("footer");
    (opts.buttons || []).forEach(function (b) {
      footer.appendChild(el("button", { type: "button", class: "btn " + (b.cls || ""), text: b.label, on: { click: function () { if (b.onClick && b.onClick() === false) return; closeModal(); } } }));
    });
    var box = el("div", { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": opts.title }, [
      el("header", {}, [el("h3", {}, [opts.icon ? icon(opts.icon) : null, opts.title]), el("button", { type: "button", class: "x", "aria-label": t("btn.close", "Close"), text: "×", on: { click: closeModal } })]),
      el("div", { class: "body" }, opts.body || []),
      footer
    ]);
    modalNode = el("div", { class: "modal-backdrop", on: { click: function (ev) { if (ev.target === modalNode) closeModal(); } } }, [box]);
    document.body.appendChild(modalNode);
    return box;
  }

  var toastArea = null;
  function toast(msg) {
    if (!toastArea) { toastArea = el("div", { class: "toast-area", "aria-live": "polite" }); document.body.appendChild(toastArea); }
    var n = el("div", { class: "toast", text: msg });
    toastArea.appendChild(n);
    setTimeout(function () { n.remove(); }, 3500);
  }

  function fetchSessions(query) {
    var qs = new URLSearchParams();
    Object.keys(query).forEach(function (k) { if (query[k] !== "" && query[k] !== null && query[k] !== undefined) qs.set(k, query[k]); });
    return fetch("/flow/api/sessions?" + qs.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
  }

  function initialData() {
    var node = document.getElementById("initial-data");
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  window.SimConsole = {
    LANG: LANG, t: t, icon: icon, el: el, toast: toast, popover: popover, dropdown: dropdown,
    modal: modal, closeModal: closeModal, fetchSessions: fetchSessions, initialData: initialData,
    translate: translate, withLang: withLang
  };

  buildShell();
})();
