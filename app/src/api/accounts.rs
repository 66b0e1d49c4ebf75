//! Accounts: signing in and out, one-time links, passwords, two-step
//! sign-in. Thin: each function checks the policy, calls `crate::auth::flows`
//! and sets the session cookie.

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInProgram {
    pub program_id: i64,
    pub program_name: String,
    pub role: Role,
}

/// The signed-in person, as their own pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub site_admin: bool,
    /// An administrator without two-step sign-in has no administrator powers
    /// until they turn it on.
    pub admin_needs_two_factor: bool,
    pub two_factor_on: bool,
    pub has_password: bool,
    pub roles: Vec<RoleInProgram>,
}

impl Me {
    pub fn is(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r.role == role)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkHolder {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

pub use crate::domain::redirect::safe_next;

#[cfg(feature = "ssr")]
fn finish_sign_in(ctx: &super::ServerContext, issued: &crate::auth::flows::Issued, next: Option<&str>) {
    super::set_cookie(&ctx.auth.session_cookie(&issued.secret));
    if issued.second_factor_needed {
        let next = safe_next(next);
        leptos_axum::redirect(&format!("/sign-in/code?next={}", percent_encode(&next)));
    } else {
        leptos_axum::redirect(&safe_next(next));
    }
}

#[cfg(feature = "ssr")]
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The signed-in person, or `None`. Public: it returns nothing about anyone else.
#[server(endpoint = "me", input = GetUrl)]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    use crate::domain::access::Action;
    use crate::storage::programs;
    let Some(signed_in) = super::request_auth().signed_in else { return Ok(None) };
    super::authorize(&Action::OwnAccount)?;
    let ctx = super::ServerContext::get()?;
    let roles = programs::roles_of(&ctx.db, signed_in.user.id)
        .await?
        .into_iter()
        .filter_map(|(p, role)| {
            Role::parse(&role).map(|role| RoleInProgram { program_id: p.id, program_name: p.name, role })
        })
        .collect();
    let u = &signed_in.user;
    Ok(Some(Me {
        user_id: u.id,
        name: u.display_name.clone(),
        email: u.email.clone(),
        site_admin: signed_in.principal.site_admin,
        admin_needs_two_factor: u.site_admin && !u.totp_enabled(),
        two_factor_on: u.totp_enabled(),
        has_password: u.password_hash.is_some(),
        roles,
    }))
}

#[server(endpoint = "sign-in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    let auth = super::request_auth();
    let issued = crate::auth::flows::sign_in_with_password(&ctx.env(), &auth, &email, &password).await?;
    finish_sign_in(&ctx, &issued, next.as_deref());
    Ok(())
}

#[server(endpoint = "sign-in-code")]
pub async fn sign_in_code(code: String, next: Option<String>) -> Result<(), AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    let auth = super::request_auth();
    let issued = crate::auth::flows::verify_second_factor(&ctx.env(), &auth, &code).await?;
    finish_sign_in(&ctx, &issued, next.as_deref());
    Ok(())
}

#[server(endpoint = "sign-in-link-request")]
pub async fn request_sign_in_link(email: String) -> Result<(), AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    crate::auth::flows::request_sign_in_link(&ctx.env(), &super::request_auth(), &email).await?;
    Ok(())
}

/// Whose a one-time link is, without using it. Public: it answers only to
/// whoever holds the link's secret, and reveals only the invitee's name.
#[server(endpoint = "sign-in-link-info", input = GetUrl)]
pub async fn link_info(token: String) -> Result<LinkHolder, AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    let user = crate::auth::flows::peek_link(&ctx.env(), &token).await?;
    Ok(LinkHolder { name: user.display_name })
}

#[server(endpoint = "sign-in-link")]
pub async fn use_sign_in_link(token: String, next: Option<String>) -> Result<(), AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    let issued = crate::auth::flows::redeem_link(&ctx.env(), &super::request_auth(), &token).await?;
    // A sign-off request's link goes straight to the evaluation.
    finish_sign_in(&ctx, &issued, next.as_deref().or(Some("/")));
    Ok(())
}

#[server(endpoint = "password-reset-request")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    crate::auth::flows::request_password_reset(&ctx.env(), &super::request_auth(), &email).await?;
    Ok(())
}

#[server(endpoint = "password-reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    let issued = crate::auth::flows::reset_password(&ctx.env(), &super::request_auth(), &token, &password).await?;
    finish_sign_in(&ctx, &issued, Some("/"));
    Ok(())
}

#[server(endpoint = "password")]
pub async fn change_password(current_password: Option<String>, password: String) -> Result<(), AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = super::ServerContext::get()?;
    crate::auth::flows::set_password(
        &ctx.env(),
        &super::request_auth(),
        current_password.as_deref().unwrap_or(""),
        &password,
    )
    .await?;
    Ok(())
}

#[server(endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    super::authorize(&crate::domain::access::Action::SignIn)?;
    let ctx = super::ServerContext::get()?;
    crate::auth::flows::sign_out(&ctx.env(), &super::request_auth()).await?;
    super::set_cookie(&ctx.auth.clear_cookie());
    leptos_axum::redirect("/");
    Ok(())
}

#[server(endpoint = "two-factor-begin")]
pub async fn begin_two_factor() -> Result<TotpSetup, AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = super::ServerContext::get()?;
    let e = crate::auth::flows::begin_totp(&ctx.env(), &super::request_auth()).await?;
    Ok(TotpSetup { secret: e.secret_base32, otpauth_uri: e.otpauth_uri })
}

/// Confirms two-step sign-in; returns the recovery codes (shown once).
#[server(endpoint = "two-factor-confirm")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = super::ServerContext::get()?;
    Ok(crate::auth::flows::confirm_totp(&ctx.env(), &super::request_auth(), &code).await?)
}

#[server(endpoint = "two-factor-disable")]
pub async fn disable_two_factor(code: String) -> Result<(), AppError> {
    use crate::domain::access::Action;
    super::authorize_signed_in(&Action::OwnAccount)?;
    let ctx = super::ServerContext::get()?;
    crate::auth::flows::disable_totp(&ctx.env(), &super::request_auth(), &code).await?;
    Ok(())
}
