//! Programs, their cohorts, who holds which role in them, and placements of
//! students with preceptors. Role changes write their audit event in the same
//! transaction, so the log cannot miss one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Db, StorageError, read, write_tx};
use crate::domain::access::{ProgramId, Role, UserId};
use crate::domain::roster::RosterRow;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Program {
    pub id: ProgramId,
    pub name: String,
    pub required_externship_hours: i32,
    /// The framework edition the program is on (`domain::edition`).
    pub edition_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Cohort {
    pub id: i64,
    pub name: String,
}

/// One person's role in a program, as a director sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Member {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub role: String,
    pub cohort: Option<String>,
    pub student_number: Option<String>,
    /// True once the person has signed in at least once.
    pub active: bool,
}

/// A student placed with the signed-in preceptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Placement {
    pub id: i64,
    pub program_id: ProgramId,
    pub program_name: String,
    pub student_id: UserId,
    pub student_name: String,
    pub preceptor_id: UserId,
    pub preceptor_name: String,
    pub site_name: String,
}

/// Writes one audit event inside a `write_tx!` body (either engine).
macro_rules! audit_in_tx {
    ($tx:ident, $at:expr, $kind:expr, actor: $actor:expr, subject: $subject:expr, program: $program:expr, detail: $detail:expr) => {
        sqlx::query(
            "INSERT INTO audit_event (at, kind, actor_id, subject_user_id, program_id, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($at)
        .bind($kind)
        .bind($actor)
        .bind($subject)
        .bind($program)
        .bind($detail)
        .execute(&mut *$tx)
        .await?
    };
}
pub(crate) use audit_in_tx;

pub async fn create_program(
    db: &Db,
    name: &str,
    edition: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<ProgramId, StorageError> {
    write_tx!(db, |tx| {
        let id: ProgramId =
            sqlx::query_scalar("INSERT INTO program (name, edition_id, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(name)
                .bind(edition)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
        audit_in_tx!(tx, now, "program_created", actor: actor, subject: None::<i64>, program: Some(id), detail: name);
        Ok(id)
    })
}

pub async fn list_programs(db: &Db) -> Result<Vec<Program>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Program>(
            "SELECT id, name, required_externship_hours, edition_id FROM program ORDER BY name",
        )
        .fetch_all(pool)
        .await?
    }))
}

pub async fn get_program(db: &Db, id: ProgramId) -> Result<Option<Program>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Program>(
            "SELECT id, name, required_externship_hours, edition_id FROM program WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
    }))
}

/// Moves a program to another framework edition, with the audit event that
/// says from which, to which, and what mapped.
#[allow(clippy::too_many_arguments)]
pub async fn set_edition(
    db: &Db,
    program: ProgramId,
    from: &str,
    to: &str,
    requirements: &[(String, crate::domain::competency::Requirement)],
    detail: &str,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    write_tx!(db, |tx| {
        // Only from the edition the preview was made for: a switch made in
        // between by someone else is not silently overwritten.
        let changed = sqlx::query("UPDATE program SET edition_id = $1 WHERE id = $2 AND edition_id = $3")
            .bind(to)
            .bind(program)
            .bind(from)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 {
            // The program's own requirements name the codes of its edition:
            // they are replaced by those carried to the new edition's codes.
            sqlx::query("DELETE FROM competency_requirement WHERE program_id = $1")
                .bind(program)
                .execute(&mut *tx)
                .await?;
            for (code, r) in requirements {
                sqlx::query(
                    "INSERT INTO competency_requirement (program_id, competency_code, attempts, setting, updated_by, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (program_id, competency_code) DO NOTHING",
                )
                .bind(program)
                .bind(code)
                .bind(i32::from(r.attempts))
                .bind(r.setting.as_str())
                .bind(actor)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let detail = format!("framework edition {from} → {to}: {detail}");
            audit_in_tx!(tx, now, "edition_switched", actor: Some(actor), subject: None::<i64>, program: Some(program), detail: detail);
        }
        Ok(changed == 1)
    })
}

pub async fn list_cohorts(db: &Db, program: ProgramId) -> Result<Vec<Cohort>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Cohort>("SELECT id, name FROM cohort WHERE program_id = $1 ORDER BY name")
            .bind(program)
            .fetch_all(pool)
            .await?
    }))
}

/// Grants a role (idempotent: granting a role held already changes nothing
/// and writes no event). Returns whether it was new.
pub async fn grant_role(
    db: &Db,
    user: UserId,
    program: ProgramId,
    role: Role,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    write_tx!(db, |tx| {
        let n = sqlx::query(
            "INSERT INTO membership (user_id, program_id, role, granted_at, granted_by)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, program_id, role) DO NOTHING",
        )
        .bind(user)
        .bind(program)
        .bind(role.as_str())
        .bind(now)
        .bind(actor)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            audit_in_tx!(tx, now, "role_granted", actor: actor, subject: Some(user), program: Some(program), detail: role.as_str());
        }
        Ok(n == 1)
    })
}

pub async fn revoke_role(
    db: &Db,
    user: UserId,
    program: ProgramId,
    role: Role,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<bool, StorageError> {
    write_tx!(db, |tx| {
        let n = sqlx::query("DELETE FROM membership WHERE user_id = $1 AND program_id = $2 AND role = $3")
            .bind(user)
            .bind(program)
            .bind(role.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 1 {
            audit_in_tx!(tx, now, "role_revoked", actor: actor, subject: Some(user), program: Some(program), detail: role.as_str());
        }
        Ok(n == 1)
    })
}

/// A member with cohort, student number and whether they have ever signed in.
const MEMBER_SELECT: &str =
    "SELECT u.id AS user_id, u.display_name, u.email, m.role, c.name AS cohort, m.student_number,
        EXISTS (SELECT 1 FROM audit_event a WHERE a.actor_id = u.id AND a.kind = 'signed_in') AS active
    FROM membership m
    JOIN app_user u ON u.id = m.user_id
    LEFT JOIN cohort c ON c.id = m.cohort_id";

pub async fn members(db: &Db, program: ProgramId) -> Result<Vec<Member>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(format!(
            "{MEMBER_SELECT} WHERE m.program_id = $1 ORDER BY m.role, u.display_name, u.id"
        )))
        .bind(program)
        .fetch_all(pool)
        .await?
    }))
}

/// What a roster import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterOutcome {
    pub cohort_id: i64,
    /// Accounts created for people new to Checkoff.
    pub accounts_created: usize,
    /// Students added to this program's roster (their accounts are new).
    pub students_added: usize,
    /// Rows for people already students of this program (cohort updated).
    pub already_enrolled: usize,
    /// Rows naming an account that already exists elsewhere: offered the
    /// place (by index into the rows), to be e-mailed; they join when they
    /// accept (`storage::offers`).
    pub offered: Vec<usize>,
}

/// A problem found only against the database (a student number already used
/// by someone else in this program), reported by roster line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterConflict {
    pub line: u64,
    pub message: String,
}

/// Imports a validated roster into a cohort (created if new), all or
/// nothing: on any conflict the transaction rolls back and every conflicting
/// line is returned.
///
/// `offers.tokens[i]` (SHA-256 of a fresh secret) is used if row `i` names an
/// account that already exists and is not yet a student here: that person
/// is offered the place instead of being enrolled (see `storage::offers`).
/// How places are offered to existing accounts during a roster import.
#[derive(Debug, Clone, Copy)]
pub struct OfferTerms<'a> {
    /// One token hash per roster row, used only for rows that become offers.
    pub tokens: &'a [String],
    pub expires: DateTime<Utc>,
}

pub async fn import_roster(
    db: &Db,
    program: ProgramId,
    cohort_name: &str,
    rows: &[RosterRow],
    offers: OfferTerms<'_>,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<Result<RosterOutcome, Vec<RosterConflict>>, StorageError> {
    let result = write_tx!(db, |tx| {
        sqlx::query("INSERT INTO cohort (program_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (program_id, name) DO NOTHING")
            .bind(program)
            .bind(cohort_name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let cohort_id: i64 = sqlx::query_scalar("SELECT id FROM cohort WHERE program_id = $1 AND name = $2")
            .bind(program)
            .bind(cohort_name)
            .fetch_one(&mut *tx)
            .await?;
        let mut outcome = RosterOutcome { cohort_id, ..RosterOutcome::default() };
        let mut conflicts = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            let existing: Option<UserId> = sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1")
                .bind(&row.email)
                .fetch_optional(&mut *tx)
                .await?;
            let user_id = match existing {
                Some(id) => id,
                None => {
                    outcome.accounts_created += 1;
                    sqlx::query_scalar::<_, UserId>(
                        "INSERT INTO app_user (email, display_name, created_at) VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(&row.email)
                    .bind(&row.name)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            let holder: Option<UserId> =
                sqlx::query_scalar("SELECT user_id FROM membership WHERE program_id = $1 AND student_number = $2")
                    .bind(program)
                    .bind(&row.student_number)
                    .fetch_optional(&mut *tx)
                    .await?;
            if holder.is_some_and(|h| h != user_id) {
                conflicts.push(RosterConflict {
                    line: row.line,
                    message: format!(
                        "student id {} already belongs to another student of this program",
                        row.student_number
                    ),
                });
                continue;
            }
            let updated = sqlx::query(
                "UPDATE membership SET cohort_id = $1, student_number = $2
                 WHERE user_id = $3 AND program_id = $4 AND role = 'student'",
            )
            .bind(cohort_id)
            .bind(&row.student_number)
            .bind(user_id)
            .bind(program)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if updated == 1 {
                outcome.already_enrolled += 1;
                continue;
            }
            if existing.is_some() {
                let token_hash = offers.tokens.get(index).ok_or(StorageError::NotFound)?;
                let offer = crate::storage::offers::NewOffer {
                    program,
                    user: user_id,
                    role: Role::Student,
                    cohort_id: Some(cohort_id),
                    student_number: Some(&row.student_number),
                    offered_by: actor,
                    token_hash,
                    expires_at: offers.expires,
                };
                if let crate::storage::offers::OfferOutcome::Offered(_) =
                    crate::storage::offers::offer_in_tx!(tx, &offer, now)
                {
                    outcome.offered.push(index);
                }
                continue;
            }
            sqlx::query(
                "INSERT INTO membership (user_id, program_id, role, cohort_id, student_number, granted_at, granted_by)
                 VALUES ($1, $2, 'student', $3, $4, $5, $6)",
            )
            .bind(user_id)
            .bind(program)
            .bind(cohort_id)
            .bind(&row.student_number)
            .bind(now)
            .bind(actor)
            .execute(&mut *tx)
            .await?;
            outcome.students_added += 1;
            audit_in_tx!(tx, now, "role_granted", actor: Some(actor), subject: Some(user_id), program: Some(program), detail: "student (roster import)");
        }
        if !conflicts.is_empty() {
            // Roll back: nothing is half-imported.
            return Err(StorageError::RosterConflicts(conflicts));
        }
        let detail = format!(
            "cohort {cohort_name}: {} rows, {} added, {} already enrolled, {} existing accounts asked to accept",
            rows.len(),
            outcome.students_added,
            outcome.already_enrolled,
            outcome.offered.len()
        );
        audit_in_tx!(tx, now, "roster_imported", actor: Some(actor), subject: None::<i64>, program: Some(program), detail: detail);
        Ok(outcome)
    });
    match result {
        Ok(outcome) => Ok(Ok(outcome)),
        Err(StorageError::RosterConflicts(conflicts)) => Ok(Err(conflicts)),
        Err(other) => Err(other),
    }
}

const PLACEMENT_SELECT: &str = "SELECT pl.id, pl.program_id, p.name AS program_name, pl.student_id,
        s.display_name AS student_name, pl.preceptor_id, pr.display_name AS preceptor_name, pl.site_name
     FROM placement pl
     JOIN program p ON p.id = pl.program_id
     JOIN app_user s ON s.id = pl.student_id
     JOIN app_user pr ON pr.id = pl.preceptor_id
     WHERE pl.ended_at IS NULL";

/// Active placements where this person is the preceptor.
pub async fn placements_for_preceptor(db: &Db, preceptor: UserId) -> Result<Vec<Placement>, StorageError> {
    let sql = format!(
        "{PLACEMENT_SELECT} AND pl.id IN (SELECT placement_id FROM placement_preceptor WHERE preceptor_id = $1)
         ORDER BY s.display_name"
    );
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Placement>(sqlx::AssertSqlSafe(sql)).bind(preceptor).fetch_all(pool).await?
    }))
}

/// Active placements in a program.
pub async fn placements_in_program(db: &Db, program: ProgramId) -> Result<Vec<Placement>, StorageError> {
    let sql = format!("{PLACEMENT_SELECT} AND pl.program_id = $1 ORDER BY s.display_name");
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Placement>(sqlx::AssertSqlSafe(sql)).bind(program).fetch_all(pool).await?
    }))
}

/// The program memberships of a user, with program names, for their home page.
pub async fn roles_of(db: &Db, user: UserId) -> Result<Vec<(Program, String)>, StorageError> {
    let rows: Vec<(ProgramId, String, i32, String, String)> = read!(db, |pool| {
        sqlx::query_as(
            "SELECT p.id, p.name, p.required_externship_hours, p.edition_id, m.role FROM membership m
             JOIN program p ON p.id = m.program_id WHERE m.user_id = $1 ORDER BY p.name, m.role",
        )
        .bind(user)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, name, required_externship_hours, edition_id, role)| {
            (Program { id, name, required_externship_hours, edition_id }, role)
        })
        .collect())
}

/// A student's membership facts in a program (for their record page).
pub async fn student_in_program(db: &Db, program: ProgramId, student: UserId) -> Result<Option<Member>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_as::<_, Member>(sqlx::AssertSqlSafe(format!(
            "{MEMBER_SELECT} WHERE m.program_id = $1 AND m.user_id = $2 AND m.role = 'student'"
        )))
        .bind(program)
        .bind(student)
        .fetch_optional(pool)
        .await?
    }))
}

/// When `user` was granted `role` in `program`, if they hold it.
pub async fn joined_at(
    db: &Db,
    program: ProgramId,
    user: UserId,
    role: Role,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    Ok(read!(db, |pool| {
        sqlx::query_scalar::<_, DateTime<Utc>>(
            "SELECT granted_at FROM membership WHERE user_id = $1 AND program_id = $2 AND role = $3",
        )
        .bind(user)
        .bind(program)
        .bind(role.as_str())
        .fetch_optional(pool)
        .await?
    }))
}
