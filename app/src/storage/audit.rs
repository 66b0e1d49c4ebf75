//! The security audit log: append-only. Sign-ins, failures, role changes,
//! invitations, with time, actor and address.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Db, StorageError, read, write_tx};
use crate::domain::access::{ProgramId, UserId};

#[derive(Debug, Clone, Default)]
pub struct Event<'a> {
    pub kind: &'a str,
    pub actor: Option<UserId>,
    pub subject: Option<UserId>,
    pub program: Option<ProgramId>,
    pub email: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub detail: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor_name: Option<String>,
    pub subject_name: Option<String>,
    pub program_id: Option<ProgramId>,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
}

pub async fn record(db: &Db, e: &Event<'_>, now: DateTime<Utc>) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query(
            "INSERT INTO audit_event (at, kind, actor_id, subject_user_id, program_id, email, ip, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(now)
        .bind(e.kind)
        .bind(e.actor)
        .bind(e.subject)
        .bind(e.program)
        .bind(e.email)
        .bind(e.ip)
        .bind(e.detail)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

const SELECT: &str = "SELECT e.id, e.at, e.kind, a.display_name AS actor_name, s.display_name AS subject_name,
        e.program_id, e.email, e.ip, e.detail
     FROM audit_event e
     LEFT JOIN app_user a ON a.id = e.actor_id
     LEFT JOIN app_user s ON s.id = e.subject_user_id";

/// A program's events: those about the program, and sign-in events of its
/// members (a director needs to see who signed in to their program).
pub async fn for_program(db: &Db, program: ProgramId, limit: i64) -> Result<Vec<AuditRow>, StorageError> {
    let sql = format!(
        "{SELECT} WHERE e.program_id = $1
            OR (e.program_id IS NULL AND e.actor_id IN (SELECT user_id FROM membership WHERE program_id = $1))
         ORDER BY e.at DESC, e.id DESC LIMIT $2"
    );
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql)).bind(program).bind(limit).fetch_all(pool).await?
    }))
}

/// The whole site's events (administrators).
pub async fn all(db: &Db, limit: i64) -> Result<Vec<AuditRow>, StorageError> {
    let sql = format!("{SELECT} ORDER BY e.at DESC, e.id DESC LIMIT $1");
    Ok(read!(db, |pool| sqlx::query_as::<_, AuditRow>(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(pool).await?))
}

/// Events of one kind about an address, for tests and the throttle's log.
pub async fn count_kind(db: &Db, kind: &str) -> Result<i64, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_event WHERE kind = $1")
            .bind(kind)
            .fetch_one(pool)
            .await?
    }))
}
