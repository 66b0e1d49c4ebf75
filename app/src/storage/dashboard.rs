//! The director's view reads a whole cohort (or program) at once: a few
//! aggregate queries instead of one per student, so a 200-student cohort
//! renders in one round of reads. Sign-offs are not counted here: migration
//! 0007's triggers keep per-student tallies as records are written, and
//! [`verify_tallies`] recounts the records against them. The rules applied
//! to these facts live in `domain::{competency, cohort}`.

use crate::domain::ids::UserId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Db, Engine, StorageError, read};
use crate::domain::access::ProgramId;
use crate::domain::edition::RecordKey;

/// The students of the program (or one cohort), as a subquery. The cohort id
/// is bound, never spliced; only the clause varies. Every table read here is
/// indexed by (program, student, …), so each chosen student's rows are one
/// index range.
fn students_of(cohort: Option<i64>) -> &'static str {
    if cohort.is_some() {
        "SELECT m.user_id FROM membership m WHERE m.program_id = $1 AND m.role = 'student' AND m.cohort_id = $2"
    } else {
        "SELECT m.user_id FROM membership m WHERE m.program_id = $1 AND m.role = 'student'"
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct StudentRow {
    pub student_id: UserId,
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
        if cohort.is_some() { " AND m.cohort_id = $2" } else { "" }
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, StudentRow>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// A student's standing (not voided) evaluations on a competency in one
/// setting, from the tallies migration 0007 keeps at write time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TallyRow {
    pub student_id: UserId,
    /// The edition the counted records were signed under.
    pub edition: String,
    pub competency_code: String,
    pub setting: String,
    pub attempts: i32,
    pub passes: i32,
}

pub async fn tallies(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<TallyRow>, StorageError> {
    let sql = format!(
        "SELECT t.student_id, t.edition, t.competency_code, t.setting, t.attempts, t.passes FROM signoff_tally t
         WHERE t.program_id = $1 AND t.attempts > 0 AND t.student_id IN ({})",
        students_of(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, TallyRow>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// The tally rows on one competency (the rows of every record key that
/// counts toward it, `Edition::keys_of`): every student's for the lab
/// session page, or one student's when a sign-off or an evaluation sheet
/// needs only theirs (an index range, not the student's records).
pub async fn tallies_on(
    db: &Db,
    program: ProgramId,
    keys: &[RecordKey],
    student: Option<UserId>,
) -> Result<Vec<TallyRow>, StorageError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let first_code = if student.is_some() { 3 } else { 2 };
    let codes: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + first_code)).collect();
    let sql = format!(
        "SELECT t.student_id, t.edition, t.competency_code, t.setting, t.attempts, t.passes FROM signoff_tally t
         WHERE t.program_id = $1{} AND t.competency_code IN ({}) AND t.attempts > 0",
        if student.is_some() { " AND t.student_id = $2" } else { "" },
        codes.join(", ")
    );
    let rows: Vec<TallyRow> = read!(db, |pool| {
        let mut q = sqlx::query_as::<_, TallyRow>(sqlx::AssertSqlSafe(sql.clone())).bind(program);
        if let Some(s) = student {
            q = q.bind(s);
        }
        for k in keys {
            q = q.bind(&k.code);
        }
        q.fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .filter(|t| keys.iter().any(|k| k.edition == t.edition && k.code == t.competency_code))
        .collect())
}

/// Minutes of hours entries per student and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct HoursSum {
    pub student_id: UserId,
    pub status: String,
    pub minutes: i64,
}

pub async fn hours_sums(db: &Db, program: ProgramId, cohort: Option<i64>) -> Result<Vec<HoursSum>, StorageError> {
    let sql = format!(
        "SELECT h.student_id, h.status, CAST(SUM(h.minutes) AS BIGINT) AS minutes
         FROM hours_entry h WHERE h.program_id = $1 AND h.student_id IN ({}) GROUP BY h.student_id, h.status",
        students_of(cohort)
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
    pub student_id: UserId,
    pub site_name: String,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub required_hours: i32,
    pub ended_at: Option<DateTime<Utc>>,
}

pub async fn latest_placements(
    db: &Db,
    program: ProgramId,
    cohort: Option<i64>,
) -> Result<Vec<PlacementFactsRow>, StorageError> {
    let sql = format!(
        "SELECT pl.id, pl.student_id, pl.site_name, pl.start_date, pl.end_date,
                COALESCE(pl.required_hours, p.required_externship_hours) AS required_hours, pl.ended_at
         FROM placement pl JOIN program p ON p.id = pl.program_id
         WHERE pl.program_id = $1 AND pl.student_id IN ({}) ORDER BY pl.student_id, (pl.ended_at IS NULL) DESC, pl.id DESC",
        students_of(cohort)
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
pub async fn approved_by_day(
    db: &Db,
    program: ProgramId,
    cohort: Option<i64>,
) -> Result<Vec<(NaiveDate, i64)>, StorageError> {
    let sql = format!(
        "SELECT h.work_date, CAST(SUM(h.minutes) AS BIGINT)
         FROM hours_entry h WHERE h.program_id = $1 AND h.status = 'approved' AND h.student_id IN ({})
         GROUP BY h.work_date ORDER BY h.work_date",
        students_of(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, (NaiveDate, i64)>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// Passed, standing evaluations per UTC day (for the progress chart), from
/// the tallies migration 0007 keeps at write time.
pub async fn passes_by_day(
    db: &Db,
    program: ProgramId,
    cohort: Option<i64>,
) -> Result<Vec<(NaiveDate, i64)>, StorageError> {
    let sql = format!(
        "SELECT d.day, CAST(SUM(d.passes) AS BIGINT) AS n FROM signoff_pass_day d
         WHERE d.program_id = $1 AND d.student_id IN ({})
         GROUP BY d.day HAVING SUM(d.passes) > 0 ORDER BY d.day",
        students_of(cohort)
    );
    Ok(read!(db, |pool| {
        let q = sqlx::query_as::<_, (NaiveDate, i64)>(sqlx::AssertSqlSafe(sql)).bind(program);
        match cohort {
            Some(c) => q.bind(c).fetch_all(pool).await?,
            None => q.fetch_all(pool).await?,
        }
    }))
}

/// A place where the tallies disagree with the records they count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyMismatch {
    pub student_id: UserId,
    /// A competency code and setting, or a day for the pass-day tally.
    pub key: String,
    pub recorded: (i64, i64),
    pub tallied: (i64, i64),
}

impl std::fmt::Display for TallyMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "student {} {}: the records count {} attempts / {} passes, the tally {} / {}",
            self.student_id, self.key, self.recorded.0, self.recorded.1, self.tallied.0, self.tallied.1
        )
    }
}

/// Recounts a program's records and compares them with both tallies (for
/// `server verify-signoffs`). Rows tallied to zero match records that are
/// absent.
pub async fn verify_tallies(db: &Db, program: ProgramId) -> Result<Vec<TallyMismatch>, StorageError> {
    use std::collections::BTreeMap;
    type Counts = BTreeMap<(UserId, String), (i64, i64)>;
    let day = match db.engine() {
        Engine::Sqlite => "substr(s.signed_at, 1, 10)",
        Engine::Postgres => "to_char(s.signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    };
    let standing =
        "s.program_id = $1 AND s.kind = 'evaluation' AND NOT EXISTS (SELECT 1 FROM signoff v WHERE v.voids_id = s.id)";
    let edition = "COALESCE(s.edition, 'checkoff-starter')";
    let recount = format!(
        "SELECT s.student_id, {edition} || ':' || s.competency_code || ' ' || s.setting, COUNT(*),
                CAST(SUM(CASE WHEN s.passed THEN 1 ELSE 0 END) AS BIGINT)
         FROM signoff s WHERE {standing} GROUP BY s.student_id, {edition}, s.competency_code, s.setting"
    );
    let recount_days = format!(
        "SELECT s.student_id, {day}, COUNT(*), COUNT(*) FROM signoff s WHERE {standing} AND s.passed GROUP BY s.student_id, {day}"
    );
    let tallied = "SELECT student_id, edition || ':' || competency_code || ' ' || setting, CAST(attempts AS BIGINT), CAST(passes AS BIGINT)
        FROM signoff_tally WHERE program_id = $1";
    let day_text = match db.engine() {
        Engine::Sqlite => "day",
        Engine::Postgres => "to_char(day, 'YYYY-MM-DD')",
    };
    let tallied_days = format!(
        "SELECT student_id, {day_text}, CAST(passes AS BIGINT), CAST(passes AS BIGINT) FROM signoff_pass_day WHERE program_id = $1"
    );
    let mut sets: Vec<Counts> = Vec::new();
    for sql in [recount, tallied.to_string(), recount_days, tallied_days] {
        let rows: Vec<(UserId, String, i64, i64)> =
            read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).fetch_all(pool).await?);
        sets.push(rows.into_iter().map(|(s, k, a, p)| ((s, k), (a, p))).collect());
    }
    let mut out = Vec::new();
    for pair in sets.chunks(2) {
        let (records, tally) = (&pair[0], &pair[1]);
        let keys: std::collections::BTreeSet<&(UserId, String)> = records.keys().chain(tally.keys()).collect();
        for k in keys {
            let r = records.get(k).copied().unwrap_or((0, 0));
            let t = tally.get(k).copied().unwrap_or((0, 0));
            if r != t {
                out.push(TallyMismatch { student_id: k.0, key: k.1.clone(), recorded: r, tallied: t });
            }
        }
    }
    Ok(out)
}

/// The program's cohorts, by name.
pub async fn cohorts(db: &Db, program: ProgramId) -> Result<Vec<(i64, String)>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as("SELECT id, name FROM cohort WHERE program_id = $1 ORDER BY name")
            .bind(program)
            .fetch_all(pool)
            .await?
    }))
}
