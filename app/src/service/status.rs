//! The server's own state, as a visitor may check it.

use super::{Caller, Context};
use crate::domain::access::Action;
use crate::domain::status::ServerStatus;
use crate::error::AppError;

/// How long the database may take to answer before the check fails.
const HEALTH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The engine and schema version this server runs on. Public: it reveals no
/// record, and it lets a visitor check the app is alive end to end.
pub async fn check_server(ctx: &Context, caller: &Caller) -> Result<ServerStatus, AppError> {
    caller.authorize(&Action::CheckServerStatus)?;
    let health = ctx.db.health(HEALTH_TIMEOUT).await?;
    Ok(ServerStatus {
        engine: health.engine.as_str().to_string(),
        engine_version: health.engine_version,
        migration_version: health.migration_version,
    })
}
