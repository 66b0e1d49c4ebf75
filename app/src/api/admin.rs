//! Site administration on the wire: programs, the site audit log and the
//! development mail outbox. Each server function reads the request and
//! calls `service::admin`.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use super::people::AuditView;
use crate::domain::ids::ProgramId;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramView {
    pub id: ProgramId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub at: String,
}

/// Every program on the site (administrators).
#[server(endpoint = "admin-programs", input = GetUrl)]
pub async fn list_programs() -> Result<Vec<ProgramView>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::admin::list_programs(&ctx, &caller).await
}

/// Creates a program (administrators); answers its id.
#[server(endpoint = "admin-program")]
pub async fn create_program(name: String) -> Result<ProgramId, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::admin::create_program(&ctx, &caller, &name).await
}

/// The site's audit log (administrators).
#[server(endpoint = "admin-audit", input = GetUrl)]
pub async fn site_audit() -> Result<Vec<AuditView>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::admin::site_audit(&ctx, &caller).await
}

/// The newest mail in the development outbox (administrators).
#[server(endpoint = "admin-outbox", input = GetUrl)]
pub async fn outbox() -> Result<Vec<OutboxView>, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::admin::outbox(&ctx, &caller).await
}
