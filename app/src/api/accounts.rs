//! Accounts on the wire: signing in and out, one-time links, passwords,
//! two-step sign-in. Each server function reads the request, calls
//! `service::accounts`, and puts a session change on the response.

use crate::domain::ids::{ProgramId, UserId};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

use crate::domain::access::Role;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleInProgram {
    pub program_id: ProgramId,
    pub program_name: String,
    pub role: Role,
}

/// The signed-in person, as their own pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: UserId,
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

/// The signed-in person, or `None`. Public: it returns nothing about anyone else.
#[server(endpoint = "me", input = GetUrl)]
pub async fn whoami() -> Result<Option<Me>, AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::whoami(&ctx, &caller, &auth).await
}

#[server(endpoint = "sign-in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::sign_in(&ctx, &caller, &auth, &email, &password, next.as_deref())
        .await
        .map(crate::service::request::apply)
}

#[server(endpoint = "sign-in-code")]
pub async fn sign_in_code(code: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::sign_in_code(&ctx, &caller, &auth, &code, next.as_deref())
        .await
        .map(crate::service::request::apply)
}

#[server(endpoint = "sign-in-link-request")]
pub async fn request_sign_in_link(email: String) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::request_sign_in_link(&ctx, &caller, &auth, &email).await
}

/// Whose a one-time link is, without using it. Public: it answers only to
/// whoever holds the link's secret, and reveals only the invitee's name.
#[server(endpoint = "sign-in-link-info", input = GetUrl)]
pub async fn link_info(token: String) -> Result<LinkHolder, AppError> {
    let (ctx, caller) = crate::service::request::call()?;
    crate::service::accounts::link_info(&ctx, &caller, &token).await
}

#[server(endpoint = "sign-in-link")]
pub async fn use_sign_in_link(token: String, next: Option<String>) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::use_sign_in_link(&ctx, &caller, &auth, &token, next.as_deref())
        .await
        .map(crate::service::request::apply)
}

#[server(endpoint = "password-reset-request")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::request_password_reset(&ctx, &caller, &auth, &email).await
}

#[server(endpoint = "password-reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::reset_password(&ctx, &caller, &auth, &token, &password)
        .await
        .map(crate::service::request::apply)
}

#[server(endpoint = "password")]
pub async fn change_password(current_password: Option<String>, password: String) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::change_password(&ctx, &caller, &auth, current_password.as_deref(), &password).await
}

#[server(endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::sign_out(&ctx, &caller, &auth).await.map(crate::service::request::apply)
}

#[server(endpoint = "two-factor-begin")]
pub async fn begin_two_factor() -> Result<TotpSetup, AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::begin_two_factor(&ctx, &caller, &auth).await
}

/// Confirms two-step sign-in; returns the recovery codes (shown once).
#[server(endpoint = "two-factor-confirm")]
pub async fn confirm_two_factor(code: String) -> Result<Vec<String>, AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::confirm_two_factor(&ctx, &caller, &auth, &code).await
}

#[server(endpoint = "two-factor-disable")]
pub async fn disable_two_factor(code: String) -> Result<(), AppError> {
    let (ctx, caller, auth) = crate::service::request::call_with_auth()?;
    crate::service::accounts::disable_two_factor(&ctx, &caller, &auth, &code).await
}
