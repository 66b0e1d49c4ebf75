//! The sign-in flows: password, emailed link, second factor, password
//! reset, invitations, two-factor setup, sign-out. Server functions call
//! these after the policy check; each one writes its audit event.

use chrono::{DateTime, Duration, Utc};

use super::crypto::{self, CryptoError};
use super::mail::{MailError, Mailer};
use super::session::{AuthSettings, RequestAuth};
use crate::domain::access::{ProgramId, Role, UserId};
use crate::domain::throttle::ThrottlePolicy;
use crate::domain::totp::TotpSecret;
use crate::storage::mail_requests::{self, MailRequestKind};
use crate::storage::tokens::{Purpose, Redemption};
use crate::storage::users::{NewUser, User};
use crate::storage::{Db, StorageError, audit, offers, programs, sessions, sign_in_failures, tokens, users};

pub const SIGN_IN_LINK_LIFETIME: Duration = Duration::minutes(30);
pub const RESET_LINK_LIFETIME: Duration = Duration::hours(1);
pub const INVITATION_LIFETIME: Duration = Duration::days(7);
/// An existing account asked to join a program decides within two weeks.
pub const MEMBERSHIP_OFFER_LIFETIME: Duration = Duration::days(14);
/// A student's request reaches a busy clinician who may open it the next
/// day: the link in it signs them in once, within three days.
pub const SIGNOFF_REQUEST_LINK_LIFETIME: Duration = Duration::hours(72);
/// At most this many links of one kind per person per quarter hour.
const LINKS_PER_QUARTER_HOUR: i64 = 3;
pub const RECOVERY_CODES: usize = 10;
pub const MIN_PASSWORD_CHARS: usize = 10;
pub const MAX_PASSWORD_CHARS: usize = 128;

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("That e-mail and password do not match an account.")]
    InvalidCredentials,
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    Throttled { retry_after_secs: u64 },
    #[error("That code is not right, or was already used.")]
    InvalidCode,
    #[error("This link has already been used. Ask for a new one.")]
    LinkUsed,
    #[error("This link has expired. Ask for a new one.")]
    LinkExpired,
    #[error("This link is not valid. Check it was copied whole, or ask for a new one.")]
    LinkUnknown,
    #[error("Sign in first.")]
    NotSignedIn,
    /// A form value is wrong; `field` names the input it belongs next to.
    #[error("{message}")]
    Field { field: &'static str, message: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// What a flow needs from the server.
pub struct Env<'a> {
    pub db: &'a Db,
    pub settings: &'a AuthSettings,
    pub mailer: &'a Mailer,
    pub now: DateTime<Utc>,
}

/// A session that was just created: the caller sets its cookie.
#[derive(Debug)]
pub struct Issued {
    pub secret: String,
    pub second_factor_needed: bool,
    pub user_id: UserId,
}

pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// NIST SP 800-63B: length, not composition rules.
pub fn check_new_password(password: &str) -> Result<(), AuthError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(AuthError::Field {
            field: "password",
            message: format!("Use at least {MIN_PASSWORD_CHARS} characters; a short sentence is easy to remember."),
        });
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(AuthError::Field {
            field: "password",
            message: format!("Use at most {MAX_PASSWORD_CHARS} characters."),
        });
    }
    Ok(())
}

async fn event(env: &Env<'_>, auth: &RequestAuth, e: audit::Event<'_>) -> Result<(), StorageError> {
    let e = audit::Event { ip: Some(auth.ip.as_str()), ..e };
    audit::record(env.db, &e, env.now).await
}

async fn start_session(env: &Env<'_>, auth: &RequestAuth, user: &User, how: &str) -> Result<Issued, AuthError> {
    let secret = crypto::new_secret()?;
    let id_hash = crypto::hash_secret(&secret);
    let second_factor_needed = user.totp_enabled();
    sessions::create(
        env.db,
        &sessions::NewSession {
            id_hash: &id_hash,
            user_id: user.id,
            awaiting_second_factor: second_factor_needed,
            ip: Some(&auth.ip),
            user_agent: auth.user_agent.as_deref(),
        },
        auth.presented.as_deref(),
        env.now,
    )
    .await?;
    let kind = if second_factor_needed { "first_factor_accepted" } else { "signed_in" };
    event(
        env,
        auth,
        audit::Event { kind, actor: Some(user.id), email: Some(&user.email), detail: how, ..Default::default() },
    )
    .await?;
    Ok(Issued { secret, second_factor_needed, user_id: user.id })
}

/// Refuses a password or code attempt while this account or address is
/// throttled by recent failures (the same rule for both sign-in steps).
async fn refuse_if_throttled(env: &Env<'_>, auth: &RequestAuth, email: &str) -> Result<(), AuthError> {
    let policy = ThrottlePolicy::default();
    let (by_account, by_address) = sign_in_failures::recent(env.db, email, &auth.ip, env.now - policy.window).await?;
    match policy.check(&by_account, &by_address, env.now).retry_after_seconds() {
        Some(secs) => {
            // The address typed is user text: it stays out of the log.
            tracing::info!(ip = %auth.ip, "sign-in throttled");
            Err(AuthError::Throttled { retry_after_secs: u64::try_from(secs).unwrap_or(1) })
        }
        None => Ok(()),
    }
}

/// A wrong password or code given by someone already signed in: counted
/// with sign-in failures (so it is throttled the same way) and audited.
async fn fail_check(env: &Env<'_>, auth: &RequestAuth, user: &User, what: &str) -> Result<(), AuthError> {
    sign_in_failures::record(env.db, &user.email, &auth.ip, env.now).await?;
    event(
        env,
        auth,
        audit::Event {
            kind: "credential_check_failed",
            actor: Some(user.id),
            email: Some(&user.email),
            detail: what,
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

pub async fn sign_in_with_password(
    env: &Env<'_>,
    auth: &RequestAuth,
    email: &str,
    password: &str,
) -> Result<Issued, AuthError> {
    let email = normalize_email(email);
    if email.is_empty() {
        return Err(AuthError::Field { field: "email", message: "Enter your e-mail address.".into() });
    }
    if password.is_empty() {
        return Err(AuthError::Field { field: "password", message: "Enter your password.".into() });
    }
    refuse_if_throttled(env, auth, &email).await?;
    let user = users::find_by_email(env.db, &email).await?;
    let ok = match user.as_ref().filter(|u| u.disabled_at.is_none()).and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => crypto::verify_password(password, hash),
        None => {
            crypto::burn_password_check(password);
            false
        }
    };
    let Some(user) = user.filter(|_| ok) else {
        sign_in_failures::record(env.db, &email, &auth.ip, env.now).await?;
        event(
            env,
            auth,
            audit::Event { kind: "sign_in_failed", email: Some(&email), detail: "password", ..Default::default() },
        )
        .await?;
        return Err(AuthError::InvalidCredentials);
    };
    sign_in_failures::clear_for_email(env.db, &email).await?;
    start_session(env, auth, &user, "password").await
}

/// Finishes a sign-in that owes its second factor: a TOTP code or a
/// recovery code. Rotates the session id again.
pub async fn verify_second_factor(env: &Env<'_>, auth: &RequestAuth, code: &str) -> Result<Issued, AuthError> {
    let Some((pending_hash, user_id)) = auth.awaiting_second_factor.clone() else {
        return Err(AuthError::NotSignedIn);
    };
    let user = users::get(env.db, user_id).await?.ok_or(AuthError::NotSignedIn)?;
    refuse_if_throttled(env, auth, &user.email).await?;
    let how = if accept_totp(env, &user, code).await? {
        "second factor: authenticator code"
    } else if tokens::use_recovery_code(
        env.db,
        user.id,
        &crypto::hash_secret(&crypto::normalize_recovery_code(code)),
        env.now,
    )
    .await?
    {
        "second factor: recovery code"
    } else {
        sign_in_failures::record(env.db, &user.email, &auth.ip, env.now).await?;
        event(
            env,
            auth,
            audit::Event {
                kind: "sign_in_failed",
                actor: Some(user.id),
                email: Some(&user.email),
                detail: "second factor",
                ..Default::default()
            },
        )
        .await?;
        return Err(AuthError::InvalidCode);
    };
    sign_in_failures::clear_for_email(env.db, &user.email).await?;
    let secret = crypto::new_secret()?;
    sessions::create(
        env.db,
        &sessions::NewSession {
            id_hash: &crypto::hash_secret(&secret),
            user_id: user.id,
            awaiting_second_factor: false,
            ip: Some(&auth.ip),
            user_agent: auth.user_agent.as_deref(),
        },
        Some(&pending_hash),
        env.now,
    )
    .await?;
    event(
        env,
        auth,
        audit::Event {
            kind: "signed_in",
            actor: Some(user.id),
            email: Some(&user.email),
            detail: how,
            ..Default::default()
        },
    )
    .await?;
    Ok(Issued { secret, second_factor_needed: false, user_id: user.id })
}

async fn accept_totp(env: &Env<'_>, user: &User, code: &str) -> Result<bool, AuthError> {
    let Some(secret) = user.totp_secret.as_deref().and_then(|s| TotpSecret::from_base32(s).ok()) else {
        return Ok(false);
    };
    match secret.verify(code, env.now.timestamp(), user.totp_last_step) {
        Some(step) => Ok(users::claim_totp_step(env.db, user.id, step).await?),
        None => Ok(false),
    }
}

fn link(env: &Env<'_>, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", env.settings.site_url)
}

/// Issues a one-time link and returns its secret, unless this person was
/// sent too many links of this kind lately.
async fn issue_link(
    env: &Env<'_>,
    user: UserId,
    purpose: Purpose,
    lifetime: Duration,
) -> Result<Option<String>, AuthError> {
    if purpose != Purpose::Invitation
        && tokens::issued_since(env.db, user, purpose, env.now - Duration::minutes(15)).await? >= LINKS_PER_QUARTER_HOUR
    {
        return Ok(None);
    }
    let token = crypto::new_secret()?;
    tokens::issue(env.db, &crypto::hash_secret(&token), purpose, user, env.now, env.now + lifetime).await?;
    Ok(Some(token))
}

/// E-mails a preceptor a student's request for a sign-off, with a one-time
/// link that signs them in and opens the evaluation (`next_path`). Not
/// throttled like the public link form: only a student placed with this
/// preceptor can cause it, and requests are capped per student.
pub async fn send_signoff_request(
    env: &Env<'_>,
    preceptor: &User,
    student_name: &str,
    competency: &str,
    next_path: &str,
) -> Result<(), AuthError> {
    let token = crypto::new_secret()?;
    tokens::issue(
        env.db,
        &crypto::hash_secret(&token),
        Purpose::SignIn,
        preceptor.id,
        env.now,
        env.now + SIGNOFF_REQUEST_LINK_LIFETIME,
    )
    .await?;
    let url = format!(
        "{}/sign-in/link?token={token}&next={}",
        env.settings.site_url,
        crate::domain::redirect::percent_encode(next_path)
    );
    let body = format!(
        "Hello {name},\n\n{student_name} asks you to observe and sign off: {competency}.\n\n\
         When you have watched them perform it, open this link to mark the checklist and sign. \
         It signs you in once, within {hours} hours:\n\n{url}\n\n\
         If you did not expect this, ignore this message; nothing happens unless the link is used.\n",
        name = preceptor.display_name,
        hours = SIGNOFF_REQUEST_LINK_LIFETIME.num_hours(),
    );
    let subject = format!("Sign-off request: {student_name}, {competency}");
    env.mailer.send(env.db, &preceptor.email, &subject, &body, env.now).await?;
    Ok(())
}

/// Counts a request for an e-mailed link from this client address and
/// refuses it past `ThrottlePolicy::mail_requests` (one address cannot make
/// the server send mail, or write rows, without limit).
async fn refuse_if_too_many_mail_requests(
    env: &Env<'_>,
    auth: &RequestAuth,
    kind: MailRequestKind,
) -> Result<(), AuthError> {
    let policy = ThrottlePolicy::mail_requests();
    let earlier = mail_requests::record(env.db, kind, &auth.ip, env.now - policy.window, env.now).await?;
    match policy.check(&[], &earlier, env.now).retry_after_seconds() {
        Some(secs) => {
            tracing::info!(ip = %auth.ip, kind = kind.as_str(), "mail requests throttled");
            Err(AuthError::Throttled { retry_after_secs: u64::try_from(secs).unwrap_or(1) })
        }
        None => Ok(()),
    }
}

/// Sends a one-time sign-in link. The answer is the same whether or not the
/// address has an account, so the form cannot be used to find out who does.
/// Requests for unknown addresses leave no audit row (they would let anyone
/// fill the log); they count against the client's address like any other.
pub async fn request_sign_in_link(env: &Env<'_>, auth: &RequestAuth, email: &str) -> Result<(), AuthError> {
    let email = normalize_email(email);
    if !crate::domain::roster::is_plausible_email(&email) {
        return Err(AuthError::Field {
            field: "email",
            message: "Enter an e-mail address like name@example.org.".into(),
        });
    }
    refuse_if_too_many_mail_requests(env, auth, MailRequestKind::SignInLink).await?;
    let Some(user) = users::find_by_email(env.db, &email).await?.filter(|u| u.disabled_at.is_none()) else {
        return Ok(());
    };
    let Some(token) = issue_link(env, user.id, Purpose::SignIn, SIGN_IN_LINK_LIFETIME).await? else {
        return Ok(());
    };
    let body = format!(
        "Hello {name},\n\nUse this link to sign in to {issuer}. It works once, within {mins} minutes:\n\n{url}\n\n\
         If you did not ask to sign in, ignore this message; nothing happens unless the link is used.\n",
        name = user.display_name,
        issuer = env.settings.issuer,
        mins = SIGN_IN_LINK_LIFETIME.num_minutes(),
        url = link(env, "/sign-in/link", &token),
    );
    env.mailer.send(env.db, &user.email, &format!("Your {} sign-in link", env.settings.issuer), &body, env.now).await?;
    event(
        env,
        auth,
        audit::Event {
            kind: "sign_in_link_sent",
            subject: Some(user.id),
            email: Some(&user.email),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

fn redemption_error(r: Redemption) -> AuthError {
    match r {
        Redemption::AlreadyUsed => AuthError::LinkUsed,
        Redemption::Expired => AuthError::LinkExpired,
        Redemption::Unknown | Redemption::Valid(_) => AuthError::LinkUnknown,
    }
}

/// Sign-in and invitation links share one page; a token is one or the other.
const SIGN_IN_PURPOSES: [Purpose; 2] = [Purpose::SignIn, Purpose::Invitation];

/// The person a link is for, without using it (so the page can ask "sign in
/// as …?" and mail scanners that open links do not use them up).
pub async fn peek_link(env: &Env<'_>, token: &str) -> Result<User, AuthError> {
    let hash = crypto::hash_secret(token.trim());
    let mut outcome = Redemption::Unknown;
    for purpose in SIGN_IN_PURPOSES {
        outcome = tokens::peek(env.db, &hash, purpose, env.now).await?;
        if outcome != Redemption::Unknown {
            break;
        }
    }
    match outcome {
        Redemption::Valid(user) => users::get(env.db, user).await?.ok_or(AuthError::LinkUnknown),
        other => Err(redemption_error(other)),
    }
}

/// Signs in with an emailed link (sign-in or invitation).
pub async fn redeem_link(env: &Env<'_>, auth: &RequestAuth, token: &str) -> Result<Issued, AuthError> {
    let hash = crypto::hash_secret(token.trim());
    let mut outcome = (Redemption::Unknown, Purpose::SignIn);
    for purpose in SIGN_IN_PURPOSES {
        outcome = (tokens::redeem(env.db, &hash, purpose, env.now).await?, purpose);
        if outcome.0 != Redemption::Unknown {
            break;
        }
    }
    let (redemption, purpose) = outcome;
    let user_id = match redemption {
        Redemption::Valid(user) => user,
        other => {
            event(env, auth, audit::Event { kind: "link_refused", detail: purpose.as_str(), ..Default::default() })
                .await?;
            return Err(redemption_error(other));
        }
    };
    let user = users::get(env.db, user_id).await?.filter(|u| u.disabled_at.is_none()).ok_or(AuthError::LinkUnknown)?;
    let how = match purpose {
        Purpose::Invitation => "invitation link",
        _ => "emailed link",
    };
    start_session(env, auth, &user, how).await
}

pub async fn request_password_reset(env: &Env<'_>, auth: &RequestAuth, email: &str) -> Result<(), AuthError> {
    let email = normalize_email(email);
    if !crate::domain::roster::is_plausible_email(&email) {
        return Err(AuthError::Field {
            field: "email",
            message: "Enter an e-mail address like name@example.org.".into(),
        });
    }
    refuse_if_too_many_mail_requests(env, auth, MailRequestKind::PasswordReset).await?;
    let Some(user) = users::find_by_email(env.db, &email).await?.filter(|u| u.disabled_at.is_none()) else {
        return Ok(());
    };
    let Some(token) = issue_link(env, user.id, Purpose::PasswordReset, RESET_LINK_LIFETIME).await? else {
        return Ok(());
    };
    let body = format!(
        "Hello {name},\n\nSomeone (we hope you) asked to set a new {issuer} password for this address. \
         This link works once, within an hour:\n\n{url}\n\nIf it was not you, ignore this message; your password stays as it is.\n",
        name = user.display_name,
        issuer = env.settings.issuer,
        url = link(env, "/reset-password", &token),
    );
    env.mailer
        .send(env.db, &user.email, &format!("Set a new {} password", env.settings.issuer), &body, env.now)
        .await?;
    event(
        env,
        auth,
        audit::Event {
            kind: "password_reset_requested",
            subject: Some(user.id),
            email: Some(&user.email),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// Sets a new password from a reset link, ends every other session of the
/// account, and signs the person in.
pub async fn reset_password(
    env: &Env<'_>,
    auth: &RequestAuth,
    token: &str,
    password: &str,
) -> Result<Issued, AuthError> {
    check_new_password(password)?;
    let user_id =
        match tokens::redeem(env.db, &crypto::hash_secret(token.trim()), Purpose::PasswordReset, env.now).await? {
            Redemption::Valid(user) => user,
            other => return Err(redemption_error(other)),
        };
    let user = users::get(env.db, user_id).await?.ok_or(AuthError::LinkUnknown)?;
    users::set_password(env.db, user.id, &crypto::hash_password(password)?).await?;
    sessions::delete_for_user(env.db, user.id, None).await?;
    sign_in_failures::clear_for_email(env.db, &user.email).await?;
    event(
        env,
        auth,
        audit::Event { kind: "password_reset", actor: Some(user.id), email: Some(&user.email), ..Default::default() },
    )
    .await?;
    start_session(env, auth, &user, "after password reset").await
}

/// Sets or changes the signed-in person's password (invited staff set one
/// after their first sign-in; preceptors need none).
pub async fn set_password(env: &Env<'_>, auth: &RequestAuth, current: &str, new: &str) -> Result<(), AuthError> {
    let signed_in = auth.signed_in.as_ref().ok_or(AuthError::NotSignedIn)?;
    check_new_password(new)?;
    if let Some(hash) = signed_in.user.password_hash.as_deref() {
        // Someone at an unlocked screen must not be able to guess the
        // password at leisure: the same throttle as signing in.
        refuse_if_throttled(env, auth, &signed_in.user.email).await?;
        if !crypto::verify_password(current, hash) {
            fail_check(env, auth, &signed_in.user, "current password").await?;
            return Err(AuthError::Field {
                field: "current_password",
                message: "That is not your current password.".into(),
            });
        }
    }
    users::set_password(env.db, signed_in.user.id, &crypto::hash_password(new)?).await?;
    sessions::delete_for_user(env.db, signed_in.user.id, Some(&signed_in.id_hash)).await?;
    event(env, auth, audit::Event { kind: "password_changed", actor: Some(signed_in.user.id), ..Default::default() })
        .await?;
    Ok(())
}

pub async fn sign_out(env: &Env<'_>, auth: &RequestAuth) -> Result<(), AuthError> {
    if let Some(hash) = auth.presented.as_deref() {
        sessions::delete(env.db, hash).await?;
    }
    if let Some(s) = &auth.signed_in {
        event(env, auth, audit::Event { kind: "signed_out", actor: Some(s.user.id), ..Default::default() }).await?;
    }
    Ok(())
}

/// Invites someone into a program in a role: creates their account if it is
/// new, grants the role, and e-mails a link that signs them in (valid a week).
pub async fn invite(
    env: &Env<'_>,
    auth: &RequestAuth,
    program: ProgramId,
    email: &str,
    name: &str,
    role: Role,
) -> Result<UserId, AuthError> {
    let actor = auth.signed_in.as_ref().ok_or(AuthError::NotSignedIn)?;
    let email = normalize_email(email);
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AuthError::Field {
            field: "name",
            message: "Enter the person's name (up to 200 characters).".into(),
        });
    }
    if let Err(e) = crate::domain::text::check(name, crate::domain::text::TextKind::SingleLine) {
        return Err(AuthError::Field { field: "name", message: e.to_string() });
    }
    if !crate::domain::roster::is_plausible_email(&email) {
        return Err(AuthError::Field {
            field: "email",
            message: "Enter an e-mail address like name@example.org.".into(),
        });
    }
    let program_row = programs::get_program(env.db, program).await?.ok_or(StorageError::NotFound)?;
    let user = match users::find_by_email(env.db, &email).await? {
        Some(u) if programs::joined_at(env.db, program, u.id, role).await?.is_none() => {
            // An account that exists already joins only if its owner agrees.
            offer_membership(env, auth, &program_row, &u, role, None, None).await?;
            return Ok(u.id);
        }
        Some(u) => u,
        None => {
            let new = NewUser { email: &email, display_name: name, password_hash: None, site_admin: false };
            let id = users::create(env.db, &new, env.now).await?;
            let user = users::get(env.db, id).await?.ok_or(StorageError::NotFound)?;
            programs::grant_role(env.db, user.id, program, role, Some(actor.user.id), env.now).await?;
            user
        }
    };
    let Some(token) = issue_link(env, user.id, Purpose::Invitation, INVITATION_LIFETIME).await? else {
        return Ok(user.id);
    };
    let what = match role {
        Role::Preceptor => {
            "to sign off students' competencies and hours at your clinic. You will not need a password: \
                            whenever you need to sign in, ask for a sign-in link on the sign-in page"
        }
        Role::Instructor => "as an instructor, to check students off in the lab. After signing in, set a password",
        Role::Director => "as a program director. After signing in, set a password and turn on two-step sign-in",
        Role::Student => {
            "as a student, to study skill modules and follow your competencies. After signing in, set a password"
        }
    };
    let body = format!(
        "Hello {name},\n\n{inviter} has invited you to {program} on {issuer}, {what}.\n\n\
         This link signs you in once and works for {days} days:\n\n{url}\n",
        name = user.display_name,
        inviter = actor.user.display_name,
        program = program_row.name,
        issuer = env.settings.issuer,
        days = INVITATION_LIFETIME.num_days(),
        url = link(env, "/sign-in/link", &token),
    );
    env.mailer
        .send(
            env.db,
            &user.email,
            &format!("Invitation to {} on {}", program_row.name, env.settings.issuer),
            &body,
            env.now,
        )
        .await?;
    let detail = format!("{} invited as {}", user.email, role.as_str());
    event(
        env,
        auth,
        audit::Event {
            kind: "invitation_sent",
            actor: Some(actor.user.id),
            subject: Some(user.id),
            program: Some(program),
            email: Some(&user.email),
            detail: &detail,
            ..Default::default()
        },
    )
    .await?;
    Ok(user.id)
}

/// Offers an existing account a role in a program and e-mails its owner the
/// link to accept or decline (`storage::offers`). Nothing is granted yet.
pub async fn offer_membership(
    env: &Env<'_>,
    auth: &RequestAuth,
    program: &programs::Program,
    user: &User,
    role: Role,
    cohort_id: Option<i64>,
    student_number: Option<&str>,
) -> Result<bool, AuthError> {
    let actor = auth.signed_in.as_ref().ok_or(AuthError::NotSignedIn)?;
    let token = crypto::new_secret()?;
    let offer = offers::NewOffer {
        program: program.id,
        user: user.id,
        role,
        cohort_id,
        student_number,
        offered_by: actor.user.id,
        token_hash: &crypto::hash_secret(&token),
        expires_at: env.now + MEMBERSHIP_OFFER_LIFETIME,
    };
    match offers::offer(env.db, &offer, env.now).await? {
        offers::OfferOutcome::Offered(_) => {
            send_membership_offer(env, &actor.user.display_name, program, user, role, &token).await?;
            Ok(true)
        }
        offers::OfferOutcome::AlreadyMember | offers::OfferOutcome::AlreadyOffered => Ok(false),
    }
}

/// The e-mail of an offer: who asks, for what, and the link.
pub async fn send_membership_offer(
    env: &Env<'_>,
    inviter: &str,
    program: &programs::Program,
    user: &User,
    role: Role,
    token: &str,
) -> Result<(), AuthError> {
    let body = format!(
        "Hello {name},\n\n{inviter} asks you to join {program} on {issuer} as {role}.\n\n\
         You already have an account, so nothing changes unless you agree. If you accept, the program's staff \
         will see your work in {program} from then on (not what you did before). Accept or decline within \
         {days} days:\n\n{url}\n\nIf you do not know this program, ignore this message or decline.\n",
        name = user.display_name,
        program = program.name,
        issuer = env.settings.issuer,
        role = role_phrase(role),
        days = MEMBERSHIP_OFFER_LIFETIME.num_days(),
        url = link(env, "/join", token),
    );
    let subject = format!("Join {} on {}?", program.name, env.settings.issuer);
    env.mailer.send(env.db, &user.email, &subject, &body, env.now).await?;
    Ok(())
}

fn role_phrase(role: Role) -> &'static str {
    match role {
        Role::Student => "a student",
        Role::Instructor => "an instructor",
        Role::Preceptor => "a preceptor",
        Role::Director => "a program director",
    }
}

/// Two-factor setup, step one: a new secret for the authenticator app.
pub struct TotpEnrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
}

pub async fn begin_totp(env: &Env<'_>, auth: &RequestAuth) -> Result<TotpEnrolment, AuthError> {
    let s = auth.signed_in.as_ref().ok_or(AuthError::NotSignedIn)?;
    if s.user.totp_enabled() {
        return Err(AuthError::Field { field: "code", message: "Two-step sign-in is already on.".into() });
    }
    let secret = TotpSecret::from_bytes(crypto::random_bytes::<20>()?.to_vec());
    users::set_pending_totp(env.db, s.user.id, &secret.to_base32()).await?;
    Ok(TotpEnrolment {
        otpauth_uri: secret.otpauth_uri(&env.settings.issuer, &s.user.email),
        secret_base32: secret.to_base32(),
    })
}

/// Step two: the first code confirms the app has the secret. Returns the
/// recovery codes, shown once.
pub async fn confirm_totp(env: &Env<'_>, auth: &RequestAuth, code: &str) -> Result<Vec<String>, AuthError> {
    let s = auth.signed_in.as_ref().ok_or(AuthError::NotSignedIn)?;
    let user = users::get(env.db, s.user.id).await?.ok_or(AuthError::NotSignedIn)?;
    let secret = user
        .totp_secret
        .as_deref()
        .and_then(|b| TotpSecret::from_base32(b).ok())
        .ok_or(AuthError::Field { field: "code", message: "Start the setup again.".into() })?;
    let step = secret.verify(code, env.now.timestamp(), None).ok_or(AuthError::Field {
        field: "code",
        message: "That code is not right. Check the app's clock and try the next code.".into(),
    })?;
    users::enable_totp(env.db, user.id, step, env.now).await?;
    let codes = new_recovery_codes(env, user.id).await?;
    sessions::delete_for_user(env.db, user.id, Some(&s.id_hash)).await?;
    event(env, auth, audit::Event { kind: "two_factor_enabled", actor: Some(user.id), ..Default::default() }).await?;
    Ok(codes)
}

async fn new_recovery_codes(env: &Env<'_>, user: UserId) -> Result<Vec<String>, AuthError> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        codes.push(crypto::new_recovery_code()?);
    }
    let hashes: Vec<String> = codes.iter().map(|c| crypto::hash_secret(&crypto::normalize_recovery_code(c))).collect();
    tokens::replace_recovery_codes(env.db, user, &hashes, env.now).await?;
    Ok(codes)
}

/// Turns two-step sign-in off, with a current code. Administrators cannot:
/// for them it is required.
pub async fn disable_totp(env: &Env<'_>, auth: &RequestAuth, code: &str) -> Result<(), AuthError> {
    let s = auth.signed_in.as_ref().ok_or(AuthError::NotSignedIn)?;
    if s.user.site_admin {
        return Err(AuthError::Field {
            field: "code",
            message: "Administrators must keep two-step sign-in on.".into(),
        });
    }
    refuse_if_throttled(env, auth, &s.user.email).await?;
    if !accept_totp(env, &s.user, code).await? {
        fail_check(env, auth, &s.user, "code to turn off two-step sign-in").await?;
        return Err(AuthError::Field { field: "code", message: "That code is not right.".into() });
    }
    users::disable_totp(env.db, s.user.id).await?;
    event(env, auth, audit::Event { kind: "two_factor_disabled", actor: Some(s.user.id), ..Default::default() })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_judged_by_length_only() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("ten chars!").is_ok());
        assert!(check_new_password(&"x".repeat(129)).is_err());
        assert_eq!(normalize_email("  Ana@Example.ORG "), "ana@example.org");
    }
}
