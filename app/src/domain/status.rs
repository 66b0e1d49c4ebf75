//! What the server says about itself (home page and `/healthz`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStatus {
    /// "sqlite" or "postgres".
    pub engine: String,
    pub engine_version: String,
    pub migration_version: Option<i64>,
}
