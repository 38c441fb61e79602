//! The tests' HTTP client: `ureq` (plain `http://`), never following redirects, every status
//! returned as an answer (the tests look at 4xx/5xx bodies), bodies read whole.

use std::io;
use std::time::Duration;

/// A complete answer.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    /// Names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// One request, 30 s timeout.
pub fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> io::Result<Response> {
    request_timeout(method, url, headers, body, Duration::from_secs(30))
}

fn to_io(e: ureq::Error) -> io::Error {
    match e {
        ureq::Error::Io(e) => e,
        ureq::Error::Timeout(t) => io::Error::new(io::ErrorKind::TimedOut, format!("timeout: {t}")),
        other => io::Error::other(other.to_string()),
    }
}

/// One request with a timeout for the whole exchange.
pub fn request_timeout(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
    timeout: Duration,
) -> io::Result<Response> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .build()
        .into();
    let mut rq = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        rq = rq.header(*k, *v);
    }
    let body = body.unwrap_or(&[]);
    let result = if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        agent.run(rq.body(body).map_err(io::Error::other)?)
    } else {
        agent.run(rq.body(()).map_err(io::Error::other)?)
    };
    let mut resp = result.map_err(to_io)?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = resp
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_vec()
        .map_err(to_io)?;
    Ok(Response {
        status,
        headers,
        body,
    })
}

pub fn get(url: &str) -> io::Result<Response> {
    request("GET", url, &[], None)
}

/// `GET` with `Authorization: Bearer …`.
pub fn get_bearer(url: &str, token: &str) -> io::Result<Response> {
    let auth = format!("Bearer {token}");
    request("GET", url, &[("Authorization", &auth)], None)
}

/// `DELETE` with `Authorization: Bearer …`.
pub fn delete_bearer(url: &str, token: &str) -> io::Result<Response> {
    let auth = format!("Bearer {token}");
    request("DELETE", url, &[("Authorization", &auth)], None)
}

/// `POST` a JSON body.
pub fn post_json(url: &str, json: &str) -> io::Result<Response> {
    request(
        "POST",
        url,
        &[("Content-Type", "application/json")],
        Some(json.as_bytes()),
    )
}

/// `POST` a form body.
pub fn post_form(url: &str, form: &str) -> io::Result<Response> {
    request(
        "POST",
        url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(form.as_bytes()),
    )
}

/// Fetch a token from `{base}/iso/oauth2/token` with the form style; returns the access token.
pub fn fetch_token(base: &str, client_id: &str, client_secret: &str) -> io::Result<String> {
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        session_drop_sim::util::percent_encode(client_id),
        session_drop_sim::util::percent_encode(client_secret)
    );
    let r = post_form(&format!("{base}/iso/oauth2/token"), &form)?;
    r.json()["access_token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("token request failed: {} {}", r.status, r.text()),
            )
        })
}
