//! One-time links (sign-in, password reset, invitation) and two-factor
//! recovery codes. Both are stored only as SHA-256 hashes; using one marks it
//! used in the same statement that checks it, so it works exactly once even
//! with several app servers.

use chrono::{DateTime, Utc};

use super::{Db, StorageError, read, write_tx};
use crate::domain::access::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignIn,
    PasswordReset,
    Invitation,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::PasswordReset => "password_reset",
            Purpose::Invitation => "invitation",
        }
    }
}

/// Why a link did or did not work, so the page can say so plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redemption {
    Valid(UserId),
    AlreadyUsed,
    Expired,
    Unknown,
}

pub async fn issue(
    db: &Db,
    token_hash: &str,
    purpose: Purpose,
    user: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query(
            "INSERT INTO one_time_token (token_hash, purpose, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .bind(user)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

/// Looks at a link without using it (the page that asks "sign in as …?").
pub async fn peek(db: &Db, token_hash: &str, purpose: Purpose, now: DateTime<Utc>) -> Result<Redemption, StorageError> {
    let row: Option<(UserId, DateTime<Utc>, Option<DateTime<Utc>>)> = read!(db, |pool| {
        sqlx::query_as("SELECT user_id, expires_at, used_at FROM one_time_token WHERE token_hash = $1 AND purpose = $2")
            .bind(token_hash)
            .bind(purpose.as_str())
            .fetch_optional(pool)
            .await?
    });
    Ok(classify(row, now))
}

fn classify(row: Option<(UserId, DateTime<Utc>, Option<DateTime<Utc>>)>, now: DateTime<Utc>) -> Redemption {
    match row {
        None => Redemption::Unknown,
        Some((_, _, Some(_))) => Redemption::AlreadyUsed,
        Some((_, expires, None)) if expires <= now => Redemption::Expired,
        Some((user, _, None)) => Redemption::Valid(user),
    }
}

/// Uses a link: valid only once and only before it expires.
pub async fn redeem(
    db: &Db,
    token_hash: &str,
    purpose: Purpose,
    now: DateTime<Utc>,
) -> Result<Redemption, StorageError> {
    write_tx!(db, |tx| {
        let used: Option<UserId> = sqlx::query_scalar(
            "UPDATE one_time_token SET used_at = $1
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
             RETURNING user_id",
        )
        .bind(now)
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(user) = used {
            return Ok(Redemption::Valid(user));
        }
        let row: Option<(UserId, DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT user_id, expires_at, used_at FROM one_time_token WHERE token_hash = $1 AND purpose = $2",
        )
        .bind(token_hash)
        .bind(purpose.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        Ok(match classify(row, now) {
            // Raced with another redemption between the two statements.
            Redemption::Valid(_) => Redemption::AlreadyUsed,
            other => other,
        })
    })
}

/// Replaces a user's recovery codes (shown to them once, stored hashed).
pub async fn replace_recovery_codes(
    db: &Db,
    user: UserId,
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("DELETE FROM recovery_code WHERE user_id = $1").bind(user).execute(&mut *tx).await?;
        for h in hashes {
            sqlx::query("INSERT INTO recovery_code (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                .bind(user)
                .bind(h)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    })
}

/// Uses a recovery code; true if it was valid and unused.
pub async fn use_recovery_code(db: &Db, user: UserId, hash: &str, now: DateTime<Utc>) -> Result<bool, StorageError> {
    write_tx!(db, |tx| {
        Ok(sqlx::query(
            "UPDATE recovery_code SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user)
        .bind(hash)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1)
    })
}

pub async fn unused_recovery_codes(db: &Db, user: UserId) -> Result<i64, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM recovery_code WHERE user_id = $1 AND used_at IS NULL")
            .bind(user)
            .fetch_one(pool)
            .await?
    }))
}

/// Links of a purpose issued to a user since `since` (to stop a stranger
/// from flooding someone's inbox by asking for links).
pub async fn issued_since(db: &Db, user: UserId, purpose: Purpose, since: DateTime<Utc>) -> Result<i64, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM one_time_token WHERE user_id = $1 AND purpose = $2 AND created_at > $3",
        )
        .bind(user)
        .bind(purpose.as_str())
        .bind(since)
        .fetch_one(pool)
        .await?
    }))
}
