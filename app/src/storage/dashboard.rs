//! The director's view reads a whole cohort (or program) at once: a few
//! aggregate queries instead of one per student, so a 200-student cohort
//! renders in one round of reads. The rules applied to these facts live in
//! `domain::{competency, cohort}`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Db, Engine, StorageError, read};
use crate::domain::access::ProgramId;

/// `AND m.cohort_id = $2` when a cohort is chosen. The id is bound, never
/// spliced; only the clause's presence varies.
fn cohort_clause(cohort: Option<i64>) -> &'static str {
    if cohort.is_some() { " AND m.cohort_id = $2" } else { "" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StudentRow {
    pub student_id: i64,
    pub name: String,
    pub cohort_id: Option<i64>,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
}

/// The program's students (of one cohort, or all), by name.
pub async fn students(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<StudentRow>, StorageError> {
    let sql = format!(
        "SELECT m.user_id AS student_id, u.display_name AS name, m.cohort_id, c.name AS cohort, m.student_number
         FROM membership m JOIN app_user u ON u.id = m.user_id LEFT JOIN cohort c ON c.id = m.cohort_id
         WHERE m.program_id = $1 AND m.role = 'student'{} ORDER BY u.display_name, m.user_id",
        cohort_clause(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, StudentRow>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// How many standing (not voided) evaluations a student has on a
/// competency, per setting and result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AttemptCount {
    pub student_id: i64,
    pub competency_code: String,
    pub setting: String,
    pub passed: bool,
    pub n: i64,
}

pub async fn attempt_counts(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<AttemptCount>, StorageError> {
    let sql = format!(
        "SELECT s.student_id, s.competency_code, s.setting, s.passed, COUNT(*) AS n
         FROM signoff s JOIN membership m ON m.user_id = s.student_id AND m.program_id = s.program_id AND m.role = 'student'
         WHERE s.program_id = $1 AND s.kind = 'evaluation'{}
           AND NOT EXISTS (SELECT 1 FROM signoff v WHERE v.voids_id = s.id)
         GROUP BY s.student_id, s.competency_code, s.setting, s.passed",
        cohort_clause(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, AttemptCount>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// Minutes of hours entries per student and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct HoursSum {
    pub student_id: i64,
    pub status: String,
    pub minutes: i64,
}

pub async fn hours_sums(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<HoursSum>, StorageError> {
    let sql = format!(
        "SELECT h.student_id, h.status, CAST(SUM(h.minutes) AS BIGINT) AS minutes
         FROM hours_entry h JOIN membership m ON m.user_id = h.student_id AND m.program_id = h.program_id AND m.role = 'student'
         WHERE h.program_id = $1{} GROUP BY h.student_id, h.status",
        cohort_clause(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, HoursSum>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// Each student's latest placement (active first): dates and required hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PlacementFactsRow {
    pub id: i64,
    pub student_id: i64,
    pub site_name: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub required_hours: i32,
    pub ended_at: Option<DateTime<Utc>>,
}

pub async fn latest_placements(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<PlacementFactsRow>, StorageError> {
    let sql = format!(
        "SELECT pl.id, pl.student_id, pl.site_name, pl.start_date, pl.end_date,
                COALESCE(pl.required_hours, p.required_externship_hours) AS required_hours, pl.ended_at
         FROM placement pl JOIN program p ON p.id = pl.program_id
         JOIN membership m ON m.user_id = pl.student_id AND m.program_id = pl.program_id AND m.role = 'student'
         WHERE pl.program_id = $1{} ORDER BY pl.student_id, (pl.ended_at IS NULL) DESC, pl.id DESC",
        cohort_clause(cohort)
    );
    let rows: Vec<PlacementFactsRow> = read!(db, |pool| {
        let q = sqlx::query_as::<_, PlacementFactsRow>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    });
    // Ordered so each student's first row is the one that counts.
    let mut latest: Vec<PlacementFactsRow> = Vec::new();
    for r in rows {
        if latest.last().is_none_or(|l| l.student_id != r.student_id) {
            latest.push(r);
        }
    }
    Ok(latest)
}

/// Approved minutes per day (for the hours-per-week chart).
pub async fn approved_by_day(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<(NaiveDate, i64)>, StorageError> {
    let sql = format!(
        "SELECT h.work_date, CAST(SUM(h.minutes) AS BIGINT)
         FROM hours_entry h JOIN membership m ON m.user_id = h.student_id AND m.program_id = h.program_id AND m.role = 'student'
         WHERE h.program_id = $1 AND h.status = 'approved'{} GROUP BY h.work_date ORDER BY h.work_date",
        cohort_clause(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, (NaiveDate, i64)>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// Passed, standing evaluations per day, UTC (for the progress chart).
pub async fn passes_by_day(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<(String, i64)>, StorageError> {
    // The one engine difference: how a timestamp becomes its UTC day.
    let day = match db.engine() {
        Engine::Sqlite => "substr(s.signed_at, 1, 10)",
        Engine::Postgres => "to_char(s.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    };
    let sql = format!(
        "SELECT {day} AS day, COUNT(*) AS n
         FROM signoff s JOIN membership m ON m.user_id = s.student_id AND m.program_id = s.program_id AND m.role = 'student'
         WHERE s.program_id = $1 AND s.kind = 'evaluation' AND s.passed{}
           AND NOT EXISTS (SELECT 1 FROM signoff v WHERE v.voids_id = s.id)
         GROUP BY {day} ORDER BY day",
        cohort_clause(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// The program's cohorts, by name.
pub async fn cohorts(db: &Db, program: ProgramId) -> Result<Vec<(i64, String)>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as("SELECT id, name FROM cohort WHERE program_id = $1 ORDER BY name").bind(program).fetch_all(pool).await?
    }))
}
