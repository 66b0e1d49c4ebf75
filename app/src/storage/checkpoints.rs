//! Signed checkpoints of the sign-off chains (`domain::checkpoint`), as the
//! database keeps them: a copy for directors to download and the program's
//! audit trail. The authoritative copy is the file outside the database;
//! these rows are only as good as their signatures.

use chrono::{DateTime, Utc};

use super::programs::audit_in_tx;
use super::{Db, StorageError, read, write_tx};
use crate::domain::access::ProgramId;
use crate::domain::checkpoint::Checkpoint;

/// Every program's chain head: (program, position, hash).
pub async fn heads(db: &Db) -> Result<Vec<(ProgramId, i64, String)>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as("SELECT program_id, seq, head_hash FROM signoff_chain WHERE seq > 0 ORDER BY program_id")
            .fetch_all(pool)
            .await?
    }))
}

/// The newest checkpointed position of a program.
pub async fn latest_position(db: &Db, program: ProgramId) -> Result<Option<i64>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(seq) FROM signoff_checkpoint WHERE program_id = $1")
            .bind(program)
            .fetch_one(pool)
            .await?
    }))
}

/// Stores a checkpoint and writes it to the program's audit trail, in one
/// transaction.
pub async fn record(db: &Db, c: &Checkpoint, signed_at: DateTime<Utc>) -> Result<(), StorageError> {
    write_tx!(db, |tx| {
        sqlx::query(
            "INSERT INTO signoff_checkpoint (program_id, seq, head_hash, signed_at, key_id, signature)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(c.program)
        .bind(c.position)
        .bind(&c.hash)
        .bind(signed_at)
        .bind(&c.key_id)
        .bind(&c.signature)
        .execute(&mut *tx)
        .await?;
        let detail = format!("position {} hash {} key {} signature {}", c.position, c.hash, c.key_id, c.signature);
        audit_in_tx!(tx, signed_at, "signoff_checkpoint", actor: None::<i64>, subject: None::<i64>, program: Some(c.program), detail: detail);
        Ok(())
    })
}

#[derive(sqlx::FromRow)]
struct Row {
    program_id: ProgramId,
    seq: i64,
    head_hash: String,
    signed_at: DateTime<Utc>,
    key_id: String,
    signature: String,
}

/// A program's checkpoints, oldest first. `at` is rebuilt in the exact form
/// that was signed (RFC 3339, microseconds, `Z`).
pub async fn of_program(db: &Db, program: ProgramId) -> Result<Vec<Checkpoint>, StorageError> {
    let rows: Vec<Row> = read!(db, |pool| {
        sqlx::query_as::<_, Row>(
            "SELECT program_id, seq, head_hash, signed_at, key_id, signature FROM signoff_checkpoint
             WHERE program_id = $1 ORDER BY seq, id",
        )
        .bind(program)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Checkpoint {
            program: r.program_id,
            position: r.seq,
            hash: r.head_hash,
            at: signed_time(r.signed_at),
            key_id: r.key_id,
            signature: r.signature,
        })
        .collect())
}

/// The form of a checkpoint's time that is signed and stored.
pub fn signed_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The stored hash of the record at `position` in a program's chain.
pub async fn hash_at(db: &Db, program: ProgramId, position: i64) -> Result<Option<String>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_scalar::<_, String>("SELECT hash FROM signoff WHERE program_id = $1 AND seq = $2")
            .bind(program)
            .bind(position)
            .fetch_optional(pool)
            .await?
    }))
}
