//! Failed sign-ins, kept in the database so every app server throttles the
//! same way (`crate::domain::throttle` decides from them).

use chrono::{DateTime, Utc};

use super::{Db, StorageError, read, write_tx};

pub async fn record(db: &Db, email: &str, ip: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("INSERT INTO sign_in_failure (email, ip, at) VALUES ($1, $2, $3)")
            .bind(email)
            .bind(ip)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Ok(())
    })
}

/// Failures since `since`: (for this account, from this address).
pub async fn recent(
    db: &Db,
    email: &str,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<(Vec<DateTime<Utc>>, Vec<DateTime<Utc>>), StorageError> {
    Ok(read!(db, |pool| {
        let by_email =
            sqlx::query_scalar::<_, DateTime<Utc>>("SELECT at FROM sign_in_failure WHERE email = $1 AND at > $2")
                .bind(email)
                .bind(since)
                .fetch_all(pool)
                .await?;
        let by_ip = sqlx::query_scalar::<_, DateTime<Utc>>("SELECT at FROM sign_in_failure WHERE ip = $1 AND at > $2")
            .bind(ip)
            .bind(since)
            .fetch_all(pool)
            .await?;
        (by_email, by_ip)
    }))
}

/// A successful sign-in clears the account's failures (not the address's:
/// an attacker must not reset their own count by signing in to their own account).
pub async fn clear_for_email(db: &Db, email: &str) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("DELETE FROM sign_in_failure WHERE email = $1").bind(email).execute(&mut *tx).await?;
        Ok(())
    })
}

pub async fn prune(db: &Db, before: DateTime<Utc>) -> Result<u64, StorageError> {
    write_tx!(db, |tx| {
        Ok(sqlx::query("DELETE FROM sign_in_failure WHERE at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected())
    })
}
