//! The context and the caller of the request being served, read from Leptos'
//! request context: the only part of the service layer that knows about
//! Leptos. Server functions start with [`call`].

use leptos::prelude::use_context;

use super::{Caller, Context};
use crate::auth::RequestAuth;
use crate::error::AppError;

/// The context and the caller of this request.
pub fn call() -> Result<(Context, Caller), AppError> {
    call_with_auth().map(|(ctx, caller, _)| (ctx, caller))
}

/// Like [`call`], with the request's session as the sign-in flows read it.
pub fn call_with_auth() -> Result<(Context, Caller, RequestAuth), AppError> {
    let ctx = use_context::<Context>().ok_or_else(|| {
        tracing::error!("service::Context missing from the request context");
        AppError::Internal
    })?;
    let auth = request_auth();
    Ok((ctx, Caller::from_auth(&auth), auth))
}

/// Puts a session change on the response: its cookie, and the redirect.
pub fn apply(change: super::accounts::SessionChange) {
    set_cookie(&change.cookie);
    leptos_axum::redirect(&change.redirect);
}

/// Who this request comes from, as the server's session middleware found it
/// (`server::session_layer`). A request that did not pass through it is
/// treated as signed out.
pub fn request_auth() -> RequestAuth {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
        .unwrap_or_default()
}

/// A value the server attached to this request (e.g. a refused plain-form
/// submission, for the page shown again).
pub fn extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<T>().cloned())
}

/// Sets a cookie on the response (sign-in, sign-out).
pub fn set_cookie(value: &str) {
    use axum::http::{HeaderValue, header::SET_COOKIE};
    match (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(value)) {
        (Some(res), Ok(v)) => res.append_header(SET_COOKIE, v),
        _ => tracing::error!("could not set a cookie: no response options in context"),
    }
}
