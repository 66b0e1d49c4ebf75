//! Module progress: what a student has opened and read, and every knowledge
//! check attempt (kept whole, never overwritten).

use crate::domain::ids::UserId;
use chrono::{DateTime, Utc};

use super::{Db, StorageError, read, write_tx};
use crate::domain::quiz::{Answer, Draw, QuizResult};

/// A student's standing on one module, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ModuleProgress {
    pub module_slug: String,
    pub opened: bool,
    pub read_percent: i32,
    pub attempts: i64,
    pub best_score: Option<i32>,
    pub mastered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredAttempt {
    pub id: i64,
    pub module_version: String,
    pub submitted_at: DateTime<Utc>,
    pub correct: i32,
    pub total: i32,
    pub score_percent: i32,
    pub mastered: bool,
    pub answers: String,
}

/// Records that the student has the module open, and how far they have read.
/// `read_percent` never goes down.
pub async fn record_reading(
    db: &Db,
    student_id: UserId,
    module_slug: &str,
    read_percent: u8,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    let pct = i32::from(read_percent.min(100));
    write_tx!(db, |tx| {
        sqlx::query(
            "INSERT INTO module_reading (student_id, module_slug, first_opened_at, last_read_at, read_percent)
             VALUES ($1, $2, $3, $3, $4)
             ON CONFLICT (student_id, module_slug) DO UPDATE SET
               last_read_at = excluded.last_read_at,
               read_percent = CASE WHEN excluded.read_percent > module_reading.read_percent
                              THEN excluded.read_percent ELSE module_reading.read_percent END",
        )
        .bind(student_id)
        .bind(module_slug)
        .bind(now)
        .bind(pct)
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
}

/// A graded attempt to store, with the draw it answered.
pub struct NewAttempt<'a> {
    pub student_id: UserId,
    pub module_slug: &'a str,
    pub module_version: &'a str,
    pub mastery_percent: u8,
    pub answers: &'a [Answer],
    pub result: &'a QuizResult,
    pub draw: &'a Draw,
}

/// Stores a graded attempt; returns its id. A second attempt with the same
/// number (the same draw submitted twice) is refused as a conflict by the
/// unique index on (student, module, attempt number).
pub async fn record_attempt(db: &Db, a: &NewAttempt<'_>, now: DateTime<Utc>) -> Result<i64, StorageError> {
    let answers_json = serde_json_string(a.answers);
    // A draw is ids and numbers: serializing it cannot fail.
    let draw_json = serde_json::to_string(a.draw).unwrap_or_else(|_| "null".to_string());
    write_tx!(db, |tx| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO quiz_attempt (student_id, module_slug, module_version, submitted_at, correct, total,
                                       score_percent, mastery_percent, mastered, answers, attempt_number, draw)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(a.student_id)
        .bind(a.module_slug)
        .bind(a.module_version)
        .bind(now)
        .bind(a.result.correct as i32)
        .bind(a.result.total as i32)
        .bind(i32::from(a.result.score_percent))
        .bind(i32::from(a.mastery_percent))
        .bind(a.result.mastered)
        .bind(&answers_json)
        .bind(i64::from(a.draw.number))
        .bind(&draw_json)
        .fetch_one(&mut *tx)
        .await?;
        Ok(id)
    })
}

/// How many attempts a student has submitted at a module.
pub async fn attempt_count(db: &Db, student_id: UserId, module_slug: &str) -> Result<i64, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM quiz_attempt WHERE student_id = $1 AND module_slug = $2")
            .bind(student_id)
            .bind(module_slug)
            .fetch_one(pool)
            .await?
    }))
}

/// Whether the student has opened a module, and how many knowledge-check
/// attempts they have submitted at it: what a module page needs, in one read.
pub async fn opened_and_attempts(db: &Db, student_id: UserId, module_slug: &str) -> Result<(bool, i64), StorageError> {
    let (opened, attempts): (i64, i64) = read!(db, |pool| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM module_reading WHERE student_id = $1 AND module_slug = $2),
                    (SELECT COUNT(*) FROM quiz_attempt WHERE student_id = $1 AND module_slug = $2)",
        )
        .bind(student_id)
        .bind(module_slug)
        .fetch_one(pool)
        .await?
    });
    Ok((opened > 0, attempts))
}

fn serde_json_string(answers: &[Answer]) -> String {
    // Answers are plain strings; serialising them cannot fail.
    serde_json::to_string(answers).unwrap_or_else(|_| "[]".to_string())
}

/// Every module the student has opened or attempted.
pub async fn for_student(db: &Db, student_id: UserId) -> Result<Vec<ModuleProgress>, StorageError> {
    // The epoch, not `MIN_UTC`: PostgreSQL's timestamptz starts at 4713 BC
    // and refuses chrono's minimum; no record predates 1970.
    for_student_since(db, student_id, DateTime::<Utc>::UNIX_EPOCH).await
}

/// As [`for_student`], counting only what happened from `since` on: quiz
/// attempts submitted since, and reading of modules first opened since (a
/// module's reading depth is kept as one figure, which cannot be split by
/// date, so a module opened before is shown as not read).
pub async fn for_student_since(
    db: &Db,
    student_id: UserId,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<ModuleProgress>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, ModuleProgress>(
            "SELECT s.module_slug,
                    MAX(CASE WHEN r.student_id IS NULL THEN 0 ELSE 1 END) = 1 AS opened,
                    COALESCE(MAX(r.read_percent), 0) AS read_percent,
                    COUNT(a.id) AS attempts,
                    MAX(a.score_percent) AS best_score,
                    COALESCE(MAX(CASE WHEN a.mastered THEN 1 ELSE 0 END), 0) = 1 AS mastered
             FROM (SELECT module_slug FROM module_reading WHERE student_id = $1 AND first_opened_at >= $2
                   UNION SELECT module_slug FROM quiz_attempt WHERE student_id = $1 AND submitted_at >= $2) s
             LEFT JOIN module_reading r ON r.student_id = $1 AND r.module_slug = s.module_slug AND r.first_opened_at >= $2
             LEFT JOIN quiz_attempt a ON a.student_id = $1 AND a.module_slug = s.module_slug AND a.submitted_at >= $2
             GROUP BY s.module_slug
             ORDER BY s.module_slug",
        )
        .bind(student_id)
        .bind(since)
        .fetch_all(pool)
        .await?
    }))
}

/// A student's attempts on one module, newest first.
pub async fn attempts(db: &Db, student_id: UserId, module_slug: &str) -> Result<Vec<StoredAttempt>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, StoredAttempt>(
            "SELECT id, module_version, submitted_at, correct, total, score_percent, mastered, answers
             FROM quiz_attempt WHERE student_id = $1 AND module_slug = $2
             ORDER BY submitted_at DESC, id DESC",
        )
        .bind(student_id)
        .bind(module_slug)
        .fetch_all(pool)
        .await?
    }))
}

/// The attempt that counted for mastery of each module (the first that
/// reached the bar), from `since` on: (module, attempt number if recorded,
/// when, score).
pub async fn mastering_attempts(
    db: &Db,
    student_id: UserId,
    since: DateTime<Utc>,
) -> Result<Vec<(String, Option<i64>, DateTime<Utc>, i32)>, StorageError> {
    let rows: Vec<(String, Option<i64>, DateTime<Utc>, i32)> = read!(db, |pool| {
        sqlx::query_as(
            "SELECT module_slug, CAST(attempt_number AS BIGINT), submitted_at, score_percent FROM quiz_attempt
             WHERE student_id = $1 AND mastered AND submitted_at >= $2
             ORDER BY module_slug, submitted_at, id",
        )
        .bind(student_id)
        .bind(since)
        .fetch_all(pool)
        .await?
    });
    let mut first: Vec<(String, Option<i64>, DateTime<Utc>, i32)> = Vec::new();
    for r in rows {
        if first.last().is_none_or(|f| f.0 != r.0) {
            first.push(r);
        }
    }
    Ok(first)
}
