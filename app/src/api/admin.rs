//! Site administration: programs, first directors, the site audit log and
//! the development mail outbox. Administrator powers exist only with
//! two-step sign-in on (`storage::users::load_principal`).

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use super::people::AuditView;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramView {
    pub id: i64,
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

#[server(endpoint = "admin-programs", input = GetUrl)]
pub async fn list_programs() -> Result<Vec<ProgramView>, AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::AdministerSite)?;
    let ctx = super::ServerContext::get()?;
    Ok(crate::storage::programs::list_programs(&ctx.db)
        .await?
        .into_iter()
        .map(|p| ProgramView { id: p.id, name: p.name })
        .collect())
}

#[server(endpoint = "admin-program")]
pub async fn create_program(name: String) -> Result<i64, AppError> {
    use crate::domain::access::Action;
    let me = super::authorize_signed_in(&Action::AdministerSite)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field("name", "Name the program (up to 200 characters)."));
    }
    AppError::one_line("name", name)?;
    let ctx = super::ServerContext::get()?;
    // A new program starts on the default framework edition; its director
    // can move it to another (with a preview) on the competencies page.
    let edition = ctx.catalog.default_edition().id().to_string();
    Ok(crate::storage::programs::create_program(&ctx.db, name, &edition, Some(me.user_id), chrono::Utc::now()).await?)
}

#[server(endpoint = "admin-audit", input = GetUrl)]
pub async fn site_audit() -> Result<Vec<AuditView>, AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::AdministerSite)?;
    let ctx = super::ServerContext::get()?;
    Ok(crate::storage::audit::all(&ctx.db, 500).await?.into_iter().map(crate::service::people::audit_view).collect())
}

/// The newest mail in the development outbox (empty when SMTP is configured:
/// then mail leaves the server and is not kept).
#[server(endpoint = "admin-outbox", input = GetUrl)]
pub async fn outbox() -> Result<Vec<OutboxView>, AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::AdministerSite)?;
    let ctx = super::ServerContext::get()?;
    Ok(crate::storage::outbox::latest(&ctx.db, 100)
        .await?
        .into_iter()
        .map(|m| OutboxView {
            id: m.id,
            to: m.to_address,
            subject: m.subject,
            body: m.body_text,
            at: m.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        })
        .collect())
}
