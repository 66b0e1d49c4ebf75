//! Site administration: programs, first directors, the site audit log and
//! the development mail outbox. Administrator powers exist only with
//! two-step sign-in on (`storage::users::load_principal`).

use super::{Caller, Context};
use crate::api::admin::{OutboxView, ProgramView};
use crate::api::people::AuditView;
use crate::domain::access::Action;
use crate::domain::ids::ProgramId;
use crate::error::AppError;
use crate::service::signoffs::time;
use crate::storage::{audit, outbox as mail, programs};

/// Every program on the site.
pub async fn list_programs(ctx: &Context, caller: &Caller) -> Result<Vec<ProgramView>, AppError> {
    caller.authorize_signed_in(&Action::AdministerSite)?;
    Ok(programs::list_programs(&ctx.db).await?.into_iter().map(|p| ProgramView { id: p.id, name: p.name }).collect())
}

/// Creates a program; answers its id. A new program starts on the default
/// framework edition; its director can move it to another (with a preview)
/// on the competencies page.
pub async fn create_program(ctx: &Context, caller: &Caller, name: &str) -> Result<ProgramId, AppError> {
    let me = caller.authorize_signed_in(&Action::AdministerSite)?;
    let name = name.trim();
    crate::domain::program::check_name(name).map_err(|message| AppError::field("name", message))?;
    let edition = ctx.catalog.default_edition().id().to_string();
    Ok(programs::create_program(&ctx.db, name, &edition, Some(me.user_id), chrono::Utc::now()).await?)
}

/// The newest 500 entries of the site's audit log.
pub async fn site_audit(ctx: &Context, caller: &Caller) -> Result<Vec<AuditView>, AppError> {
    caller.authorize_signed_in(&Action::AdministerSite)?;
    Ok(audit::all(&ctx.db, 500).await?.into_iter().map(crate::service::people::audit_view).collect())
}

/// The newest mail in the development outbox (empty when SMTP is configured:
/// then mail leaves the server and is not kept).
pub async fn outbox(ctx: &Context, caller: &Caller) -> Result<Vec<OutboxView>, AppError> {
    caller.authorize_signed_in(&Action::AdministerSite)?;
    Ok(mail::latest(&ctx.db, 100)
        .await?
        .into_iter()
        .map(|m| OutboxView {
            id: m.id,
            to: m.to_address,
            subject: m.subject,
            body: m.body_text,
            at: time(m.created_at),
        })
        .collect())
}
