//! An in-memory cache of rendered public pages.
//!
//! Skill modules and the catalogue are rendered from content that is fixed
//! at start-up, so the HTML a visitor gets for a path never changes while
//! the process runs. Rendering one costs about a millisecond of CPU; serving
//! it from memory costs microseconds, which is what a phone on clinic Wi-Fi
//! (and a two-core server) needs. Only these are cached:
//! - GET requests for the listed path prefixes, without a query string,
//! - without a session cookie (personal pages are never shared),
//! - answered 200, at most [`MAX_ENTRIES`] distinct URLs, at most
//!   [`MAX_BODY`] bytes each.
//!
//! It sits outside the compression layer and keys on the response encoding,
//! so a cached page is also compressed only once. A cached page is served
//! with the `Content-Security-Policy` it was rendered with, so visitors of
//! one cached URL share its script nonce. That is safe because a cached page
//! holds no text a visitor chose: only module content fixed at start-up (a
//! query string, such as a catalogue search, which is reflected into the
//! page, is never cached), so there is nothing to inject a script with.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Name of the session cookie; requests carrying it bypass the cache.
pub const SESSION_COOKIE: &str = app::auth::session::COOKIE_NAME;
const MAX_ENTRIES: usize = 512;
const MAX_BODY: usize = 2 << 20;

#[derive(Clone)]
struct Entry {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone, Default)]
pub struct PageCache {
    prefixes: Arc<Vec<&'static str>>,
    entries: Arc<RwLock<HashMap<(String, bool), Entry>>>,
}

impl PageCache {
    pub fn new(prefixes: Vec<&'static str>) -> PageCache {
        PageCache { prefixes: Arc::new(prefixes), entries: Arc::default() }
    }

    fn cacheable(&self, req: &Request<Body>) -> bool {
        let path = req.uri().path();
        req.method() == Method::GET
            && req.uri().query().is_none()
            && self
                .prefixes
                .iter()
                .any(|p| path.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
            && !has_session(req.headers())
    }
}

fn has_session(headers: &HeaderMap) -> bool {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|c| {
        c.split(';').any(|kv| kv.trim().strip_prefix(SESSION_COOKIE).is_some_and(|rest| rest.starts_with('=')))
    })
}

fn wants_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

pub async fn serve_cached(State(cache): State<PageCache>, req: Request<Body>, next: Next) -> Response {
    if !cache.cacheable(&req) {
        return next.run(req).await;
    }
    let key = (req.uri().to_string(), wants_gzip(req.headers()));
    // One read lock: either a hit, or whether there is room to store a miss.
    let (hit, full) = match cache.entries.read() {
        Ok(e) => (e.get(&key).cloned(), e.len() >= MAX_ENTRIES),
        Err(_) => (None, true),
    };
    if let Some(hit) = hit {
        let mut response = Response::new(Body::from(hit.body));
        *response.status_mut() = hit.status;
        *response.headers_mut() = hit.headers;
        return response;
    }
    let response = next.run(req).await;
    // Never store a page that set a cookie: it was made for someone.
    if response.status() != StatusCode::OK || full || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page too large to cache or body failed");
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            return r;
        }
    };
    if let Ok(mut entries) = cache.entries.write() {
        entries.insert(key, Entry { status: parts.status, headers: parts.headers.clone(), body: bytes.clone() });
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_gets_under_the_prefixes_are_cached() {
        let cache = PageCache::new(vec!["/modules"]);
        let req = |method: Method, path: &str, cookie: Option<&str>| {
            let mut b = Request::builder().method(method).uri(path);
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            b.body(Body::empty()).unwrap()
        };
        assert!(cache.cacheable(&req(Method::GET, "/modules", None)));
        assert!(cache.cacheable(&req(Method::GET, "/modules/venipuncture", None)));
        assert!(cache.cacheable(&req(Method::GET, "/modules/venipuncture", Some("theme=dark"))));
        assert!(!cache.cacheable(&req(Method::GET, "/modulesx", None)));
        assert!(!cache.cacheable(&req(Method::POST, "/modules", None)));
        assert!(!cache.cacheable(&req(Method::GET, "/", None)));
        // A search is reflected into the page: never shared.
        assert!(!cache.cacheable(&req(Method::GET, "/modules?q=%3Cb%3E", None)));
        assert!(!cache.cacheable(&req(Method::GET, "/modules/a", Some("a=1; checkoff_session=abc"))));
        assert!(cache.cacheable(&req(Method::GET, "/modules/a", Some("checkoff_session_hint=1"))));
    }
}
