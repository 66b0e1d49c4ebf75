//! Server functions: thin. Each one authorizes, calls the domain, and
//! stores; errors become [`AppError`] in one place (`crate::error`).

use leptos::prelude::*;

use crate::domain::status::ServerStatus;
use crate::error::AppError;

pub mod modules;

#[cfg(feature = "ssr")]
pub use context::{ServerContext, authorize};

/// Every server function's endpoint and the policy action it checks, for
/// reviewers and for the test that fails when a server function is added
/// without an entry here (`server/tests/policy.rs`).
pub const ENDPOINT_POLICY: &[(&str, &str)] = &[
    ("/api/status", "CheckServerStatus: public"),
    ("/api/modules", "ReadModules: public; progress shown only for the signed-in student (OwnProgress)"),
    ("/api/module", "ReadModules: public"),
    ("/api/module-body", "ReadModules: public"),
    ("/api/quiz", "ReadModules: public grading; stored only for the signed-in student (OwnProgress)"),
    ("/api/reading", "OwnProgress: signed-in only"),
];

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

    /// The signed-in person. Accounts arrive with their own issue; until then
    /// nobody is signed in.
    pub fn current_principal() -> Option<crate::domain::access::Principal> {
        None
    }

    /// Asks the policy; maps its answer to the error the user sees, and logs
    /// refusals.
    pub fn authorize(
        action: &crate::domain::access::Action,
    ) -> Result<Option<crate::domain::access::Principal>, AppError> {
        use crate::domain::access::{Decision, decide};
        let who = current_principal();
        match decide(who.as_ref(), action) {
            Decision::Allow => Ok(who),
            Decision::NeedsSignIn => Err(AppError::Unauthenticated),
            Decision::Deny(reason) => {
                tracing::warn!(reason, ?action, user = who.as_ref().map(|p| p.user_id), "access denied");
                Err(AppError::Forbidden)
            }
        }
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
    authorize(&crate::domain::access::Action::CheckServerStatus)?;
    let ctx = ServerContext::get()?;
    let health = ctx.db.health(std::time::Duration::from_secs(3)).await?;
    Ok(ServerStatus {
        engine: health.engine.as_str().to_string(),
        engine_version: health.engine_version,
        migration_version: health.migration_version,
    })
}
