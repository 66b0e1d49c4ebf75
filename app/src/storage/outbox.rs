//! The development mail outbox: mail written here when no SMTP server is
//! configured, readable by administrators in the app and by tests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Db, StorageError, read, write_tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OutboxEmail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: DateTime<Utc>,
}

pub async fn push(db: &Db, to: &str, subject: &str, body: &str, now: DateTime<Utc>) -> Result<i64, StorageError> {
    write_tx!(db, |tx| {
        Ok(sqlx::query_scalar::<_, i64>(
            "INSERT INTO outbox_email (to_address, subject, body_text, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?)
    })
}

pub async fn latest(db: &Db, limit: i64) -> Result<Vec<OutboxEmail>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, OutboxEmail>(
            "SELECT id, to_address, subject, body_text, created_at FROM outbox_email ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?
    }))
}

pub async fn latest_to(db: &Db, to: &str) -> Result<Option<OutboxEmail>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, OutboxEmail>(
            "SELECT id, to_address, subject, body_text, created_at FROM outbox_email
             WHERE to_address = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(to)
        .fetch_optional(pool)
        .await?
    }))
}
