//! `GET /healthz`: 200 with the engine and schema version when the database
//! answers, 503 when it does not (within a bounded time, never a hang).

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

/// Long enough for a busy database, short enough for a load balancer's probe.
const HEALTH_LIMIT: Duration = Duration::from_secs(2);

pub async fn healthz(State(state): State<AppState>) -> Response {
    let engine = state.db.engine().as_str();
    match state.db.health(HEALTH_LIMIT).await {
        Ok(h) => (
            StatusCode::OK,
            Json(json!({
                "status": "ok",
                "engine": engine,
                "engine_version": h.engine_version,
                "migration_version": h.migration_version,
                "latest_known_migration": state.db.latest_known_migration(),
            })),
        )
            .into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({
                    "status": "unavailable",
                    "engine": engine,
                    "error": match err {
                        app::storage::StorageError::Timeout(_) => "database did not answer in time",
                        _ => "database unreachable",
                    },
                })),
            )
                .into_response()
        }
    }
}
