//! Requests for sign-in links and password resets, per client address
//! (`crate::domain::throttle::ThrottlePolicy::mail_requests` decides from
//! them). In the database, so every app server counts the same.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, write_tx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailRequestKind {
    SignInLink,
    PasswordReset,
}

impl MailRequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailRequestKind::SignInLink => "sign_in_link",
            MailRequestKind::PasswordReset => "password_reset",
        }
    }
}

/// Records a request from `ip` and returns the times of the requests of any
/// kind from that address since `since`, before this one.
pub async fn record(
    db: &Db,
    kind: MailRequestKind,
    ip: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, StorageError> {
    write_tx!(db, |tx| {
        let earlier = sqlx::query_scalar::<_, DateTime<Utc>>("SELECT at FROM mail_request WHERE ip = $1 AND at > $2")
            .bind(ip)
            .bind(since)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO mail_request (kind, ip, at) VALUES ($1, $2, $3)")
            .bind(kind.as_str())
            .bind(ip)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Ok(earlier)
    })
}

pub async fn prune(db: &Db, before: DateTime<Utc>) -> Result<u64, StorageError> {
    write_tx!(db, |tx| {
        Ok(sqlx::query("DELETE FROM mail_request WHERE at < $1").bind(before).execute(&mut *tx).await?.rows_affected())
    })
}
