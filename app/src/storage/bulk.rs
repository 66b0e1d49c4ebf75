//! Bulk inserts for the synthetic-data generator (`server seed`, its
//! benchmark and its test) **only**. Application code never uses this
//! module: it writes no per-record audit events and checks none of the rules
//! the ordinary storage functions apply (`signoffs::append`,
//! `externship::log_hours`, `programs::import_roster`…); the caller hands in
//! rows that are already consistent.
//!
//! Each function writes its rows in one transaction, as multi-row INSERTs of
//! at most [`MAX_ROWS`] rows and a bounded number of bind parameters (SQLite
//! accepts 32,766 per statement, PostgreSQL 65,535; see [`max_params`] for
//! why SQLite's statements stay far smaller). Ids are reserved first
//! (PostgreSQL: from the table's sequence; SQLite: above the largest id
//! used, inside the write lock) so rows can name each other before they are
//! written, without relying on the order of `RETURNING` rows, which neither
//! engine promises.
//!
//! Sign-offs keep the hash chain exactly as [`super::signoffs::append`]
//! does: positions, `prev_hash` and `hash` are computed in order with
//! [`link_hash`], and the program's `signoff_chain` head row is moved to the
//! last record, so `server verify-signoffs` passes on a seeded database.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use super::externship::{Decider, EntryStatus};
use super::signoffs::{RECORD_COLUMN_COUNT, bind_record, canonical_time, record_columns};
use super::{Db, Engine, StorageError, write_tx};
use crate::domain::access::{ProgramId, Role, UserId};
use crate::domain::signoff_chain::{GENESIS, SignoffContent, link_hash};

/// Rows per statement: larger statements gain nothing and cost memory.
pub const MAX_ROWS: usize = 500;

/// Bind parameters per statement. PostgreSQL: under its limit (65,535).
/// SQLite: far under its limit (32,766), because binding by number is
/// quadratic there: for every parameter sqlx asks its name
/// (`sqlite3_bind_parameter_name`), a linear search of the statement's
/// parameter list, and parsing `$N` searches it too. At 13,000 parameters a
/// statement that lookup took more time than everything else together; at
/// about a thousand it is lost in the noise.
pub fn max_params(engine: Engine) -> usize {
    match engine {
        Engine::Sqlite => 1_000,
        Engine::Postgres => 32_000,
    }
}

fn rows_per_statement(engine: Engine, columns: usize) -> usize {
    (max_params(engine) / columns.max(1)).clamp(1, MAX_ROWS)
}

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` columns.
fn values_clause(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 7);
    let mut n = 0;
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        }
        out.push(')');
    }
    out
}

/// Reserves `$n` ids of `$table` (an `AUTOINCREMENT` / `BIGSERIAL` `id`),
/// ascending, inside a `write_tx!` body. SQLite: above both the largest id
/// and the table's `sqlite_sequence` entry (the transaction holds the write
/// lock, so nobody takes them meanwhile; inserting them moves the sequence).
/// PostgreSQL: drawn from the sequence, so concurrent writers never collide.
macro_rules! reserve_ids_in_tx {
    ($db:expr, $tx:ident, $table:literal, $n:expr) => {{
        let n: usize = $n;
        let ids: Vec<i64> = if n == 0 {
            Vec::new()
        } else {
            match $db.engine() {
                Engine::Sqlite => {
                    let top: i64 = sqlx::query_scalar(concat!(
                        "SELECT MAX(n) FROM (SELECT COALESCE(MAX(id), 0) AS n FROM ",
                        $table,
                        " UNION ALL SELECT seq AS n FROM sqlite_sequence WHERE name = '",
                        $table,
                        "')"
                    ))
                    .fetch_one(&mut *$tx)
                    .await?;
                    (top + 1..=top + n as i64).collect()
                }
                Engine::Postgres => {
                    sqlx::query_scalar(concat!(
                        "SELECT nextval(pg_get_serial_sequence('",
                        $table,
                        "', 'id')) AS id FROM generate_series(1, $1) ORDER BY 1"
                    ))
                    .bind(n as i64)
                    .fetch_all(&mut *$tx)
                    .await?
                }
            }
        };
        ids
    }};
}

/// Inserts `$rows` (a slice) with `$head` (`INSERT INTO t (a, b)`) in
/// multi-row statements of `$columns` columns; `$bind` binds one row `$r`
/// to the query `$q` and evaluates to the query.
macro_rules! insert_in_tx {
    ($db:expr, $tx:ident, $head:expr, $columns:expr, $rows:expr, |$q:ident, $r:ident| $bind:expr) => {{
        let columns: usize = $columns;
        for chunk in $rows.chunks(rows_per_statement($db.engine(), columns)) {
            let sql = format!("{} VALUES {}", $head, values_clause(chunk.len(), columns));
            let mut $q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for $r in chunk {
                $q = $bind;
            }
            $q.execute(&mut *$tx).await?;
        }
    }};
}

// ---------------------------------------------------------------- people

/// An account to create: no password (the generator's people never sign in
/// until someone sends them a link), not a site administrator.
#[derive(Debug, Clone)]
pub struct BulkUser {
    /// Already normalised (trimmed, lower case).
    pub email: String,
    pub display_name: String,
}

/// Creates accounts; returns their ids in the order given. `Conflict` when
/// an address is taken (nothing is written).
pub async fn users(db: &Db, users: &[BulkUser], now: DateTime<Utc>) -> Result<Vec<UserId>, StorageError> {
    write_tx!(db, |tx| {
        let ids = reserve_ids_in_tx!(db, tx, "app_user", users.len());
        let rows: Vec<(i64, &BulkUser)> = ids.iter().copied().zip(users).collect();
        insert_in_tx!(db, tx, "INSERT INTO app_user (id, email, display_name, created_at)", 4, rows, |q, r| {
            q.bind(r.0).bind(&r.1.email).bind(&r.1.display_name).bind(now)
        });
        Ok(ids.into_iter().map(UserId).collect())
    })
}

/// Creates a program's cohorts, each with its creation time; returns their
/// ids in the order given.
pub async fn cohorts(
    db: &Db,
    program: ProgramId,
    cohorts: &[(String, DateTime<Utc>)],
) -> Result<Vec<i64>, StorageError> {
    write_tx!(db, |tx| {
        let ids = reserve_ids_in_tx!(db, tx, "cohort", cohorts.len());
        let rows: Vec<(i64, &(String, DateTime<Utc>))> = ids.iter().copied().zip(cohorts).collect();
        insert_in_tx!(db, tx, "INSERT INTO cohort (id, program_id, name, created_at)", 4, rows, |q, r| q
            .bind(r.0)
            .bind(program)
            .bind(&r.1.0)
            .bind(r.1.1));
        Ok(ids)
    })
}

/// One role in the program; students with their cohort and student number.
#[derive(Debug, Clone)]
pub struct BulkMember {
    pub user: UserId,
    pub role: Role,
    pub cohort: Option<i64>,
    pub student_number: Option<String>,
    pub granted_at: DateTime<Utc>,
}

/// Grants roles in a program (none may be held already).
pub async fn memberships(
    db: &Db,
    program: ProgramId,
    members: &[BulkMember],
    granted_by: Option<UserId>,
) -> Result<usize, StorageError> {
    write_tx!(db, |tx| {
        insert_in_tx!(
            db,
            tx,
            "INSERT INTO membership (user_id, program_id, role, cohort_id, student_number, granted_at, granted_by)",
            7,
            members,
            |q, m| q
                .bind(m.user)
                .bind(program)
                .bind(m.role.as_str())
                .bind(m.cohort)
                .bind(&m.student_number)
                .bind(m.granted_at)
                .bind(granted_by)
        );
        Ok(members.len())
    })
}

// ----------------------------------------------------------- placements

/// A placement at a site that exists, with its preceptors (the first is the
/// lead). `ended_at` set: a director has ended it.
#[derive(Debug, Clone)]
pub struct BulkPlacement {
    pub student: UserId,
    pub site_id: i64,
    pub site_name: String,
    pub preceptors: Vec<UserId>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// `None`: the program's requirement.
    pub required_hours: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// Creates placements (at most one active per student, which the caller
/// ensures) and their preceptors; returns their ids in the order given.
pub async fn placements(
    db: &Db,
    program: ProgramId,
    placements: &[BulkPlacement],
    created_by: UserId,
) -> Result<Vec<i64>, StorageError> {
    if placements.iter().any(|p| p.preceptors.is_empty()) {
        return Err(StorageError::Conflict("a placement needs a preceptor".into()));
    }
    write_tx!(db, |tx| {
        let ids = reserve_ids_in_tx!(db, tx, "placement", placements.len());
        let rows: Vec<(i64, &BulkPlacement)> = ids.iter().copied().zip(placements).collect();
        insert_in_tx!(
            db,
            tx,
            "INSERT INTO placement (id, program_id, student_id, preceptor_id, site_name, site_id, start_date, end_date,
                 required_hours, created_at, created_by, ended_at)",
            12,
            rows,
            |q, r| q
                .bind(r.0)
                .bind(program)
                .bind(r.1.student)
                .bind(r.1.preceptors[0])
                .bind(&r.1.site_name)
                .bind(r.1.site_id)
                .bind(r.1.start)
                .bind(r.1.end)
                .bind(r.1.required_hours)
                .bind(r.1.created_at)
                .bind(created_by)
                .bind(r.1.ended_at)
        );
        let mut links: Vec<(i64, UserId, DateTime<Utc>)> = Vec::new();
        for (id, p) in &rows {
            for (i, preceptor) in p.preceptors.iter().enumerate() {
                if !p.preceptors[..i].contains(preceptor) {
                    links.push((*id, *preceptor, p.created_at));
                }
            }
        }
        insert_in_tx!(
            db,
            tx,
            "INSERT INTO placement_preceptor (placement_id, preceptor_id, added_at)",
            3,
            links,
            |q, l| q.bind(l.0).bind(l.1).bind(l.2)
        );
        Ok(ids)
    })
}

// -------------------------------------------------------------- sign-offs

/// In a void record's attestation, replaced by the id of the record voided
/// (which a caller writing both in one batch does not know yet).
pub const VOIDED_ID: &str = "{voided_id}";

/// The record a void record voids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoidTarget {
    /// A record already stored, by id.
    Stored(i64),
    /// An earlier record of the same batch, by its index in the batch.
    InBatch(usize),
}

/// A record to append: as for [`super::signoffs::NewSignoff`], `content.seq`,
/// `content.signed_at` (and for a void, `content.voids_id`) are filled in
/// here, in chain order.
#[derive(Debug, Clone)]
pub struct BulkSignoff {
    pub content: SignoffContent,
    pub signed_at: DateTime<Utc>,
    /// Set for `kind = "void"` records.
    pub voids: Option<VoidTarget>,
}

/// Appends records to a program's chain, in the order given (give them in
/// signing order), and moves the chain's head; returns their ids. One
/// transaction: the head row is locked first, as `append` does, so
/// concurrent sign-offs queue behind it.
pub async fn signoffs(db: &Db, program: ProgramId, records: &[BulkSignoff]) -> Result<Vec<i64>, StorageError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(r) = records.iter().find(|r| r.content.program_id != program) {
        return Err(StorageError::Conflict(format!(
            "a record of program {} in a batch for program {program}",
            r.content.program_id
        )));
    }
    struct Row {
        id: i64,
        content: SignoffContent,
        signed_at: DateTime<Utc>,
        prev_hash: String,
        hash: String,
    }
    write_tx!(db, |tx| {
        sqlx::query("INSERT INTO signoff_chain (program_id, seq, head_hash) VALUES ($1, 0, $2) ON CONFLICT (program_id) DO NOTHING")
            .bind(program)
            .bind(GENESIS)
            .execute(&mut *tx)
            .await?;
        // A no-op update: takes the head row's lock (PostgreSQL) before reading it.
        let (mut seq, mut prev): (i64, String) =
            sqlx::query_as("UPDATE signoff_chain SET seq = seq WHERE program_id = $1 RETURNING seq, head_hash")
                .bind(program)
                .fetch_one(&mut *tx)
                .await?;
        let ids = reserve_ids_in_tx!(db, tx, "signoff", records.len());
        let mut rows = Vec::with_capacity(records.len());
        for (i, r) in records.iter().enumerate() {
            let signed_at = r.signed_at.trunc_subsecs(6);
            let mut content = r.content.clone();
            seq += 1;
            content.seq = seq;
            content.signed_at = canonical_time(signed_at);
            if let Some(target) = r.voids {
                let voided = match target {
                    VoidTarget::Stored(id) => id,
                    VoidTarget::InBatch(j) if j < i => ids[j],
                    VoidTarget::InBatch(j) => {
                        return Err(StorageError::Conflict(format!(
                            "record {i} of the batch voids record {j}, which does not precede it"
                        )));
                    }
                };
                content.voids_id = Some(voided);
                content.attestation = content.attestation.replace(VOIDED_ID, &voided.to_string());
            }
            let hash = link_hash(&prev, &content);
            let prev_hash = std::mem::replace(&mut prev, hash.clone());
            rows.push(Row { id: ids[i], content, signed_at, prev_hash, hash });
        }
        insert_in_tx!(
            db,
            tx,
            concat!("INSERT INTO signoff (id, ", record_columns!(), ")"),
            1 + RECORD_COLUMN_COUNT,
            rows,
            |q, r| bind_record!(q.bind(r.id), &r.content, r.signed_at, &r.prev_hash, &r.hash)
        );
        sqlx::query("UPDATE signoff_chain SET seq = $2, head_hash = $3 WHERE program_id = $1")
            .bind(program)
            .bind(seq)
            .bind(&prev)
            .execute(&mut *tx)
            .await?;
        Ok(ids)
    })
}

// ------------------------------------------------------------------ hours

/// A decision already made on an entry: approved, returned or withdrawn.
#[derive(Debug, Clone)]
pub struct BulkDecision {
    pub status: EntryStatus,
    pub reason: Option<String>,
    pub by: Decider,
    pub at: DateTime<Utc>,
}

/// An hours entry, pending (`decision: None`) or decided.
#[derive(Debug, Clone)]
pub struct BulkHours {
    pub placement: i64,
    pub student: UserId,
    pub work_date: NaiveDate,
    /// `HH:MM`, both or neither.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub minutes: i32,
    pub activities: String,
    /// Space-separated competency codes practised.
    pub competency_codes: String,
    pub created_at: DateTime<Utc>,
    pub decision: Option<BulkDecision>,
}

/// Stores hours entries with their status, and an `hours_decision` row for
/// each decided one (the entry carries a copy of it, as `decide` leaves it);
/// returns the entries' ids in the order given.
pub async fn hours(db: &Db, program: ProgramId, entries: &[BulkHours]) -> Result<Vec<i64>, StorageError> {
    if let Some(d) = entries
        .iter()
        .filter_map(|e| e.decision.as_ref())
        .find(|d| matches!(d.status, EntryStatus::Pending | EntryStatus::Voided))
    {
        return Err(StorageError::Conflict(format!("a bulk hours decision cannot be '{}'", d.status.as_str())));
    }
    write_tx!(db, |tx| {
        let ids = reserve_ids_in_tx!(db, tx, "hours_entry", entries.len());
        let rows: Vec<(i64, &BulkHours)> = ids.iter().copied().zip(entries).collect();
        insert_in_tx!(
            db,
            tx,
            "INSERT INTO hours_entry (id, program_id, placement_id, student_id, work_date, start_time, end_time, minutes,
                 activities, competency_codes, created_at, status, decided_by, decided_at, decision_reason)",
            15,
            rows,
            |q, r| {
                let (id, e) = *r;
                let d = e.decision.as_ref();
                q.bind(id)
                    .bind(program)
                    .bind(e.placement)
                    .bind(e.student)
                    .bind(e.work_date)
                    .bind(&e.start_time)
                    .bind(&e.end_time)
                    .bind(e.minutes)
                    .bind(&e.activities)
                    .bind(&e.competency_codes)
                    .bind(e.created_at)
                    .bind(d.map_or(EntryStatus::Pending, |d| d.status).as_str())
                    .bind(d.map(|d| d.by.id))
                    .bind(d.map(|d| d.at))
                    .bind(d.and_then(|d| d.reason.as_deref()))
            }
        );
        let decided: Vec<(i64, &BulkDecision)> =
            rows.iter().filter_map(|(id, e)| Some((*id, e.decision.as_ref()?))).collect();
        insert_in_tx!(
            db,
            tx,
            "INSERT INTO hours_decision (entry_id, decision, reason, decided_by, decided_by_name, decided_by_role, decided_at,
                 ip, user_agent)",
            9,
            decided,
            |q, r| {
                let (id, d) = *r;
                q.bind(id)
                    .bind(d.status.as_str())
                    .bind(&d.reason)
                    .bind(d.by.id)
                    .bind(&d.by.name)
                    .bind(&d.by.role)
                    .bind(d.at)
                    .bind(&d.by.ip)
                    .bind(&d.by.user_agent)
            }
        );
        Ok(ids)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_clauses_number_every_parameter() {
        assert_eq!(values_clause(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(values_clause(1, 1), "($1)");
    }

    #[test]
    fn statements_stay_under_both_engines_limits() {
        for columns in [1, 3, 9, 15, 26, 100] {
            for (engine, limit) in [(Engine::Sqlite, 32_766), (Engine::Postgres, 65_535)] {
                let rows = rows_per_statement(engine, columns);
                assert!((1..=MAX_ROWS).contains(&rows));
                assert!(rows * columns <= limit, "{columns} columns");
            }
        }
    }
}
