//! Cross-site request forgery protection.
//!
//! Leptos server functions perform no CSRF check of their own, so every
//! state-changing request (any method but GET, HEAD, OPTIONS) passes through
//! [`refuse_cross_site`]:
//! - browsers send `Sec-Fetch-Site`; only `same-origin` (our own pages) and
//!   `none` (typed by the user) are accepted;
//! - otherwise the `Origin` header, when present, must be the site's own
//!   origin (`SITE_URL`) or the origin of the host the request was sent to;
//! - a request with neither header is not from a browser page (browsers send
//!   `Origin` on every cross-origin POST), so it carries no ambient
//!   credentials to abuse and is let through.
//!
//! Session cookies are also `SameSite=Lax`, a second, independent barrier.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::SiteOrigin;

pub async fn refuse_cross_site(State(site): State<Arc<SiteOrigin>>, req: Request<Body>, next: Next) -> Response {
    if is_safe_method(req.method()) || is_same_origin(&site, &req) {
        return next.run(req).await;
    }
    tracing::warn!(
        method = %req.method(),
        path = %req.uri().path(),
        origin = ?req.headers().get(header::ORIGIN),
        "refused a cross-site request"
    );
    (StatusCode::FORBIDDEN, "Cross-site request refused.").into_response()
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_origin(site: &SiteOrigin, req: &Request<Body>) -> bool {
    let headers = req.headers();
    if let Some(fetch_site) = headers.get("sec-fetch-site") {
        return matches!(fetch_site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let origin = origin.to_ascii_lowercase();
    if origin == site.origin {
        return true;
    }
    // The host the browser sent the request to, e.g. when the site is reached
    // as localhost rather than 127.0.0.1 in development.
    let scheme = if site.https { "https" } else { "http" };
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|host| origin == format!("{scheme}://{}", host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteOrigin {
        SiteOrigin { origin: "https://checkoff.example.edu".into(), https: true }
    }

    fn post(headers: &[(&str, &str)]) -> Request<Body> {
        let mut b = Request::builder().method(Method::POST).uri("/api/x");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(is_same_origin(&site(), &post(&[("sec-fetch-site", "same-origin")])));
        assert!(is_same_origin(&site(), &post(&[("sec-fetch-site", "none")])));
        assert!(!is_same_origin(&site(), &post(&[("sec-fetch-site", "cross-site")])));
        assert!(!is_same_origin(&site(), &post(&[("sec-fetch-site", "same-site")])));
        // Sec-Fetch-Site wins over a matching Origin.
        assert!(!is_same_origin(
            &site(),
            &post(&[("sec-fetch-site", "cross-site"), ("origin", "https://checkoff.example.edu")])
        ));
    }

    #[test]
    fn origin_must_match_site_or_host() {
        assert!(is_same_origin(&site(), &post(&[("origin", "https://checkoff.example.edu")])));
        assert!(!is_same_origin(&site(), &post(&[("origin", "https://evil.example")])));
        assert!(!is_same_origin(&site(), &post(&[("origin", "null")])));
        assert!(is_same_origin(&site(), &post(&[("origin", "https://alt.example.edu"), ("host", "alt.example.edu")])));
    }

    #[test]
    fn requests_without_browser_headers_pass() {
        assert!(is_same_origin(&site(), &post(&[])));
    }
}
