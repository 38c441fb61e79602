//! `/flow/…`: the console replica (static files from `www/`) and its JSON data feed.

use crate::model::SimSession;
use crate::server::{row_key, Incoming, Inner, Reply};
use crate::util::{form_get, json_for_script, parse_form};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Marker replaced by the first page of data (so rows exist before any script fetches).
const MARKER: &str = "<!--SIM:INITIAL_DATA-->";

#[derive(Serialize)]
struct Row<'a> {
    id: &'a str,
    session_id: &'a str,
    user: &'a str,
    origin_ip: &'a str,
    credential: &'a str,
    device: &'a str,
    protocol: &'a str,
    proxy: &'a str,
    start: &'a str,
    end: Option<&'a str>,
    time: &'a str,
    active: bool,
}

#[derive(Serialize)]
struct Page<'a> {
    total: usize,
    active_total: usize,
    page: usize,
    per_page: usize,
    pages: usize,
    rows: Vec<Row<'a>>,
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    needle.is_empty() || hay.to_lowercase().contains(&needle.trim().to_lowercase())
}

/// The JSON of `/flow/api/sessions` for a query string.
pub(crate) fn sessions_page(sessions: &[SimSession], query: &str) -> String {
    let q = parse_form(query);
    let get = |k: &str| form_get(&q, k).unwrap_or("").trim().to_string();
    let page = get("page").parse::<usize>().unwrap_or(1).max(1);
    let per_page = get("per_page").parse::<usize>().unwrap_or(30).clamp(1, 500);
    let (id, sid, user, cred, dev, ip, proto, proxy) = (
        get("id"),
        get("session_id"),
        get("user"),
        get("credential"),
        get("device"),
        get("origin_ip"),
        get("protocol"),
        get("proxy"),
    );
    let (start, until, active) = (get("start"), get("until"), get("active"));
    let mut rows: Vec<&SimSession> = sessions
        .iter()
        .filter(|s| id.is_empty() || s.id == id)
        .filter(|s| contains_ci(&s.session_id, &sid))
        .filter(|s| contains_ci(&s.user, &user))
        .filter(|s| contains_ci(&s.credential, &cred))
        .filter(|s| contains_ci(&s.device, &dev))
        .filter(|s| contains_ci(&s.origin_ip, &ip))
        .filter(|s| proto.is_empty() || s.protocol.eq_ignore_ascii_case(&proto))
        .filter(|s| contains_ci(&s.proxy, &proxy))
        .filter(|s| start.is_empty() || s.start.as_str() >= start.as_str())
        .filter(|s| {
            until.is_empty() || s.start.get(..until.len()).unwrap_or(&s.start) <= until.as_str()
        })
        .filter(|s| match active.as_str() {
            "1" | "true" | "yes" => s.is_active(),
            "0" | "false" | "no" => !s.is_active(),
            _ => true,
        })
        .collect();
    rows.sort_by_key(|s| std::cmp::Reverse(row_key(&s.id)));
    let total = rows.len();
    let active_total = rows.iter().filter(|s| s.is_active()).count();
    let pages = total.div_ceil(per_page).max(1);
    let rows = rows
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|s| Row {
            id: &s.id,
            session_id: &s.session_id,
            user: &s.user,
            origin_ip: &s.origin_ip,
            credential: &s.credential,
            device: &s.device,
            protocol: &s.protocol,
            proxy: &s.proxy,
            start: &s.start,
            end: if s.is_active() {
                None
            } else {
                s.end.as_deref()
            },
            time: &s.time,
            active: s.is_active(),
        })
        .collect();
    serde_json::to_string(&Page {
        total,
        active_total,
        page,
        per_page,
        pages,
        rows,
    })
    .expect("serialisable")
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn not_found() -> Reply {
    Reply::html(
        404,
        "<!doctype html><title>Not found</title><h1>404 - Page not found</h1><p><a href=\"/flow/\">senhasegura</a></p>",
    )
}

/// A file under `www`, refusing anything that could leave it.
fn safe_join(www: &Path, rel: &str) -> Option<PathBuf> {
    if rel.is_empty() || rel.contains('\\') || rel.contains('%') || rel.contains('\0') {
        return None;
    }
    let mut p = www.to_path_buf();
    for seg in rel.split('/') {
        if seg.is_empty() || seg.starts_with('.') {
            return None;
        }
        p.push(seg);
    }
    Some(p)
}

fn serve_file(p: &Path) -> Reply {
    match std::fs::read(p) {
        Ok(bytes) => Reply {
            status: 200,
            content_type: Some(content_type(p)),
            headers: Vec::new(),
            body: bytes,
        },
        Err(_) => not_found(),
    }
}

/// A page with the first data page injected at the marker.
fn serve_page(inner: &Inner, p: &Path, initial_query: &str) -> Reply {
    let Ok(html) = std::fs::read_to_string(p) else {
        return not_found();
    };
    let data = {
        let st = inner.state();
        sessions_page(&st.sessions, initial_query)
    };
    let script = format!(
        "<script type=\"application/json\" id=\"initial-data\">{}</script>",
        json_for_script(&data)
    );
    Reply::html(200, html.replacen(MARKER, &script, 1))
}

pub(crate) fn handle(inner: &Inner, rq: &Incoming) -> Reply {
    let path = rq.path.as_str();
    if path == "/flow/api/sessions" {
        if rq.method != "GET" {
            return Reply::json(405, r#"{"error":"method not allowed"}"#);
        }
        let body = {
            let st = inner.state();
            sessions_page(&st.sessions, &rq.query)
        };
        return Reply::json(200, body);
    }
    if rq.method != "GET" && rq.method != "HEAD" {
        return Reply::empty(405);
    }
    if path == "/flow" {
        return Reply::redirect("/flow/");
    }
    let Some(www) = inner.www.as_deref() else {
        return Reply::html(
            404,
            "<!doctype html><title>senhasegura simulator</title><p>Console replica not configured (no www directory).</p>",
        );
    };
    match path {
        "/flow/" | "/flow/index.html" => serve_file(&www.join("index.html")),
        "/flow/remote-sessions" | "/flow/remote-sessions/" => serve_page(
            inner,
            &www.join("remote-sessions.html"),
            "page=1&per_page=30",
        ),
        "/flow/dashboard/remote-session" | "/flow/dashboard/remote-session/" => serve_page(
            inner,
            &www.join("dashboard-remote-session.html"),
            "page=1&per_page=500&active=1",
        ),
        _ => match path
            .strip_prefix("/flow/static/")
            .and_then(|r| safe_join(&www.join("static"), r))
        {
            Some(p) if p.is_file() => serve_file(&p),
            _ => not_found(),
        },
    }
}
