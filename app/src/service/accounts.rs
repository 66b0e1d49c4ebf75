//! Accounts: signing in and out, one-time links, passwords, two-step
//! sign-in. Each function asks the policy, then runs the flow of
//! `crate::auth::flows`; a flow that starts or ends a session answers the
//! [`SessionChange`] the response must carry (`service::request::apply`).

use super::{Caller, Context};
use crate::api::accounts::{LinkHolder, Me, RoleInProgram, TotpSetup};
use crate::auth::RequestAuth;
use crate::auth::flows::{self, Issued};
use crate::domain::access::Action;
use crate::domain::redirect::after_sign_in;
use crate::error::AppError;

/// What the response must carry after a flow that starts or ends a session:
/// the `Set-Cookie` value, and where to send the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionChange {
    pub cookie: String,
    pub redirect: String,
}

fn signed_in(ctx: &Context, issued: &Issued, next: Option<&str>) -> SessionChange {
    SessionChange {
        cookie: ctx.auth.session_cookie(&issued.secret),
        redirect: after_sign_in(next, issued.second_factor_needed),
    }
}

/// The signed-in person, or `None`. It returns nothing about anyone else.
/// A membership whose stored role is unknown is logged and left out (when
/// the session is read).
pub async fn whoami(_ctx: &Context, caller: &Caller, auth: &RequestAuth) -> Result<Option<Me>, AppError> {
    let Some(signed_in) = &auth.signed_in else { return Ok(None) };
    caller.authorize(&Action::OwnAccount)?;
    let u = &signed_in.user;
    // Read with the session: the header asks on every page.
    let roles = signed_in
        .roles
        .iter()
        .map(|r| RoleInProgram { program_id: r.program_id, program_name: r.program_name.clone(), role: r.role })
        .collect();
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

pub async fn sign_in(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    email: &str,
    password: &str,
    next: Option<&str>,
) -> Result<SessionChange, AppError> {
    caller.authorize(&Action::SignIn)?;
    let issued = flows::sign_in_with_password(&ctx.env(), auth, email, password).await?;
    Ok(signed_in(ctx, &issued, next))
}

pub async fn sign_in_code(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    code: &str,
    next: Option<&str>,
) -> Result<SessionChange, AppError> {
    caller.authorize(&Action::SignIn)?;
    let issued = flows::verify_second_factor(&ctx.env(), auth, code).await?;
    Ok(signed_in(ctx, &issued, next))
}

pub async fn request_sign_in_link(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    email: &str,
) -> Result<(), AppError> {
    caller.authorize(&Action::SignIn)?;
    Ok(flows::request_sign_in_link(&ctx.env(), auth, email).await?)
}

/// Whose a one-time link is, without using it: only the invitee's name.
pub async fn link_info(ctx: &Context, caller: &Caller, token: &str) -> Result<LinkHolder, AppError> {
    caller.authorize(&Action::SignIn)?;
    let user = flows::peek_link(&ctx.env(), token).await?;
    Ok(LinkHolder { name: user.display_name })
}

/// Signs in with a one-time link; without `next`, to the home page (a
/// sign-off request's link names the evaluation).
pub async fn use_sign_in_link(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    token: &str,
    next: Option<&str>,
) -> Result<SessionChange, AppError> {
    caller.authorize(&Action::SignIn)?;
    let issued = flows::redeem_link(&ctx.env(), auth, token).await?;
    Ok(signed_in(ctx, &issued, next.or(Some("/"))))
}

pub async fn request_password_reset(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    email: &str,
) -> Result<(), AppError> {
    caller.authorize(&Action::SignIn)?;
    Ok(flows::request_password_reset(&ctx.env(), auth, email).await?)
}

pub async fn reset_password(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    token: &str,
    password: &str,
) -> Result<SessionChange, AppError> {
    caller.authorize(&Action::SignIn)?;
    let issued = flows::reset_password(&ctx.env(), auth, token, password).await?;
    Ok(signed_in(ctx, &issued, Some("/")))
}

/// Sets the signed-in person's password; one without a password yet gives no current one.
pub async fn change_password(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    current_password: Option<&str>,
    password: &str,
) -> Result<(), AppError> {
    caller.authorize_signed_in(&Action::OwnAccount)?;
    Ok(flows::set_password(&ctx.env(), auth, current_password.unwrap_or(""), password).await?)
}

/// Ends the session (signing out a signed-out visitor does nothing) and
/// sends the browser home.
pub async fn sign_out(ctx: &Context, caller: &Caller, auth: &RequestAuth) -> Result<SessionChange, AppError> {
    caller.authorize(&Action::SignIn)?;
    flows::sign_out(&ctx.env(), auth).await?;
    Ok(SessionChange { cookie: ctx.auth.clear_cookie(), redirect: "/".into() })
}

pub async fn begin_two_factor(ctx: &Context, caller: &Caller, auth: &RequestAuth) -> Result<TotpSetup, AppError> {
    caller.authorize_signed_in(&Action::OwnAccount)?;
    let e = flows::begin_totp(&ctx.env(), auth).await?;
    Ok(TotpSetup { secret: e.secret_base32, otpauth_uri: e.otpauth_uri })
}

/// Confirms two-step sign-in; returns the recovery codes (shown once).
pub async fn confirm_two_factor(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    code: &str,
) -> Result<Vec<String>, AppError> {
    caller.authorize_signed_in(&Action::OwnAccount)?;
    Ok(flows::confirm_totp(&ctx.env(), auth, code).await?)
}

pub async fn disable_two_factor(
    ctx: &Context,
    caller: &Caller,
    auth: &RequestAuth,
    code: &str,
) -> Result<(), AppError> {
    caller.authorize_signed_in(&Action::OwnAccount)?;
    Ok(flows::disable_totp(&ctx.env(), auth, code).await?)
}
