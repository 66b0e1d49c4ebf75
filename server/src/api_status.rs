//! Server functions answer a failed call with status 500 whatever went
//! wrong; this gives the response the status its `AppError` means (400 for a
//! bad form value, 404, 429, 503), from the one mapping in `app::error`, so
//! logs, monitoring and clients see a user's mistake as one, not as a crash.

use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use app::error::AppError;

/// Error bodies are small JSON values; anything larger is left as it is.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn status_from_error(req: Request<Body>, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}
