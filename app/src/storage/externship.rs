//! The externship: clinic sites, placements (dates, required hours, one or
//! more preceptors), hours entries and their verification, and the
//! end-of-externship evaluations.
//!
//! Hours entries are never edited or deleted (migration 0005's triggers
//! refuse it too): a decision moves an entry's status forward and is logged
//! in `hours_decision`; approved hours are corrected by voiding them and
//! writing a new entry that names the voided one.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::programs::audit_in_tx;
use super::{Db, StorageError, read, write_tx};
use crate::domain::access::{ProgramId, UserId};
use crate::domain::hours::{HoursDraft, HoursError, OtherEntry, PlacementDates, Span};

/// Open sign-off requests die with the placement: the preceptor can no
/// longer answer them. (A macro: it runs inside `write_tx!`, once per engine.)
macro_rules! close_requests_in_tx {
    ($tx:ident, $program:expr, $student:expr, $now:expr) => {
        sqlx::query("UPDATE signoff_request SET answered_at = $1 WHERE program_id = $2 AND student_id = $3 AND answered_at IS NULL")
            .bind($now)
            .bind($program)
            .bind($student)
            .execute(&mut *$tx)
            .await?
    };
}

// ---------------------------------------------------------------- sites

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Site {
    pub id: i64,
    pub program_id: ProgramId,
    pub name: String,
    pub address: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewSite {
    pub name: String,
    pub address: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
}

/// Adds a clinic site; `Unique(SiteName)` when the program already has one by that name.
pub async fn create_site(
    db: &Db,
    program: ProgramId,
    site: &NewSite,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<i64, StorageError> {
    write_tx!(db, |tx| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO site (program_id, name, address, contact_name, contact_email, contact_phone, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(program)
        .bind(&site.name)
        .bind(&site.address)
        .bind(&site.contact_name)
        .bind(&site.contact_email)
        .bind(&site.contact_phone)
        .bind(now)
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        let detail = format!("site {}", site.name);
        audit_in_tx!(tx, now, "site_created", actor: Some(actor), subject: None::<i64>, program: Some(program), detail: detail);
        Ok(id)
    })
}

pub async fn sites(db: &Db, program: ProgramId) -> Result<Vec<Site>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Site>(
            "SELECT id, program_id, name, address, contact_name, contact_email, contact_phone
             FROM site WHERE program_id = $1 ORDER BY name",
        )
        .bind(program)
        .fetch_all(pool)
        .await?
    }))
}

// ----------------------------------------------------------- placements

/// A placement to create. The first preceptor is the lead (sign-off
/// requests go to them); every preceptor may verify hours and evaluate.
#[derive(Debug, Clone)]
pub struct NewPlacement {
    pub program: ProgramId,
    pub student: UserId,
    pub site_id: i64,
    pub preceptors: Vec<UserId>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// `None`: the program's requirement.
    pub required_hours: Option<i32>,
}

/// A placement with its site and preceptors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacementDetail {
    pub id: i64,
    pub program_id: ProgramId,
    pub student_id: UserId,
    pub student_name: String,
    pub site_id: Option<i64>,
    pub site_name: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// The hours this placement requires (its own, or the program's).
    pub required_hours: i32,
    /// (id, name), lead preceptor first.
    pub preceptors: Vec<(UserId, String)>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl PlacementDetail {
    pub fn dates(&self) -> Option<PlacementDates> {
        Some(PlacementDates { start: self.start?, end: self.end? })
    }

    pub fn preceptor_names(&self) -> String {
        self.preceptors.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(", ")
    }

    pub fn precepted_by(&self, user: UserId) -> bool {
        self.preceptors.iter().any(|(id, _)| *id == user)
    }
}

/// Creates a placement with its preceptors. A student may hold more than
/// one (a split externship at two sites); hours go to the placement whose
/// dates hold the day worked.
pub async fn create_placement(
    db: &Db,
    new: &NewPlacement,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<i64, StorageError> {
    let Some(lead) = new.preceptors.first().copied() else {
        return Err(StorageError::Conflict("a placement needs a preceptor".into()));
    };
    write_tx!(db, |tx| {
        let site_name: String = sqlx::query_scalar("SELECT name FROM site WHERE id = $1 AND program_id = $2")
            .bind(new.site_id)
            .bind(new.program)
            .fetch_one(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO placement (program_id, student_id, preceptor_id, site_name, site_id, start_date, end_date,
                 required_hours, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(new.program)
        .bind(new.student)
        .bind(lead)
        .bind(&site_name)
        .bind(new.site_id)
        .bind(new.start)
        .bind(new.end)
        .bind(new.required_hours)
        .bind(now)
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        let mut seen = Vec::new();
        for p in &new.preceptors {
            if seen.contains(p) {
                continue;
            }
            seen.push(*p);
            sqlx::query("INSERT INTO placement_preceptor (placement_id, preceptor_id, added_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(p)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        let detail = format!("placed at {site_name} from {} to {} with preceptors {seen:?}", new.start, new.end);
        audit_in_tx!(tx, now, "placement_created", actor: Some(actor), subject: Some(new.student), program: Some(new.program), detail: detail);
        Ok(id)
    })
}

/// Ends a placement: its preceptors lose access to the student, and the
/// student's open sign-off requests are closed.
pub async fn end_placement(
    db: &Db,
    program: ProgramId,
    placement: i64,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    write_tx!(db, |tx| {
        let student: Option<UserId> = sqlx::query_scalar(
            "UPDATE placement SET ended_at = $1 WHERE id = $2 AND program_id = $3 AND ended_at IS NULL RETURNING student_id",
        )
        .bind(now)
        .bind(placement)
        .bind(program)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(student) = student else { return Ok(false) };
        close_requests_in_tx!(tx, program, student, now);
        audit_in_tx!(tx, now, "placement_ended", actor: Some(actor), subject: Some(student), program: Some(program), detail: format!("placement {placement}"));
        Ok(true)
    })
}

#[derive(sqlx::FromRow)]
struct PlacementRow {
    id: i64,
    program_id: ProgramId,
    student_id: UserId,
    student_name: String,
    site_id: Option<i64>,
    site_name: String,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    required_hours: i32,
    ended_at: Option<DateTime<Utc>>,
}

const PLACEMENT_DETAIL_SELECT: &str = "SELECT pl.id, pl.program_id, pl.student_id, s.display_name AS student_name,
        pl.site_id, pl.site_name, pl.start_date, pl.end_date,
        COALESCE(pl.required_hours, p.required_externship_hours) AS required_hours, pl.ended_at
     FROM placement pl
     JOIN program p ON p.id = pl.program_id
     JOIN app_user s ON s.id = pl.student_id";

async fn with_preceptors(db: &Db, rows: Vec<PlacementRow>) -> Result<Vec<PlacementDetail>, StorageError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    // Ids come from the database as integers; the list is built from them only.
    let sql = format!(
        "SELECT pp.placement_id, u.id, u.display_name, (pl.preceptor_id = u.id) AS lead FROM placement_preceptor pp
         JOIN app_user u ON u.id = pp.preceptor_id JOIN placement pl ON pl.id = pp.placement_id
         WHERE pp.placement_id IN ({}) ORDER BY pp.placement_id, lead DESC, u.display_name",
        ids.join(",")
    );
    let people: Vec<(i64, UserId, String, bool)> =
        read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(pool).await?);
    Ok(rows
        .into_iter()
        .map(|r| PlacementDetail {
            preceptors: people
                .iter()
                .filter(|(p, ..)| *p == r.id)
                .map(|(_, id, name, _)| (*id, name.clone()))
                .collect(),
            id: r.id,
            program_id: r.program_id,
            student_id: r.student_id,
            student_name: r.student_name,
            site_id: r.site_id,
            site_name: r.site_name,
            start: r.start_date,
            end: r.end_date,
            required_hours: r.required_hours,
            ended_at: r.ended_at,
        })
        .collect())
}

/// The student's active placement in a program.
pub async fn active_placement_of(
    db: &Db,
    program: ProgramId,
    student: UserId,
) -> Result<Option<PlacementDetail>, StorageError> {
    let sql = format!(
        "{PLACEMENT_DETAIL_SELECT} WHERE pl.program_id = $1 AND pl.student_id = $2 AND pl.ended_at IS NULL ORDER BY pl.id DESC"
    );
    let rows: Vec<PlacementRow> =
        read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).bind(student).fetch_all(pool).await?);
    Ok(with_preceptors(db, rows).await?.into_iter().next())
}

/// The student's active placements in a program, newest first.
pub async fn active_placements_of(
    db: &Db,
    program: ProgramId,
    student: UserId,
) -> Result<Vec<PlacementDetail>, StorageError> {
    let sql = format!(
        "{PLACEMENT_DETAIL_SELECT} WHERE pl.program_id = $1 AND pl.student_id = $2 AND pl.ended_at IS NULL ORDER BY pl.id DESC"
    );
    let rows: Vec<PlacementRow> =
        read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).bind(student).fetch_all(pool).await?);
    with_preceptors(db, rows).await
}

/// The student's latest placement in a program, active or ended (its hours
/// and evaluations stay on the record after it ends).
pub async fn latest_placement_of(
    db: &Db,
    program: ProgramId,
    student: UserId,
) -> Result<Option<PlacementDetail>, StorageError> {
    let sql = format!(
        "{PLACEMENT_DETAIL_SELECT} WHERE pl.program_id = $1 AND pl.student_id = $2 ORDER BY pl.ended_at IS NULL DESC, pl.id DESC"
    );
    let rows: Vec<PlacementRow> =
        read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).bind(student).fetch_all(pool).await?);
    Ok(with_preceptors(db, rows).await?.into_iter().next())
}

pub async fn placement(db: &Db, id: i64) -> Result<Option<PlacementDetail>, StorageError> {
    let sql = format!("{PLACEMENT_DETAIL_SELECT} WHERE pl.id = $1");
    let rows: Vec<PlacementRow> =
        read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(pool).await?);
    Ok(with_preceptors(db, rows).await?.into_iter().next())
}

/// Every active placement of a program, by student name.
pub async fn active_placements(db: &Db, program: ProgramId) -> Result<Vec<PlacementDetail>, StorageError> {
    let sql = format!(
        "{PLACEMENT_DETAIL_SELECT} WHERE pl.program_id = $1 AND pl.ended_at IS NULL ORDER BY s.display_name, pl.id"
    );
    let rows: Vec<PlacementRow> =
        read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).fetch_all(pool).await?);
    with_preceptors(db, rows).await
}

/// Active placements this person precepts, in every program.
pub async fn placements_precepted_by(db: &Db, preceptor: UserId) -> Result<Vec<PlacementDetail>, StorageError> {
    let sql = format!(
        "{PLACEMENT_DETAIL_SELECT} WHERE pl.ended_at IS NULL
         AND pl.id IN (SELECT placement_id FROM placement_preceptor WHERE preceptor_id = $1) ORDER BY s.display_name"
    );
    let rows: Vec<PlacementRow> =
        read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(preceptor).fetch_all(pool).await?);
    with_preceptors(db, rows).await
}

// ---------------------------------------------------------------- hours

/// Where an entry stands: the domain's type, whose names are the stored values.
pub use crate::domain::hours::EntryStatus;

/// One stored hours entry, with its student's name and who decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct HoursRow {
    pub id: i64,
    pub program_id: ProgramId,
    pub placement_id: i64,
    pub student_id: UserId,
    pub student_name: String,
    pub work_date: NaiveDate,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub minutes: i32,
    pub activities: String,
    pub competency_codes: String,
    pub created_at: DateTime<Utc>,
    pub corrects_id: Option<i64>,
    pub status: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_reason: Option<String>,
}

impl HoursRow {
    pub fn status(&self) -> EntryStatus {
        EntryStatus::parse(&self.status).unwrap_or(EntryStatus::Pending)
    }

    /// The entry as the overlap and 24-hour rules see it.
    pub fn as_other(&self) -> OtherEntry {
        let times = self.start_time.as_deref().zip(self.end_time.as_deref()).and_then(|(s, e)| {
            Some((NaiveTime::parse_from_str(s, "%H:%M").ok()?, NaiveTime::parse_from_str(e, "%H:%M").ok()?))
        });
        OtherEntry {
            date: self.work_date,
            span: times.map_or(Span::Minutes(i64::from(self.minutes)), |(start, end)| Span::Times { start, end }),
        }
    }

    /// Pending and approved entries hold their time; the rest do not.
    pub fn counts(&self) -> bool {
        self.status().holds_time()
    }
}

const HOURS_SELECT: &str = "SELECT h.id, h.program_id, h.placement_id, h.student_id, s.display_name AS student_name,
        h.work_date, h.start_time, h.end_time, h.minutes, h.activities, h.competency_codes, h.created_at,
        h.corrects_id, h.status, d.display_name AS decided_by_name, h.decided_at, h.decision_reason
     FROM hours_entry h
     JOIN app_user s ON s.id = h.student_id
     LEFT JOIN app_user d ON d.id = h.decided_by";

/// Who made a decision, as they were when they made it.
#[derive(Debug, Clone)]
pub struct Decider {
    pub id: UserId,
    pub name: String,
    /// "preceptor", "instructor", "director", or "student" (withdrawing).
    pub role: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// An entry to store. The rules of `domain::hours::check` are applied
/// inside the write transaction, against the entries stored at that moment,
/// so two tabs cannot add overlapping hours.
#[derive(Debug, Clone)]
pub struct NewHours {
    pub program: ProgramId,
    pub placement: i64,
    pub student: UserId,
    pub draft: HoursDraft,
    pub placement_dates: PlacementDates,
    pub today: NaiveDate,
    /// Space-separated competency codes practised (already checked).
    pub competency_codes: String,
}

fn times_of(span: Span) -> (Option<String>, Option<String>) {
    match span {
        Span::Times { start, end } => (Some(start.format("%H:%M").to_string()), Some(end.format("%H:%M").to_string())),
        Span::Minutes(_) => (None, None),
    }
}

/// Stores a student's entry (pending), or says which rule it breaks.
pub async fn log_hours(db: &Db, new: &NewHours, now: DateTime<Utc>) -> Result<Result<i64, HoursError>, StorageError> {
    write_tx!(db, |tx| {
        let sql = format!(
            "{HOURS_SELECT} WHERE h.student_id = $1 AND h.work_date = $2 AND h.status IN ('pending', 'approved')"
        );
        let same_day: Vec<HoursRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(new.student).bind(new.draft.date).fetch_all(&mut *tx).await?;
        let others: Vec<OtherEntry> = same_day.iter().map(HoursRow::as_other).collect();
        let minutes = match crate::domain::hours::check(&new.draft, new.today, new.placement_dates, &others) {
            Ok(m) => m,
            Err(e) => return Ok(Err(e)),
        };
        let (start, end) = times_of(new.draft.span);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO hours_entry (program_id, placement_id, student_id, work_date, start_time, end_time, minutes,
                 activities, competency_codes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(new.program)
        .bind(new.placement)
        .bind(new.student)
        .bind(new.draft.date)
        .bind(start)
        .bind(end)
        .bind(i32::try_from(minutes).unwrap_or(i32::MAX))
        .bind(new.draft.activities.trim())
        .bind(&new.competency_codes)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        Ok(Ok(id))
    })
}

/// A student's entries in a program, newest day first.
pub async fn hours_of_student(db: &Db, program: ProgramId, student: UserId) -> Result<Vec<HoursRow>, StorageError> {
    let sql = format!(
        "{HOURS_SELECT} WHERE h.program_id = $1 AND h.student_id = $2 ORDER BY h.work_date DESC, h.start_time DESC, h.id DESC"
    );
    Ok(read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).bind(student).fetch_all(pool).await?))
}

/// Pending entries on the placements this person precepts, oldest day first.
pub async fn pending_for_preceptor(db: &Db, preceptor: UserId) -> Result<Vec<HoursRow>, StorageError> {
    let sql = format!(
        "{HOURS_SELECT} WHERE h.status = 'pending' AND h.placement_id IN
            (SELECT pp.placement_id FROM placement_preceptor pp JOIN placement pl ON pl.id = pp.placement_id
             WHERE pp.preceptor_id = $1 AND pl.ended_at IS NULL)
         ORDER BY s.display_name, h.student_id, h.work_date, h.start_time, h.id"
    );
    Ok(read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(preceptor).fetch_all(pool).await?))
}

/// Some entries by id (for authorizing a decision on them).
pub async fn entries(db: &Db, ids: &[i64]) -> Result<Vec<HoursRow>, StorageError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    // Ids are integers parsed by the server function; the list is built from them only.
    let sql = format!("{HOURS_SELECT} WHERE h.id IN ({}) ORDER BY h.work_date, h.id", list.join(","));
    Ok(read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?))
}

/// A decision on entries (approve, return or withdraw pending ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Return,
    Withdraw,
}

impl Decision {
    fn status(self) -> EntryStatus {
        match self {
            Decision::Approve => EntryStatus::Approved,
            Decision::Return => EntryStatus::Returned,
            Decision::Withdraw => EntryStatus::Withdrawn,
        }
    }
}

/// Moves one entry's status forward and logs the decision; evaluates to
/// whether it changed (it does not when the entry was no longer in the
/// expected state). A macro: it runs inside `write_tx!`, once per engine.
macro_rules! decision_in_tx {
    ($tx:ident, $entry:expr, $status:expr, $reason:expr, $by:expr, $now:expr) => {{
        let status: EntryStatus = $status;
        let reason: Option<String> = $reason.map(str::to_string);
        let by: &Decider = $by;
        let from = if status == EntryStatus::Voided { "approved" } else { "pending" };
        let changed = sqlx::query(
            "UPDATE hours_entry SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4
             WHERE id = $5 AND status = $6",
        )
        .bind(status.as_str())
        .bind(by.id)
        .bind($now)
        .bind(reason.clone())
        .bind($entry)
        .bind(from)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if changed == 1 {
            sqlx::query(
                "INSERT INTO hours_decision (entry_id, decision, reason, decided_by, decided_by_name, decided_by_role, decided_at, ip, user_agent)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind($entry)
            .bind(status.as_str())
            .bind(reason)
            .bind(by.id)
            .bind(by.name.clone())
            .bind(by.role.clone())
            .bind($now)
            .bind(by.ip.clone())
            .bind(by.user_agent.clone())
            .execute(&mut *$tx)
            .await?;
        }
        changed == 1
    }};
}

/// Applies a decision to pending entries, all or nothing: returns how many
/// changed. Entries no longer pending (decided meanwhile by a co-preceptor)
/// are skipped, not overwritten.
pub async fn decide(
    db: &Db,
    ids: &[i64],
    decision: Decision,
    reason: Option<&str>,
    by: &Decider,
    now: DateTime<Utc>,
) -> Result<usize, StorageError> {
    write_tx!(db, |tx| {
        let mut changed = 0;
        for id in ids {
            if decision_in_tx!(tx, *id, decision.status(), reason, by, now) {
                changed += 1;
            }
        }
        Ok(changed)
    })
}

/// Corrects approved hours: voids the entry (with the reason) and stores the
/// corrected entry, approved by the same person, pointing at it. One
/// transaction; the rules are checked first, against the student's other
/// entries without the one being replaced, so a refused correction writes
/// nothing. `Err(NotFound)` when the entry is not (or no longer) approved.
pub async fn correct(
    db: &Db,
    voided: i64,
    corrected: &NewHours,
    reason: &str,
    by: &Decider,
    now: DateTime<Utc>,
) -> Result<Result<i64, HoursError>, StorageError> {
    write_tx!(db, |tx| {
        let sql = format!(
            "{HOURS_SELECT} WHERE h.student_id = $1 AND h.work_date = $2 AND h.status IN ('pending', 'approved') AND h.id <> $3"
        );
        let same_day: Vec<HoursRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(corrected.student)
            .bind(corrected.draft.date)
            .bind(voided)
            .fetch_all(&mut *tx)
            .await?;
        let others: Vec<OtherEntry> = same_day.iter().map(HoursRow::as_other).collect();
        let minutes =
            match crate::domain::hours::check(&corrected.draft, corrected.today, corrected.placement_dates, &others) {
                Ok(m) => m,
                Err(e) => return Ok(Err(e)),
            };
        if !decision_in_tx!(tx, voided, EntryStatus::Voided, Some(reason), by, now) {
            return Err(StorageError::NotFound);
        }
        let (start, end) = times_of(corrected.draft.span);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO hours_entry (program_id, placement_id, student_id, work_date, start_time, end_time, minutes,
                 activities, competency_codes, created_at, corrects_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(corrected.program)
        .bind(corrected.placement)
        .bind(corrected.student)
        .bind(corrected.draft.date)
        .bind(start)
        .bind(end)
        .bind(i32::try_from(minutes).unwrap_or(i32::MAX))
        .bind(corrected.draft.activities.trim())
        .bind(&corrected.competency_codes)
        .bind(now)
        .bind(voided)
        .fetch_one(&mut *tx)
        .await?;
        // The replacement was inserted pending a moment ago in this
        // transaction: approving it must change it, or nothing is kept.
        if !decision_in_tx!(tx, id, EntryStatus::Approved, Some(reason), by, now) {
            return Err(StorageError::Conflict(format!("correction {id} could not be approved")));
        }
        Ok(Ok(id))
    })
}

/// The decision log of an entry, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DecisionRow {
    pub entry_id: i64,
    pub decision: String,
    pub reason: Option<String>,
    pub decided_by_name: String,
    pub decided_by_role: String,
    pub decided_at: DateTime<Utc>,
}

pub async fn decisions_of_student(
    db: &Db,
    program: ProgramId,
    student: UserId,
) -> Result<Vec<DecisionRow>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as(
            "SELECT d.entry_id, d.decision, d.reason, d.decided_by_name, d.decided_by_role, d.decided_at
             FROM hours_decision d JOIN hours_entry h ON h.id = d.entry_id
             WHERE h.program_id = $1 AND h.student_id = $2 ORDER BY d.id",
        )
        .bind(program)
        .bind(student)
        .fetch_all(pool)
        .await?
    }))
}

// ---------------------------------------------------------- evaluations

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EvaluationRow {
    pub id: i64,
    pub program_id: ProgramId,
    pub placement_id: i64,
    pub student_id: UserId,
    pub kind: String,
    pub author_id: UserId,
    pub author_name: String,
    pub ratings: String,
    pub readiness: Option<String>,
    pub comments: String,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewEvaluation {
    pub program: ProgramId,
    pub placement: i64,
    pub student: UserId,
    /// "of_student" or "of_site".
    pub kind: &'static str,
    pub author: UserId,
    pub author_name: String,
    pub ratings_json: String,
    pub readiness: Option<&'static str>,
    pub comments: String,
}

/// Stores an end-of-externship evaluation; `Conflict` if this author has
/// already submitted this kind for the placement.
pub async fn submit_evaluation(db: &Db, e: &NewEvaluation, now: DateTime<Utc>) -> Result<i64, StorageError> {
    write_tx!(db, |tx| {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO externship_evaluation (program_id, placement_id, student_id, kind, author_id, author_name,
                 ratings, readiness, comments, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(e.program)
        .bind(e.placement)
        .bind(e.student)
        .bind(e.kind)
        .bind(e.author)
        .bind(&e.author_name)
        .bind(&e.ratings_json)
        .bind(e.readiness)
        .bind(&e.comments)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let detail = format!("end-of-externship evaluation ({})", e.kind);
        audit_in_tx!(tx, now, "externship_evaluation", actor: Some(e.author), subject: Some(e.student), program: Some(e.program), detail: detail);
        Ok(id)
    })
}

const EVALUATION_SELECT: &str =
    "SELECT id, program_id, placement_id, student_id, kind, author_id, author_name, ratings,
    readiness, comments, submitted_at FROM externship_evaluation";

pub async fn evaluations_of_student(
    db: &Db,
    program: ProgramId,
    student: UserId,
) -> Result<Vec<EvaluationRow>, StorageError> {
    let sql = format!("{EVALUATION_SELECT} WHERE program_id = $1 AND student_id = $2 ORDER BY submitted_at");
    Ok(read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).bind(student).fetch_all(pool).await?))
}

pub async fn evaluations_in_program(db: &Db, program: ProgramId) -> Result<Vec<EvaluationRow>, StorageError> {
    let sql = format!("{EVALUATION_SELECT} WHERE program_id = $1 ORDER BY submitted_at");
    Ok(read!(db, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(program).fetch_all(pool).await?))
}
