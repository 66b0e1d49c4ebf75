//! Sessions: the cookie, its lifetime, and finding who a request comes from.
//!
//! The cookie holds a 256-bit random secret; the database holds its SHA-256.
//! It is `HttpOnly` (no script reads it), `SameSite=Lax` (not sent on
//! cross-site POSTs: one of the two CSRF defences, the other being
//! `server::csrf`), and `Secure` when the site is served over https. A new id
//! is issued at every sign-in and at the second factor; sign-out deletes the
//! row, so a copied cookie stops working on the server, not just in the browser.

use chrono::{DateTime, Duration, Utc};

use super::crypto::hash_secret;
use crate::domain::access::{Principal, UserId};
use crate::storage::users::User;
use crate::storage::{Db, StorageError, sessions, users};

/// The session cookie's name (the page cache bypasses requests that carry it).
pub const COOKIE_NAME: &str = "checkoff_session";

/// How often `last_seen_at` is written: often enough for the idle timeout,
/// rarely enough that reading pages is not a stream of writes.
const TOUCH_EVERY: Duration = Duration::seconds(60);

#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session unused this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute_timeout: Duration,
    /// Mark cookies `Secure` (the site URL is https).
    pub secure_cookies: bool,
    /// Where links in e-mails point, without a trailing slash.
    pub site_url: String,
    /// Product name shown in authenticator apps and e-mails.
    pub issuer: String,
}

impl AuthSettings {
    pub fn new(site_url: &str, secure_cookies: bool) -> AuthSettings {
        AuthSettings {
            idle_timeout: Duration::hours(2),
            absolute_timeout: Duration::hours(12),
            secure_cookies,
            site_url: site_url.trim_end_matches('/').to_string(),
            issuer: "Checkoff".into(),
        }
    }

    /// The `Set-Cookie` value that starts a session.
    pub fn session_cookie(&self, secret: &str) -> String {
        format!(
            "{COOKIE_NAME}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
            self.absolute_timeout.num_seconds(),
            if self.secure_cookies { "; Secure" } else { "" }
        )
    }

    /// The `Set-Cookie` value that removes the cookie.
    pub fn clear_cookie(&self) -> String {
        format!(
            "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
            if self.secure_cookies { "; Secure" } else { "" }
        )
    }
}

/// A fully signed-in visitor.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub id_hash: String,
    pub user: User,
    pub principal: Principal,
    /// Their memberships with program names, read with the principal.
    pub roles: Vec<users::NamedRole>,
}

/// Who a request comes from, found once per request by the server's
/// middleware and read by server functions and pages.
#[derive(Clone, Debug, Default)]
pub struct RequestAuth {
    pub signed_in: Option<SignedIn>,
    /// Password or link accepted; the second factor is still owed.
    pub awaiting_second_factor: Option<(String, UserId)>,
    /// The hash of the session cookie that came with the request, valid or
    /// not: deleted when a new session replaces it.
    pub presented: Option<String>,
    /// The cookie named a session that is gone or expired (clear it).
    pub stale_cookie: bool,
    pub ip: String,
    pub user_agent: Option<String>,
}

/// Whether a session is still usable at `now`.
pub fn session_is_live(row: &sessions::SessionRow, settings: &AuthSettings, now: DateTime<Utc>) -> bool {
    now - row.last_seen_at < settings.idle_timeout && now - row.created_at < settings.absolute_timeout
}

/// The session secret in a `Cookie` header, if any.
pub fn secret_from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Finds the visitor behind a session secret.
pub async fn resolve(
    db: &Db,
    settings: &AuthSettings,
    secret: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RequestAuth, StorageError> {
    let mut auth = RequestAuth::default();
    let Some(secret) = secret else { return Ok(auth) };
    let id_hash = hash_secret(secret);
    auth.presented = Some(id_hash.clone());
    let Some((row, user)) = sessions::find_with_user(db, &id_hash).await? else {
        auth.stale_cookie = true;
        return Ok(auth);
    };
    if !session_is_live(&row, settings, now) || user.disabled_at.is_some() {
        sessions::delete(db, &id_hash).await?;
        auth.stale_cookie = true;
        return Ok(auth);
    }
    if now - row.last_seen_at >= TOUCH_EVERY {
        sessions::touch(db, &id_hash, now).await?;
    }
    if row.awaiting_second_factor {
        auth.awaiting_second_factor = Some((id_hash, user.id));
        return Ok(auth);
    }
    let (principal, roles) = users::load_principal(db, &user).await?;
    auth.signed_in = Some(SignedIn { id_hash, user, principal, roles });
    Ok(auth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_attributes_follow_the_site_scheme() {
        let plain = AuthSettings::new("http://localhost:3000/", false);
        let c = plain.session_cookie(&"a".repeat(64));
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"), "{c}");
        assert_eq!(plain.site_url, "http://localhost:3000");
        let tls = AuthSettings::new("https://checkoff.example.edu", true);
        assert!(tls.session_cookie("x").ends_with("; Secure"));
        assert!(tls.clear_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn only_well_formed_secrets_are_read_from_cookies() {
        let s = "ab".repeat(32);
        assert_eq!(secret_from_cookie_header(&format!("theme=dark; checkoff_session={s}")), Some(s.as_str()));
        assert_eq!(secret_from_cookie_header("checkoff_session=short"), None);
        assert_eq!(secret_from_cookie_header("other=1"), None);
    }

    #[test]
    fn idle_and_absolute_timeouts_end_sessions() {
        let settings = AuthSettings::new("http://x", false);
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let row = |created: DateTime<Utc>, seen: DateTime<Utc>| sessions::SessionRow {
            user_id: UserId(1),
            created_at: created,
            last_seen_at: seen,
            awaiting_second_factor: false,
        };
        assert!(session_is_live(&row(t0, t0), &settings, t0 + Duration::minutes(119)));
        assert!(!session_is_live(&row(t0, t0), &settings, t0 + Duration::minutes(121)), "idle");
        let busy = row(t0, t0 + Duration::hours(12));
        assert!(!session_is_live(&busy, &settings, t0 + Duration::hours(12) + Duration::minutes(1)), "absolute");
    }
}
