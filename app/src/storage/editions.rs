//! Framework editions a program imported from CSV (the editions shipped in
//! `content/competencies` are files). An imported edition is immutable: its
//! id includes a hash of the file, importing the same file again finds it,
//! and a changed file is a new edition the program can switch to.

use chrono::{DateTime, Utc};

use super::programs::audit_in_tx;
use super::{Db, StorageError, read, write_tx};
use crate::domain::access::{ProgramId, UserId};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredEdition {
    pub id: String,
    pub program_id: ProgramId,
    pub name: String,
    pub publisher: String,
    pub version: String,
    pub source_sha256: String,
    /// The competencies as JSON.
    pub competencies: String,
    pub imported_at: DateTime<Utc>,
}

pub struct NewEdition<'a> {
    pub id: &'a str,
    pub program: ProgramId,
    pub name: &'a str,
    pub publisher: &'a str,
    pub version: &'a str,
    pub source_sha256: &'a str,
    pub competencies_json: &'a str,
    pub imported_by: UserId,
}

/// Stores an imported edition unless the program imported the same file
/// before. Returns the edition's id (the existing one for a repeat) and
/// whether it is new.
pub async fn import(db: &Db, e: &NewEdition<'_>, now: DateTime<Utc>) -> Result<(String, bool), StorageError> {
    write_tx!(db, |tx| {
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM framework_edition WHERE program_id = $1 AND source_sha256 = $2")
                .bind(e.program)
                .bind(e.source_sha256)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(id) = existing {
            return Ok((id, false));
        }
        sqlx::query(
            "INSERT INTO framework_edition (id, program_id, name, publisher, version, source_sha256, competencies,
                imported_by, imported_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(e.id)
        .bind(e.program)
        .bind(e.name)
        .bind(e.publisher)
        .bind(e.version)
        .bind(e.source_sha256)
        .bind(e.competencies_json)
        .bind(e.imported_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let detail = format!("framework edition {} imported from CSV ({} {})", e.id, e.name, e.version);
        audit_in_tx!(tx, now, "edition_imported", actor: Some(e.imported_by), subject: None::<i64>, program: Some(e.program), detail: detail);
        Ok((e.id.to_string(), true))
    })
}

const SELECT: &str = "SELECT id, program_id, name, publisher, version, source_sha256, competencies, imported_at
    FROM framework_edition";

pub async fn get(db: &Db, id: &str) -> Result<Option<StoredEdition>, StorageError> {
    let sql = format!("{SELECT} WHERE id = $1");
    Ok(read!(db, |pool| sqlx::query_as::<_, StoredEdition>(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?))
}

/// The editions a program imported, newest first.
pub async fn of_program(db: &Db, program: ProgramId) -> Result<Vec<StoredEdition>, StorageError> {
    let sql = format!("{SELECT} WHERE program_id = $1 ORDER BY imported_at DESC, id");
    Ok(read!(db, |pool| sqlx::query_as::<_, StoredEdition>(sqlx::AssertSqlSafe(sql))
        .bind(program)
        .fetch_all(pool)
        .await?))
}
