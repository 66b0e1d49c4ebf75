//! Signed-in sessions, stored in the database so several app servers can
//! share them. Only the SHA-256 of the cookie's secret is stored.

use chrono::{DateTime, Utc};

use super::users::User;
use super::{Db, StorageError, read, write_tx};
use crate::domain::access::UserId;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub awaiting_second_factor: bool,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: UserId,
    pub awaiting_second_factor: bool,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Creates a session, first deleting `replaces` (the visitor's previous
/// session, if any): the id is rotated at every sign-in and at the second
/// factor, so an id planted before sign-in is worthless after it.
pub async fn create(
    db: &Db,
    new: &NewSession<'_>,
    replaces: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        if let Some(old) = replaces {
            sqlx::query("DELETE FROM user_session WHERE id_hash = $1").bind(old).execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO user_session (id_hash, user_id, created_at, last_seen_at, awaiting_second_factor, ip, user_agent)
             VALUES ($1, $2, $3, $3, $4, $5, $6)",
        )
        .bind(new.id_hash)
        .bind(new.user_id)
        .bind(now)
        .bind(new.awaiting_second_factor)
        .bind(new.ip)
        .bind(new.user_agent)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

pub async fn find(db: &Db, id_hash: &str) -> Result<Option<SessionRow>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, SessionRow>(
            "SELECT user_id, created_at, last_seen_at, awaiting_second_factor FROM user_session WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(pool)
        .await?
    }))
}

/// A session with its user, in one read: every signed-in request starts here.
pub async fn find_with_user(db: &Db, id_hash: &str) -> Result<Option<(SessionRow, User)>, StorageError> {
    #[derive(sqlx::FromRow)]
    struct Joined {
        session_created_at: DateTime<Utc>,
        session_last_seen_at: DateTime<Utc>,
        session_awaiting_second_factor: bool,
        #[sqlx(flatten)]
        user: User,
    }
    let sql = format!(
        "SELECT s.created_at AS session_created_at, s.last_seen_at AS session_last_seen_at,
                s.awaiting_second_factor AS session_awaiting_second_factor, {}
         FROM user_session s JOIN app_user u ON u.id = s.user_id WHERE s.id_hash = $1",
        super::users::user_columns("u")
    );
    let row: Option<Joined> = read!(db, |pool| {
        sqlx::query_as::<_, Joined>(sqlx::AssertSqlSafe(sql)).bind(id_hash).fetch_optional(pool).await?
    });
    Ok(row.map(|j| {
        let session = SessionRow {
            user_id: j.user.id,
            created_at: j.session_created_at,
            last_seen_at: j.session_last_seen_at,
            awaiting_second_factor: j.session_awaiting_second_factor,
        };
        (session, j.user)
    }))
}

pub async fn touch(db: &Db, id_hash: &str, now: DateTime<Utc>) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("UPDATE user_session SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(id_hash)
            .execute(&mut *tx)
            .await?;
        Ok(())
    })
}

pub async fn delete(db: &Db, id_hash: &str) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query("DELETE FROM user_session WHERE id_hash = $1").bind(id_hash).execute(&mut *tx).await?;
        Ok(())
    })
}

/// Ends every session of a user (password reset, second factor changed).
pub async fn delete_for_user(db: &Db, user: UserId, except: Option<&str>) -> Result<u64, StorageError> {
    write_tx!(db, |tx| {
        Ok(sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND id_hash <> $2")
            .bind(user)
            .bind(except.unwrap_or(""))
            .execute(&mut *tx)
            .await?
            .rows_affected())
    })
}

/// Removes sessions that can no longer be used. Called now and then; expired
/// sessions are refused whether or not they have been removed.
pub async fn prune(db: &Db, idle_before: DateTime<Utc>, created_before: DateTime<Utc>) -> Result<u64, StorageError> {
    write_tx!(db, |tx| {
        Ok(sqlx::query("DELETE FROM user_session WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before)
            .bind(created_before)
            .execute(&mut *tx)
            .await?
            .rows_affected())
    })
}
