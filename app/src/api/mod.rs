//! Server functions: thin. Each one authorizes, calls the domain, and
//! stores; errors become [`AppError`] in one place (`crate::error`).

use leptos::prelude::*;

use crate::domain::status::ServerStatus;
use crate::error::AppError;

pub mod modules;

#[cfg(feature = "ssr")]
pub use context::ServerContext;

#[cfg(feature = "ssr")]
mod context {
    use crate::error::AppError;
    use crate::storage::Db;
    use leptos::prelude::use_context;

    /// What every server function and page can reach on the server.
    #[derive(Clone, Debug)]
    pub struct ServerContext {
        pub db: Db,
        /// The content tree, validated and rendered at start-up.
        pub catalog: std::sync::Arc<crate::content::Catalog>,
    }

    impl ServerContext {
        pub fn get() -> Result<ServerContext, AppError> {
            use_context::<ServerContext>().ok_or_else(|| {
                tracing::error!("ServerContext missing from the request context");
                AppError::Internal
            })
        }
    }
}

/// The engine and schema version this server runs on. Public: it reveals no
/// record, and it lets a visitor check the app is alive end to end.
#[server(endpoint = "status")]
pub async fn check_server() -> Result<ServerStatus, AppError> {
    let ctx = ServerContext::get()?;
    let health = ctx.db.health(std::time::Duration::from_secs(3)).await?;
    Ok(ServerStatus {
        engine: health.engine.as_str().to_string(),
        engine_version: health.engine_version,
        migration_version: health.migration_version,
    })
}
