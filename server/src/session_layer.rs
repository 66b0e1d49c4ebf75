//! Finds who each request comes from, once, before any page or server
//! function runs: reads the session cookie, checks the session in the
//! database (idle and absolute timeouts), loads the person's roles, and puts
//! an `app::auth::RequestAuth` in the request's extensions, where
//! `app::service::request::request_auth` reads it. A cookie naming a session that is gone
//! is cleared on the response.

use std::net::SocketAddr;
use std::sync::Arc;

use app::auth::session::{resolve, secret_from_cookie_header};
use app::auth::{AuthSettings, RequestAuth};
use app::storage::Db;
use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Clone)]
pub struct SessionLayerState {
    pub db: Db,
    pub settings: Arc<AuthSettings>,
    pub trust_proxy: bool,
}

/// Paths that never need to know who is asking (static files, health).
fn is_anonymous_path(path: &str) -> bool {
    path.starts_with("/pkg/") || path.starts_with("/module-images/") || path == "/healthz" || path == "/favicon.svg"
}

pub async fn attach_session(State(state): State<SessionLayerState>, mut req: Request<Body>, next: Next) -> Response {
    if is_anonymous_path(req.uri().path()) {
        return next.run(req).await;
    }
    let ip = client_ip(&req, state.trust_proxy);
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(300).collect::<String>());
    let secret = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| secret_from_cookie_header(h).map(str::to_owned));
    let mut auth = match resolve(&state.db, &state.settings, secret.as_deref(), chrono::Utc::now()).await {
        Ok(auth) => auth,
        Err(e) => {
            // Without the database nobody can be told apart: refuse rather
            // than serve a signed-in person a signed-out page.
            tracing::error!(error = %e, "could not look up the session");
            return (StatusCode::SERVICE_UNAVAILABLE, "The service is unavailable. Please try again in a moment.")
                .into_response();
        }
    };
    auth.ip = ip;
    auth.user_agent = user_agent;
    let stale = auth.stale_cookie;
    req.extensions_mut().insert::<RequestAuth>(auth);
    let mut response = next.run(req).await;
    if stale
        && !response.headers().contains_key(header::SET_COOKIE)
        && let Ok(v) = HeaderValue::from_str(&state.settings.clear_cookie())
    {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    // Personal pages must not be stored by shared caches or the back button
    // of a clinic's shared computer after sign-out.
    if secret.is_some() {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn client_ip(req: &Request<Body>, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(last) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|s| s.trim().parse::<std::net::IpAddr>().ok())
    {
        // Parsed, not copied: the header is the client's text, and it goes
        // to the audit log and the throttling table.
        return last.to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
